/**
 * Element types. kindling has four storage types; `int64`/`long` are aliases of `int32` because
 * JavaScript has no fast 64-bit integer arrays (class indices never need more than 2^31).
 * `bool` is stored as a `Uint8Array` of 0/1.
 */
import { kMaxLength } from 'node:buffer';
import { UNINIT_MIN_ELEMENTS } from './tuning';

export type DType = 'float32' | 'int32' | 'uint8' | 'bool';

export const float32: DType = 'float32';
/** Alias of `float32`, as `torch.float`. */
export const float: DType = 'float32';
export const int32: DType = 'int32';
/** Alias of `int32`, as `torch.int`. */
export const int: DType = 'int32';
/** `int64` is stored as `int32` in kindling (see ARCHITECTURE.md). */
export const int64: DType = 'int32';
/** Alias of `int64` (= `int32`), as `torch.long`. */
export const long: DType = 'int32';
export const uint8: DType = 'uint8';
export const bool: DType = 'bool';

export type TypedArray = Float32Array | Int32Array | Uint8Array;

/** The typed array that stores each dtype. */
export type StorageOf<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'int32'
    ? Int32Array
    : Uint8Array;

const DTYPES: ReadonlySet<string> = new Set(['float32', 'int32', 'uint8', 'bool']);

/** Throws a `TypeError` naming `op` unless `dtype` is one of kindling's dtypes. */
export function checkDType(dtype: unknown, op: string): DType {
  if (typeof dtype !== 'string' || !DTYPES.has(dtype)) {
    throw new TypeError(`${op}: unsupported dtype ${String(dtype)} (expected float32, int32, uint8 or bool)`);
  }
  return dtype as DType;
}

/**
 * The most elements kindling asks one typed array to hold: the engine's limit as Node reports it
 * (`buffer.constants.MAX_LENGTH`, 2^32 on Node 20). Above it the allocation is refused up front
 * with the op and shape named; below it the engine may still refuse (out of memory, or a newer
 * V8 whose limit is in bytes), which `allocate` turns into the same message.
 */
export const MAX_ELEMENTS: number = kMaxLength;

/** Bytes per element of each dtype's storage. */
function bytesPerElement(dtype: DType): number {
  return dtype === 'float32' || dtype === 'int32' ? 4 : 1;
}

/** A count for a message: exact below 10^21, then JS's exponent form (or "over 1e+308"). */
function formatCount(count: bigint): string {
  if (count < 10n ** 21n) return String(count);
  const approx = Number(count);
  return Number.isFinite(approx) ? String(approx) : 'over 1e+308';
}

/**
 * The error for an allocation that cannot be made, naming the op, dtype and shape with the
 * element and byte counts (from BigInt: a product of huge sizes stays exact), then `reason`.
 * Built only on the error path.
 */
export function allocationError(op: string, dtype: DType, n: number, shape: readonly number[] | undefined, reason: string): RangeError {
  const article = dtype === 'int32' ? 'an' : 'a';
  let count: bigint | null = Number.isInteger(n) ? BigInt(n) : null;
  if (shape !== undefined && shape.every((s) => Number.isInteger(s))) count = shape.reduce((a, s) => a * BigInt(s), 1n);
  const sizes =
    count === null ? `${String(n)} elements` : `${formatCount(count)} elements, ${formatCount(count * BigInt(bytesPerElement(dtype)))} bytes`;
  const what = shape === undefined ? `${article} ${dtype} tensor` : `${article} ${dtype} tensor of shape [${shape.join(', ')}]`;
  return new RangeError(`${op}: cannot allocate ${what} (${sizes}): ${reason}`);
}

/** Why an allocation over `MAX_ELEMENTS` is refused. */
const OVER_LIMIT = `more than the ${MAX_ELEMENTS} elements one typed array can hold`;

function describeFailure(e: unknown): string {
  return `the JavaScript engine refused it (${e instanceof Error ? e.message : String(e)})`;
}

/**
 * A zero-filled buffer of `n` elements of `dtype`. `op` and `shape` name the tensor in the
 * `RangeError` thrown when it cannot be allocated (`zeros: cannot allocate a float32 tensor of
 * shape [1000000000, 1000000000] (…)`); pass them wherever `n` comes from user-given sizes.
 */
