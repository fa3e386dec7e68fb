/**
 * The safetensors format (https://huggingface.co/docs/safetensors), byte for byte as the
 * reference implementation (`safetensors` 0.8, Rust core of the Python package) writes it:
 *
 *   [8 bytes]  N, the header length, unsigned 64-bit little-endian
 *   [N bytes]  JSON header: `{"__metadata__": {string: string}, name: {"dtype", "shape",
 *              "data_offsets": [begin, end]}, …}`, compact, padded with spaces to a multiple of 8
 *   [rest]     the tensors' bytes, little-endian, row-major; offsets are relative to this part
 *
 * Tensors are laid out sorted by dtype (descending in the format's dtype order: F32, I32, U8,
 * BOOL) and then by name, back to back with no gaps; the header lists `__metadata__` first and the
 * tensors in that same order. Reading checks everything a corrupt or truncated file can get wrong
 * and names it (see `decodeSafetensors`).
 */
import { type DType, type TypedArray, allocate } from '../dtype';
import { Tensor, numelOf } from '../tensor';
import { CheckpointError } from './errors';

/** The reference implementation refuses headers above 100 MB; so does kindling. */
export const MAX_HEADER_SIZE = 100_000_000;

/** kindling dtype → safetensors dtype, and its rank in the format's dtype order (for sorting). */
const WRITE_DTYPE: Record<DType, { name: string; rank: number }> = {
  float32: { name: 'F32', rank: 15 },
  int32: { name: 'I32', rank: 13 },
  int64: { name: 'I64', rank: 17 },
  uint8: { name: 'U8', rank: 4 },
  bool: { name: 'BOOL', rank: 0 },
};

/** Safetensors dtypes kindling reads, with their element size and the kindling dtype they become. */
const READ_DTYPE: Record<string, { bytes: number; dtype: DType }> = {
  F32: { bytes: 4, dtype: 'float32' },
  I32: { bytes: 4, dtype: 'int32' },
  U8: { bytes: 1, dtype: 'uint8' },
  BOOL: { bytes: 1, dtype: 'bool' },
  // torch.int64 (labels, BatchNorm's num_batches_tracked): kindling's int64, exactly.
  I64: { bytes: 8, dtype: 'int64' },
  // Other float widths (model.half(), bfloat16 checkpoints, float64) become float32, as PyTorch's
  // load_state_dict casts them into float32 parameters. F16/BF16 → F32 is exact; F64 rounds.
  F64: { bytes: 8, dtype: 'float32' },
  F16: { bytes: 2, dtype: 'float32' },
  BF16: { bytes: 2, dtype: 'float32' },
};

/** The format's other dtypes: known, but kindling has no storage for them. */
const OTHER_FORMAT_DTYPES = new Set([
  'F4', 'F6_E2M3', 'F6_E3M2', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'I16', 'U16', 'U32', 'C64', 'U64',
]);

/** The parts of a safetensors file, ready to be written one after the other. */
export interface EncodedSafetensors {
  header: Uint8Array;
  /** Tensor bytes in file order (views of the tensors' own buffers, not copies). */
  chunks: Uint8Array[];
  /** Total file length in bytes. */
  byteLength: number;
}

function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Lays out `tensors` as a safetensors file with `metadata` in its header (`null`: no
 * `__metadata__`). Throws a `TypeError` naming the key of a value that is not a Tensor.
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, Tensor>,
  metadata: Readonly<Record<string, string>> | null,
): EncodedSafetensors {
  const entries = [...tensors.entries()];
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new TypeError(`save: the value of '${name}' is not a Tensor`);
    if (name === '__metadata__') throw new RangeError("save: a tensor cannot be named '__metadata__' (the format reserves that key)");
  }
  // The reference writer's order: dtype descending, then name (UTF-8 byte order = code point order).
  entries.sort(([an, a], [bn, b]) => {
    const byDtype = WRITE_DTYPE[b.dtype].rank - WRITE_DTYPE[a.dtype].rank;
    if (byDtype !== 0) return byDtype;
    return compareCodePoints(an, bn);
  });
  const header: Record<string, unknown> = {};
  if (metadata !== null) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = bytesOf(t.data);
    header[name] = { dtype: WRITE_DTYPE[t.dtype].name, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const headerBytes = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(headerBytes.buffer).setBigUint64(0, BigInt(padded), true);
  headerBytes.set(json, 8);
  return { header: headerBytes, chunks, byteLength: headerBytes.length + offset };
}

function compareCodePoints(a: string, b: string): number {
  // JS compares UTF-16 code units; for names outside the BMP that differs from Rust's byte order.
  const ea = Buffer.from(a, 'utf8');
  const eb = Buffer.from(b, 'utf8');
  return Buffer.compare(ea, eb);
}

