/**
 * The safetensors codec: byte-identical layout to Python's `safetensors.torch.save_file`
 * (`__test__/fixtures/interop/python_layout.safetensors`, made by
 * scripts/interop/make_torch_checkpoint.py), and a `CheckpointError` naming the file and the
 * problem for every way a file can be corrupt or truncated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { CheckpointError } from '../../src/serialization/errors';
import { decodeSafetensors, encodeSafetensors } from '../../src/serialization/safetensors';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'interop');
const FILE = '/ckpt/model.safetensors';

/** The tensors of python_layout.safetensors, built in kindling. */
function layoutTensors(): Map<string, torch.Tensor> {
  return new Map<string, torch.Tensor>([
    ['b', torch.arange(6, { dtype: torch.float32 }).reshape(2, 3).div(4)],
    ['a_bool', torch.tensor([true, false, true])],
    ['scalar', torch.tensor(1.5)],
    ['empty', torch.zeros(0, 3)],
    ['layers.10.w', new torch.Tensor(Int32Array.of(1, -2, 3, 2147483647), [2, 2], 'int32')],
    ['layers.2.w', torch.tensor([-0, Infinity, -Infinity, 3.25])],
    ['pixels', new torch.Tensor(Uint8Array.of(0, 127, 255), [3], 'uint8')],
  ]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** A file with `header` (object or raw text, padded like the format) followed by `data`. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), declaredLength?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = Buffer.from(text, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(declaredLength ?? BigInt(json.length));
  return concat([prefix, json, data]);
}

function decodeError(bytes: Uint8Array): CheckpointError {
  try {
    decodeSafetensors(bytes, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).path).toBe(FILE);
    return e as CheckpointError;
  }
  throw new Error('expected decodeSafetensors to throw');
}

const f32 = (n: number) => ({ dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] });