export function allocate(dtype: DType, n: number, op = 'allocate', shape?: readonly number[]): TypedArray {
  if (n > MAX_ELEMENTS) throw allocationError(op, dtype, n, shape, OVER_LIMIT);
  try {
    switch (dtype) {
      case 'float32':
        return new Float32Array(n);
      case 'int32':
        return new Int32Array(n);
      default:
        return new Uint8Array(n);
    }
  } catch (e) {
    throw allocationError(op, dtype, n, shape, describeFailure(e));
  }
}

export function isFloatingPoint(dtype: DType): boolean {
  return dtype === 'float32';
}

/** PyTorch's name of a dtype, used in error messages and `toString` (`torch.int64` for int32). */
export function torchName(dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return 'torch.float32';
    case 'int32':
      return 'torch.int64';
    case 'uint8':
      return 'torch.uint8';
    default:
      return 'torch.bool';
  }
}

/** PyTorch's scalar-type name (`Float`, `Long`, `Byte`, `Bool`) used in some of its messages. */
export function scalarTypeName(dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return 'Float';
    case 'int32':
      return 'Long';
    case 'uint8':
      return 'Byte';
    default:
      return 'Bool';
  }
}

/**
 * The result dtype of a binary arithmetic op, following PyTorch's type promotion among
 * kindling's dtypes: any float → float32; bool with bool → bool; otherwise int32 beats uint8.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'uint8';
}

/** The dtype of a typed array given to `tensor()`: floats → float32, signed ints → int32, bytes → uint8. */
export function dtypeOfArray(data: ArrayLike<unknown>): DType | null {
  if (data instanceof Float32Array || data instanceof Float64Array) return 'float32';
  if (data instanceof Int32Array || data instanceof Int16Array || data instanceof Int8Array) return 'int32';
  if (data instanceof BigInt64Array || data instanceof Uint16Array || data instanceof Uint32Array) return 'int32';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'uint8';
  return null;
}

/** Converts `src` into a fresh buffer of `dtype` (bool: non-zero → 1; int: truncation toward zero). */
export function castArray(src: TypedArray, dtype: DType): TypedArray {
  const n = src.length;
  switch (dtype) {
    case 'float32':
      return Float32Array.from(src);
    case 'int32': {
      // Int32Array.from truncates toward zero like PyTorch's float → long; NaN becomes 0.
      return Int32Array.from(src);
    }
    case 'uint8': {
      const out = new Uint8Array(n);
      // Wraps modulo 256 like PyTorch's cast to uint8 (negative ints wrap).
      for (let i = 0; i < n; i++) out[i] = Math.trunc(src[i]) & 255;
      return out;
    }
    default: {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
      return out;
    }
  }
}

/** Above this many elements `Buffer.allocUnsafeSlow` refuses (its limit is in bytes); use `allocate`. */
const UNINIT_MAX_ELEMENTS = Math.floor(kMaxLength / 4);

/**
 * A float32 buffer for a kernel OUTPUT that the kernel overwrites entirely (never for anything
 * read before written). Large buffers skip V8's zero-fill (`Buffer.allocUnsafeSlow`: its own
 * backing store, offset 0, GC-owned), which measured 5–40× cheaper than `new Float32Array(n)`
 * at 4K–50K elements, where the zero-fill dominated an op's cost. Small ones stay zeroed.
 * A size that cannot be allocated throws `allocate`'s RangeError naming `op` and `shape` (one
 * comparison on the hot path; the message is built only when it throws).
 */
export function uninitF32(n: number, op = 'allocate', shape?: readonly number[]): Float32Array {
  if (n < UNINIT_MIN_ELEMENTS) return new Float32Array(n);
  if (n > UNINIT_MAX_ELEMENTS) return allocate('float32', n, op, shape) as Float32Array;
  let bytes: Buffer;
  try {
    bytes = Buffer.allocUnsafeSlow(n * 4);
  } catch (e) {
    throw allocationError(op, 'float32', n, shape, describeFailure(e));
  }
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}
