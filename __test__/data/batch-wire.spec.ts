import { describe, expect, it } from 'vitest';
import { type BatchMessage, HEADER_BYTES, decodeBatch, encodeBatch, readHeader, writeHeader } from '../../src/data/batch-wire';
import { Tensor } from '../../src/tensor';

/** One slot as a worker and the main thread see it: the header, then the tensor bytes. */
function slotFor(bytes: number) {
  const slots = new SharedArrayBuffer(HEADER_BYTES + bytes);
  return { slots, header: new Uint8Array(slots, 0, HEADER_BYTES), data: new Uint8Array(slots, HEADER_BYTES, bytes) };
}

describe('batch descriptions in the slot header', () => {
  it('round-trips a plain batch through the header, with no message', () => {
    const { slots, header, data } = slotFor(1024);
    const x = new Tensor(new Float32Array([1.5, -2, 3]), [1, 3], 'float32');
    const y = new Tensor(new Int32Array([7]), [1], 'int32');
    const { message, transfer } = encodeBatch(5, { image: x, labels: [y, 'a', 2, true, null] }, data);
    expect(transfer).toEqual([]);
    expect(writeHeader(header, message)).toBe(true);
    const described = readHeader(slots, 0) as BatchMessage;
    expect(described.batchIndex).toBe(5);
    const batch = decodeBatch(described, slots, HEADER_BYTES) as { image: Tensor; labels: [Tensor, string, number, boolean, null] };
    expect(Array.from(batch.image.data)).toEqual([1.5, -2, 3]);
    expect(batch.image.shape).toEqual([1, 3]);
    expect(batch.labels[0].dtype).toBe('int32');
    expect(Array.from(batch.labels[0].data)).toEqual([7]);
    expect(batch.labels.slice(1)).toEqual(['a', 2, true, null]);
  });

  it.each([
    ['NaN', [Number.NaN]],
    ['-0', [-0]],
    ['undefined', [undefined]],
    ['a class instance', [new Map([[1, 2]])]],
    ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ])('marks a description holding %s as posted (JSON would change it)', (_, tree) => {
    const { slots, header, data } = slotFor(64);
    const { message } = encodeBatch(0, tree, data);
    expect(writeHeader(header, message)).toBe(false);
    expect(readHeader(slots, 0)).toBeUndefined();
  });

  it('marks errors, transferred batches and oversized descriptions as posted', () => {
    const { slots, header, data } = slotFor(8);
    const error: BatchMessage = { batchIndex: 1, error: { name: 'RangeError', message: 'bad' } };
    expect(writeHeader(header, error)).toBe(false);
    const big = encodeBatch(2, new Tensor(new Float32Array(16), [16], 'float32'), data);
    expect(big.message.inline).toBeDefined();
    expect(writeHeader(header, big.message)).toBe(false);
    const long = encodeBatch(3, 'x'.repeat(HEADER_BYTES), data);
    expect(writeHeader(header, long.message)).toBe(false);
    expect(readHeader(slots, 0)).toBeUndefined();
  });
});