describe('encodeSafetensors', () => {
  it("writes exactly the bytes of Python's save_file (order by dtype then name, padding, metadata)", () => {
    const expected = fs.readFileSync(path.join(FIXTURES, 'python_layout.safetensors'));
    const encoded = encodeSafetensors(layoutTensors(), { format: 'pt' });
    const bytes = concat([encoded.header, ...encoded.chunks]);
    expect(encoded.byteLength).toBe(expected.length);
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
  });

  it('pads the header with spaces to a multiple of 8 and omits __metadata__ when null', () => {
    const { header } = encodeSafetensors(new Map([['x', torch.tensor([1.5])]]), null);
    const n = Number(Buffer.from(header).readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const text = Buffer.from(header.subarray(8)).toString('utf8');
    expect(text.trimEnd()).toBe('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    expect(text.length - text.trimEnd().length).toBeLessThan(8);
  });

  it('shares the tensors\' buffers instead of copying them', () => {
    const t = torch.tensor([1, 2, 3]);
    const { chunks } = encodeSafetensors(new Map([['t', t]]), null);
    expect(chunks[0].buffer).toBe(t.data.buffer);
  });
});

describe('decodeSafetensors', () => {
  it("reads Python's file: every dtype, 0-d and empty tensors, special floats, metadata", () => {
    const { tensors, metadata } = decodeSafetensors(fs.readFileSync(path.join(FIXTURES, 'python_layout.safetensors')), FILE);
    expect(metadata).toEqual({ format: 'pt' });
    // Python's load_file lists tensors by name.
    expect([...tensors.keys()]).toEqual(['a_bool', 'b', 'empty', 'layers.10.w', 'layers.2.w', 'pixels', 'scalar']);
    const expected = layoutTensors();
    for (const [name, t] of tensors) {
      const e = expected.get(name) as torch.Tensor;
      expect(t.dtype, name).toBe(e.dtype);
      expect(t.shape, name).toEqual(e.shape);
      expect([...t.data], name).toEqual([...e.data]);
    }
    expect(Object.is(tensors.get('layers.2.w')?.data[0], -0)).toBe(true);
  });

  // Regression (#10.2): I64 used to be narrowed to int32; it is kindling's int64, exactly.
  it('reads int64 (torch.long) as int64 exactly, the whole range', () => {
    const { tensors } = decodeSafetensors(fs.readFileSync(path.join(FIXTURES, 'python_int64.safetensors')), FILE);
    const labels = tensors.get('labels') as torch.Tensor;
    expect(labels.dtype).toBe('int64');
    expect([...labels.data]).toEqual([0n, -3n, 2147483647n, -2147483648n]);
    const data = Buffer.alloc(16);
    data.writeBigInt64LE(2n ** 63n - 1n);
    data.writeBigInt64LE(-(2n ** 63n), 8);
    const big = decodeSafetensors(craft({ big: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data), FILE).tensors.get('big') as torch.Tensor;
    expect([...big.data]).toEqual([2n ** 63n - 1n, -(2n ** 63n)]);
  });

  it('writes int64 as I64 and int32 as I32, and reads them back with their dtype', () => {
    const encoded = encodeSafetensors(new Map([['a', torch.tensor([2n ** 60n, -1n])], ['b', torch.tensor([7], { dtype: torch.int32 })]]), null);
    const { tensors } = decodeSafetensors(concat([encoded.header, ...encoded.chunks]), FILE);
    expect((tensors.get('a') as torch.Tensor).data).toEqual(new BigInt64Array([2n ** 60n, -1n]));
    expect((tensors.get('b') as torch.Tensor).dtype).toBe('int32');
  });

  it("reads F16, BF16 and F64 as float32 with PyTorch's values (.float()): subnormals, ±0, ±inf, NaN", () => {
    const { tensors } = decodeSafetensors(fs.readFileSync(path.join(FIXTURES, 'python_floats.safetensors')), FILE);
    for (const kind of ['f16', 'bf16', 'f64']) {
      const t = tensors.get(kind) as torch.Tensor;
      const expected = tensors.get(`${kind}_as_f32`) as torch.Tensor;
      expect(t.dtype, kind).toBe('float32');
      expect(t.shape, kind).toEqual([12]);
      // Bit for bit (NaN payloads aside): compare as numbers with Object.is, which tells -0 from 0.
      [...expected.data].forEach((e, i) => expect(Object.is(t.data[i], e) || (Number.isNaN(e) && Number.isNaN(t.data[i])), `${kind}[${i}]: ${t.data[i]} vs ${e}`).toBe(true));
    }
  });

  it('gives the tensors their own aligned buffers even when the data sits at an odd offset', () => {
    const file = craft({ x: f32(2) }, new Uint8Array(new Float32Array([1.5, -2]).buffer));
    const odd = new Uint8Array(file.length + 1).subarray(1);
    odd.set(file);
    const x = decodeSafetensors(odd, FILE).tensors.get('x') as torch.Tensor;
    expect([...x.data]).toEqual([1.5, -2]);
    expect(x.data.byteOffset).toBe(0);
  });

  const corrupt: [string, () => Uint8Array, string | RegExp][] = [
    ['a file shorter than 8 bytes', () => new Uint8Array(5), 'file is 5 bytes, shorter than the 8-byte header length of a safetensors file'],
    ['a header length beyond the file', () => craft('{}', new Uint8Array(0), 4096n), 'header length 4096 goes beyond the file (10 bytes, so at most 2)'],
    ['a header length of 2^64 − 1', () => craft('{}', new Uint8Array(0), 2n ** 64n - 1n), 'header length 18446744073709551615 goes beyond the file (10 bytes, so at most 2)'],
    ['a header that is not JSON', () => craft('{"x": {"dtype": "F32",'), /^header is not valid JSON \(Expected double-quoted property name in JSON at position 22/] /* V8's wording */,
    ['a header that does not start with {', () => craft('[1, 2]'), `header does not start with '{' (got "[1, 2]")`],
    ['a header that is not UTF-8', () => concat([craft('{}', new Uint8Array(0), 5n).subarray(0, 8), Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x7d)]), 'header is not valid UTF-8'],
    ['an unknown dtype', () => craft({ x: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), `tensor 'x': unknown dtype "F33" (kindling reads F32, I32, U8, BOOL, I64, F64, F16, BF16)`],
    ['a dtype kindling cannot store', () => craft({ x: { dtype: 'I16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), "tensor 'x': dtype I16 is not supported by kindling (supported: F32, I32, U8, BOOL, I64, F64, F16, BF16)"],
    ['a shape that does not match the byte range', () => craft({ x: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20)), "tensor 'x': shape [2, 3] of dtype F32 needs 24 bytes, but data_offsets [0, 20] hold 20"],
    ['a negative dimension', () => craft({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), "tensor 'x': shape must be an array of non-negative integers, got [-1]"],
    ['missing data_offsets', () => craft({ x: { dtype: 'F32', shape: [1] } }, new Uint8Array(4)), "tensor 'x': data_offsets must be two non-negative integers, got nothing"],
    ['a range whose begin is after its end', () => craft({ x: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, new Uint8Array(8)), "tensor 'x': data_offsets [8, 4] are out of order (begin after end)"],
    ['overlapping ranges', () => craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)), "tensors 'a' [0, 8] and 'b' [4, 12] overlap"],
    ['a gap between ranges', () => craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12)), "4 bytes between tensor 'a' (ends at 4) and 'b' (begins at 8) belong to no tensor"],
    ['bytes before the first tensor', () => craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), "4 bytes before the first tensor 'a' belong to no tensor"],
    ['a truncated file', () => craft({ a: f32(4) }, new Uint8Array(10)), "tensor 'a' data_offsets [0, 16] go beyond the 10 bytes of data after the header (file truncated?)"],
    ['trailing garbage', () => craft({ a: f32(1) }, new Uint8Array(7)), '3 trailing bytes after the last tensor (tensor data ends at 4, the file has 7 bytes of data)'],
    ['a tensor entry that is not an object', () => craft({ a: [1, 2] }), "tensor 'a': expected an object with dtype, shape and data_offsets, got an array"],
    ['metadata values that are not strings', () => craft({ __metadata__: { step: 3 } }), "__metadata__ value of 'step' must be a string, got number 3"],
    ['a bool byte other than 0 or 1', () => craft({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, Uint8Array.of(1, 7)), "tensor 'm': bool byte 7 at index 1 is neither 0 nor 1"],
  ];

  it.each(corrupt)('rejects %s, naming the file and the problem', (_, make, what) => {
    const { message } = decodeError(make());
    if (typeof what === 'string') expect(message).toBe(`load: ${FILE}: ${what}`);
    else expect(message.slice(`load: ${FILE}: `.length)).toMatch(what);
  });

  it("recognises PyTorch's own torch.save format and says how to convert it", () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'torch_save.pt'));
    expect(decodeError(bytes).message).toMatch(
      /: header length \d+ goes beyond the file \(\d+ bytes, so at most \d+\); this looks like a PyTorch torch\.save file \(zip\), not safetensors: convert it in Python with `safetensors\.torch\.save_file\(torch\.load\(path\), "model\.safetensors"\)`$/,
    );
  });

  it('accepts ranges listed in any order in the header, as the reference reader does', () => {
    const data = new Uint8Array(new Float32Array([1, 2]).buffer);
    const { tensors } = decodeSafetensors(craft({ b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data), FILE);
    expect(tensors.get('a')?.item()).toBe(1);
    expect(tensors.get('b')?.item()).toBe(2);
  });
});
