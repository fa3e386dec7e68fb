import { describe, expect, it } from 'vitest';
import { allocateBatchFloat32, withBatchArena } from '../../src/data/batch-arena';
import { type BatchMessage, HEADER_BYTES, TENSOR_LIST, decodeBatch, encodeBatch, readHeader, writeHeader } from '../../src/data/batch-wire';
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

describe('tensor-list batches in the binary header', () => {
  it('round-trips [inputs, targets] of every dtype and rank, as a list of tensors', () => {
    const { slots, header, data } = slotFor(1024);
    const x = new Tensor(new Float32Array([0.5, -0, Number.NaN, 3, 4, 5]), [1, 2, 3], 'float32');
    const y = new Tensor(new Int32Array([-7, 2 ** 31 - 1]), [2], 'int32');
    const b = new Tensor(new Uint8Array([1, 0, 1]), [3], 'bool');
    const u = new Tensor(new Uint8Array([255]), [], 'uint8');
    const { message } = encodeBatch(41, [x, y, b, u], data);
    expect(writeHeader(header, message)).toBe(true);
    const described = readHeader(slots, 0) as BatchMessage;
    expect(described.batchIndex).toBe(41);
    expect(described.tree).toBe(TENSOR_LIST);
    const batch = decodeBatch(described, slots, HEADER_BYTES) as Tensor[];
    expect(Array.isArray(batch)).toBe(true);
    expect(batch.map((t) => [t.dtype, t.shape, t.data.constructor.name])).toEqual([
      ['float32', [1, 2, 3], 'Float32Array'],
      ['int32', [2], 'Int32Array'],
      ['bool', [3], 'Uint8Array'],
      ['uint8', [], 'Uint8Array'],
    ]);
    // Bit for bit (-0 and NaN included), and copies that no longer share the slot's memory.
    expect(Array.from(new Uint32Array(batch[0].data.buffer, batch[0].data.byteOffset, 6))).toEqual(Array.from(new Uint32Array(x.data.buffer)));
    expect(Array.from(batch[1].data)).toEqual([-7, 2 ** 31 - 1]);
    expect(Array.from(batch[2].data)).toEqual([1, 0, 1]);
    expect(Array.from(batch[3].data)).toEqual([255]);
    for (const t of batch) expect(t.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    data.fill(0);
    expect(batch[0].data[0]).toBe(0.5);
  });

  it('keeps JSON for anything but a flat list of tensors', () => {
    const { slots, header, data } = slotFor(256);
    const x = new Tensor(new Float32Array([1]), [1], 'float32');
    for (const batch of [{ x }, [x, [x]], [x, 3], [[x]], [x, { $t: 1 }]]) {
      const { message } = encodeBatch(0, batch, data);
      expect(writeHeader(header, message)).toBe(true);
      expect((readHeader(slots, 0) as BatchMessage).tree).not.toBe(TENSOR_LIST);
    }
    // An empty list is a (trivial) tensor list.
    expect(writeHeader(header, encodeBatch(0, [], data).message)).toBe(true);
    expect(decodeBatch(readHeader(slots, 0) as BatchMessage, slots, HEADER_BYTES)).toEqual([]);
  });

  it('posts a tensor list whose description does not fit the header', () => {
    const { slots, header, data } = slotFor(1 << 16);
    // 300 tensors × (4 + 1) words > 1024 words; as JSON it is longer still.
    const many = Array.from({ length: 300 }, (_, k) => new Tensor(new Int32Array([k]), [1], 'int32'));
    const { message } = encodeBatch(9, many, data);
    expect(writeHeader(header, message)).toBe(false);
    expect(readHeader(slots, 0)).toBeUndefined();
    const batch = decodeBatch(message, slots, HEADER_BYTES) as Tensor[];
    expect(batch.map((t) => t.data[0])).toEqual(many.map((_, k) => k));
  });
});

describe('batches built in the slot (batch arena)', () => {
  it('leaves a tensor built in its place untouched and describes it like a copied one', () => {
    const { slots, header, data } = slotFor(1024);
    const built = withBatchArena(data, () => allocateBatchFloat32(3));
    expect(built.buffer).toBe(slots);
    expect(built.byteOffset).toBe(HEADER_BYTES);
    built.set([1, 2, 3]);
    const y = new Tensor(new Int32Array([4]), [1], 'int32');
    const { message } = encodeBatch(0, [new Tensor(built, [3], 'float32'), y], data);
    expect(message.tensors?.map((d) => d.byteOffset)).toEqual([0, 16]);
    writeHeader(header, message);
    const [x, t] = decodeBatch(readHeader(slots, 0) as BatchMessage, slots, HEADER_BYTES) as Tensor[];
    expect(Array.from(x.data)).toEqual([1, 2, 3]);
    expect(Array.from(t.data)).toEqual([4]);
  });

  it('copies slot data that is not in its place out before writing over it', () => {
    const { slots, header, data } = slotFor(1024);
    // Built at offset 0, but it is the batch's second tensor: the first one is written there.
    const built = withBatchArena(data, () => allocateBatchFloat32(4));
    built.set([5, 6, 7, 8]);
    const first = new Tensor(new Float32Array([1, 2, 3, 4]), [4], 'float32');
    const { message } = encodeBatch(0, [first, new Tensor(built, [4], 'float32')], data);
    writeHeader(header, message);
    const [a, b] = decodeBatch(readHeader(slots, 0) as BatchMessage, slots, HEADER_BYTES) as Tensor[];
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(b.data)).toEqual([5, 6, 7, 8]);
  });

  it('hands out aligned views in order, fresh arrays outside an arena or when the slot is full', () => {
    const { slots, data } = slotFor(64);
    const outside = allocateBatchFloat32(3);
    expect(outside.buffer).not.toBe(slots);
    expect(outside.length).toBe(3);
    const [a, b, c, d] = withBatchArena(data, () => [allocateBatchFloat32(3), allocateBatchFloat32(2), allocateBatchFloat32(16), allocateBatchFloat32(8)]);
    expect([a, b, c, d].map((v) => [v.buffer === slots, v.length])).toEqual([
      [true, 3],
      [true, 2],
      [false, 16],
      [true, 8],
    ]);
    expect([a.byteOffset, b.byteOffset, d.byteOffset]).toEqual([HEADER_BYTES, HEADER_BYTES + 16, HEADER_BYTES + 24]);
    // The arena ends with the build, also when the build throws.
    expect(() => withBatchArena(data, () => {
      throw new RangeError('build failed');
    })).toThrow('build failed');
    expect(allocateBatchFloat32(1).buffer).not.toBe(slots);
  });
});