/** What a safetensors file holds: tensors in the order Python's `load_file` lists them (by name). */
export interface DecodedSafetensors {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string> | null;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Reads a safetensors file from `bytes`; `path` is only used in error messages. Every problem is
 * a `CheckpointError` naming the file and what is wrong: a file shorter than 8 bytes, a header
 * length beyond the file, a header that is not UTF-8 JSON of the right form, an unknown or
 * unsupported dtype, a shape that does not match its byte range, ranges that are out of order,
 * overlap, leave gaps or go beyond the file, and bytes after the last tensor.
 */
export function decodeSafetensors(bytes: Uint8Array, path: string): DecodedSafetensors {
  const fail = (what: string): never => {
    throw new CheckpointError('load', path, what);
  };
  if (bytes.length < 8) {
    fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length of a safetensors file`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    fail(`header length ${headerLength} goes beyond the file (${bytes.length} bytes, so at most ${bytes.length - 8})${pickleHint(bytes)}`);
  }
  const n = Number(headerLength);
  if (n > MAX_HEADER_SIZE) fail(`header length ${n} is above the limit of ${MAX_HEADER_SIZE} bytes`);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header does not start with '{' (got ${JSON.stringify(text.slice(0, 20))})`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');

  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = readMetadata(value, fail);
      continue;
    }
    entries.push(readEntry(name, value, fail));
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  // Ranges must tile the data exactly, in some order: sort by begin and walk.
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | null = null;
  for (const e of ordered) {
    if (e.end > dataLength) {
      fail(
        `tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] go beyond the ${dataLength} bytes of data ` +
          `after the header (file truncated?)`,
      );
    }
    if (e.begin < cursor) {
      const p = previous as Entry;
      fail(`tensors '${p.name}' [${p.begin}, ${p.end}] and '${e.name}' [${e.begin}, ${e.end}] overlap`);
    }
    if (e.begin > cursor) {
      fail(
        previous === null
          ? `${e.begin} bytes before the first tensor '${e.name}' belong to no tensor`
          : `${e.begin - cursor} bytes between tensor '${previous.name}' (ends at ${cursor}) and ` +
              `'${e.name}' (begins at ${e.begin}) belong to no tensor`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    fail(`${dataLength - cursor} trailing bytes after the last tensor (tensor data ends at ${cursor}, the file has ${dataLength} bytes of data)`);
  }

  const tensors = new Map<string, Tensor>();
  entries.sort((a, b) => compareCodePoints(a.name, b.name));
  for (const e of entries) {
    tensors.set(e.name, toTensor(e, bytes.subarray(dataStart + e.begin, dataStart + e.end), fail));
  }
  return { tensors, metadata };
}

/** PyTorch's own `torch.save` files (a zip, or a bare pickle) are the likeliest wrong input. */
function pickleHint(bytes: Uint8Array): string {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const pickle = bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
  if (!zip && !pickle) return '';
  return (
    `; this looks like a PyTorch torch.save file (${zip ? 'zip' : 'pickle'}), not safetensors: convert it in Python with ` +
    '`safetensors.torch.save_file(torch.load(path), "model.safetensors")`'
  );
}

function readMetadata(value: unknown, fail: (what: string) => never): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`__metadata__ must be an object of strings, got ${describe(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`__metadata__ value of '${k}' must be a string, got ${describe(v)}`);
    out[k] = v as string;
  }
  return out;
}

function readEntry(name: string, value: unknown, fail: (what: string) => never): Entry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`tensor '${name}': expected an object with dtype, shape and data_offsets, got ${describe(value)}`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`tensor '${name}': dtype must be a string, got ${describe(dtype)}`);
  const d = dtype as string;
  if (!(d in READ_DTYPE)) {
    const supported = Object.keys(READ_DTYPE).join(', ');
    if (OTHER_FORMAT_DTYPES.has(d)) fail(`tensor '${name}': dtype ${d} is not supported by kindling (supported: ${supported})`);
    fail(`tensor '${name}': unknown dtype ${JSON.stringify(d)} (kindling reads ${supported})`);
  }
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    fail(`tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape) ?? 'nothing'}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  ) {
    fail(`tensor '${name}': data_offsets must be two non-negative integers, got ${JSON.stringify(offsets) ?? 'nothing'}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`tensor '${name}': data_offsets [${begin}, ${end}] are out of order (begin after end)`);
  const dims = shape as number[];
  const expected = numelOf(dims) * READ_DTYPE[d].bytes;
  if (expected !== end - begin) {
    fail(
      `tensor '${name}': shape [${dims.join(', ')}] of dtype ${d} needs ${expected} bytes, ` +
        `but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype: d, shape: dims, begin, end };
}

function toTensor(e: Entry, raw: Uint8Array, fail: (what: string) => never): Tensor {
  const { dtype } = READ_DTYPE[e.dtype];
  const count = numelOf(e.shape);
  if (e.dtype === 'F64' || e.dtype === 'F16' || e.dtype === 'BF16') {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float32Array(count);
    if (e.dtype === 'F64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
    else if (e.dtype === 'F16') for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    else {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
    }
    return new Tensor(out, e.shape, dtype);
  }
  if (e.dtype === 'BOOL') {
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] > 1) fail(`tensor '${e.name}': bool byte ${raw[i]} at index ${i} is neither 0 nor 1`);
    }
  }
  // A copy into a fresh, aligned buffer the tensor owns (the file's bytes may sit at any offset).
  const data = allocate(dtype, count, 'load', e.shape);
  new Uint8Array(data.buffer).set(raw);
  return new Tensor(data, e.shape, dtype);
}

/** IEEE 754 binary16 bits → number (exact: every half is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
