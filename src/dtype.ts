/**
 * Element types. kindling has five storage types: `float32` (`Float32Array`), `int32`
 * (`Int32Array`), `int64` (`BigInt64Array`, PyTorch's default integer type: `torch.long`),
 * `uint8` (`Uint8Array`) and `bool` (a `Uint8Array` of 0/1). There is no float64 dtype.
 *
 * The rules (docs/ARCHITECTURE.md, "Integers and dtypes"): a dtype is inferred from a value's JS
 * type, never from its value (`number` → float32, `bigint` → int64, `boolean` → bool); integers
 * are exact or refused (a value that does not fit its dtype is a RangeError naming it).
 */
import { kMaxLength } from 'node:buffer';
import { RECYCLE_MAX_BUFFERS, RECYCLE_MAX_BYTES, RECYCLE_MIN_ELEMENTS, UNINIT_MIN_ELEMENTS } from './tuning';

export type DType = 'float32' | 'int32' | 'int64' | 'uint8' | 'bool';

export const float32: DType = 'float32';
/** Alias of `float32`, as `torch.float`. */
export const float: DType = 'float32';
export const int32: DType = 'int32';
/** Alias of `int32`, as `torch.int`. */
export const int: DType = 'int32';
/** 64-bit integers on a `BigInt64Array` (PyTorch's default integer dtype). */
export const int64: DType = 'int64';
/** Alias of `int64`, as `torch.long`. */
export const long: DType = 'int64';
export const uint8: DType = 'uint8';
export const bool: DType = 'bool';

export type TypedArray = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** The typed array that stores each dtype. */
export type StorageOf<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'int32'
    ? Int32Array
    : D extends 'int64'
      ? BigInt64Array
      : Uint8Array;

const DTYPES: ReadonlySet<string> = new Set(['float32', 'int32', 'int64', 'uint8', 'bool']);

/** Throws a `TypeError` naming `op` unless `dtype` is one of kindling's dtypes. */
export function checkDType(dtype: unknown, op: string): DType {
  if (typeof dtype !== 'string' || !DTYPES.has(dtype)) {
    throw new TypeError(`${op}: unsupported dtype ${String(dtype)} (expected float32, int32, int64, uint8 or bool)`);
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
  return dtype === 'int64' ? 8 : dtype === 'float32' || dtype === 'int32' ? 4 : 1;
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
  const article = dtype === 'int32' || dtype === 'int64' ? 'an' : 'a';
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
      case 'int64':
        return new BigInt64Array(n);
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

/** PyTorch's name of a dtype, used in error messages and `toString`. */
export function torchName(dtype: DType): string {
  return `torch.${dtype}`;
}

const SCALAR_TYPE_NAMES: Readonly<Record<DType, string>> = { float32: 'Float', int32: 'Int', int64: 'Long', uint8: 'Byte', bool: 'Bool' };

/** PyTorch's scalar-type name (`Float`, `Int`, `Long`, `Byte`, `Bool`) used in some of its messages. */
export function scalarTypeName(dtype: DType): string {
  return SCALAR_TYPE_NAMES[dtype];
}

export function isIntegral(dtype: DType): boolean {
  return dtype === 'int32' || dtype === 'int64' || dtype === 'uint8';
}

/**
 * The result dtype of a binary op on two tensors, following PyTorch's type promotion among
 * kindling's dtypes: float32 beats every integer type; among integers int64 > int32 > uint8 > bool.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int64' || b === 'int64') return 'int64';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'uint8';
}

/**
 * PyTorch's `can_cast(from, to)`, the rule of in-place ops and `out=`: a result may be written
 * into a tensor of the same kind or a higher one (bool < integer < float), never downwards.
 */
export function canCast(from: DType, to: DType): boolean {
  const kind = (d: DType): number => (d === 'bool' ? 0 : d === 'float32' ? 2 : 1);
  return kind(from) <= kind(to);
}

/**
 * The dtype of a typed array given to `tensor()`, by its type: Float32/Float64 → float32 (there
 * is no float64 dtype), Int32/Int16/Int8/Uint16 → int32 (every value fits), BigInt64 → int64,
 * Uint8/Uint8Clamped → uint8. Uint32Array and BigUint64Array hold values no signed type of the
 * same width holds: Uint32 → int64 (exact), BigUint64 is refused (null).
 */
export function dtypeOfArray(data: ArrayLike<unknown>): DType | null {
  if (data instanceof Float32Array || data instanceof Float64Array) return 'float32';
  if (data instanceof Int32Array || data instanceof Int16Array || data instanceof Int8Array || data instanceof Uint16Array) return 'int32';
  if (data instanceof BigInt64Array || data instanceof Uint32Array) return 'int64';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'uint8';
  return null;
}

/** The C type PyTorch names in its overflow message. */
const C_TYPES: Readonly<Record<DType, string>> = { float32: 'float', int32: 'int32_t', int64: 'int64_t', uint8: 'uint8_t', bool: 'bool' };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** PyTorch's overflow error, naming the op and the value: `tensor: value 3000000000 cannot be converted to type int32_t without overflow`. */
export function overflowError(op: string, value: number | bigint, dtype: DType): RangeError {
  return new RangeError(`${op}: value ${String(value)} cannot be converted to type ${C_TYPES[dtype]} without overflow`);
}

/**
 * A JS value converted to an element of `dtype` (the number or bigint to store), or a RangeError
 * naming it when it does not fit: NaN/±inf or a value outside the range for int32/int64, outside
 * [-255, 255] for uint8 (negatives wrap, as PyTorch's scalar check allows). Fractions truncate
 * toward zero; bool stores non-zero (and NaN) as 1.
 */
export function scalarTo(op: string, value: number | bigint | boolean, dtype: DType): number | bigint {
  if (typeof value === 'boolean') return dtype === 'int64' ? BigInt(value) : Number(value);
  switch (dtype) {
    case 'float32':
      return Number(value);
    case 'bool':
      return value !== 0 && value !== 0n ? 1 : 0;
    case 'int64': {
      if (typeof value === 'bigint') {
        if (value < INT64_MIN || value > INT64_MAX) throw overflowError(op, value, dtype);
        return value;
      }
      const t = Math.trunc(value);
      if (!(t >= -(2 ** 63) && t < 2 ** 63)) throw overflowError(op, value, dtype);
      return BigInt(t);
    }
    case 'int32': {
      const t = typeof value === 'bigint' ? value : Math.trunc(value);
      if (!(t >= -2147483648 && t <= 2147483647)) throw overflowError(op, value, dtype);
      return Number(t);
    }
    default: {
      const t = typeof value === 'bigint' ? value : Math.trunc(value);
      if (!(t >= -255 && t <= 255)) throw overflowError(op, value, dtype);
      return Number(t) & 255;
    }
  }
}

/**
 * Converts `src` into a fresh buffer of `dtype`. Exact or refused: float → int32/int64 truncates
 * toward zero and throws `overflowError` for NaN, ±inf or a value outside the target's range
 * (where PyTorch's C cast is undefined); int64 → int32 throws for a value outside int32;
 * → uint8 wraps modulo 256 like PyTorch (floats truncate first; NaN/±inf throw);
 * → bool is non-zero (NaN is true); int64 → float32 rounds to nearest, as PyTorch.
 */
export function castArray(src: TypedArray, dtype: DType, op = 'to'): TypedArray {
  const n = src.length;
  if (src instanceof BigInt64Array) return castFromInt64(src, dtype, op);
  switch (dtype) {
    case 'float32':
      return Float32Array.from(src as Float32Array);
    case 'int32': {
      if (src instanceof Float32Array) {
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const t = Math.trunc(src[i]);
          if (!(t >= -2147483648 && t <= 2147483647)) throw overflowError(op, src[i], dtype);
          out[i] = t;
        }
        return out;
      }
      return Int32Array.from(src as Int32Array);
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const t = Math.trunc(src[i]);
        if (!(t >= -(2 ** 63) && t < 2 ** 63)) throw overflowError(op, src[i], dtype);
        out[i] = BigInt(t);
      }
      return out;
    }
    case 'uint8': {
      const out = new Uint8Array(n);
      if (src instanceof Float32Array) {
        for (let i = 0; i < n; i++) {
          const t = Math.trunc(src[i]);
          if (!(t >= -(2 ** 63) && t < 2 ** 63)) throw overflowError(op, src[i], dtype);
          // Float → uint8 goes through int64 in PyTorch; the wrap is that of the low byte.
          out[i] = Math.abs(t) < 2 ** 53 ? t & 255 : Number(BigInt.asUintN(8, BigInt(t)));
        }
        return out;
      }
      for (let i = 0; i < n; i++) out[i] = src[i] & 255;
      return out;
    }
    default: {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
      return out;
    }
  }
}

function castFromInt64(src: BigInt64Array, dtype: DType, op: string): TypedArray {
  const n = src.length;
  switch (dtype) {
    case 'int64':
      return src.slice();
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(src[i]);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        if (v < -2147483648n || v > 2147483647n) throw overflowError(op, v, dtype);
        out[i] = Number(v);
      }
      return out;
    }
    case 'uint8': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(BigInt.asUintN(8, src[i]));
      return out;
    }
    default: {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0n ? 1 : 0;
      return out;
    }
  }
}

/** An int64 element as a JS number, or a RangeError naming it when it is not exact as one (|v| > 2^53 − 1). */
export function int64ToNumber(op: string, v: bigint): number {
  if (v > 9007199254740991n || v < -9007199254740991n) {
    throw new RangeError(`${op}: int64 value ${v} is not exactly representable as a JS number (|v| > 2^53 - 1); use itemBigInt()`);
  }
  return Number(v);
}

/**
 * Dead gradient buffers that the autograd engine handed back (`recycleF32`), newest last, for
 * `uninitF32` to return instead of a new buffer of the same length. NOTE [ Gradients written in
 * place ] in docs/PERFORMANCE.md.
 */
const spare: Float32Array[] = [];
let spareBytes = 0;

/**
 * Keeps `buf` for a later `uninitF32` of its length: only for a buffer nothing can reach any more
 * (the engine's rule: a gradient it alone held, consumed by its node and not passed on). Only
 * large buffers with their own backing store are kept, at most `RECYCLE_MAX_BUFFERS` and
 * `RECYCLE_MAX_BYTES` (the oldest are dropped to the GC).
 */
export function recycleF32(buf: Float32Array): void {
  if (buf.length < RECYCLE_MIN_ELEMENTS || buf.byteLength > RECYCLE_MAX_BYTES) return;
  if (!isWholeBuffer(buf) || spare.includes(buf)) return;
  spare.push(buf);
  spareBytes += buf.byteLength;
  while (spare.length > RECYCLE_MAX_BUFFERS || spareBytes > RECYCLE_MAX_BYTES) spareBytes -= (spare.shift() as Float32Array).byteLength;
}

/** Whether `data` spans its whole backing store (its own buffer, not a view into a larger one). */
export function isWholeBuffer(data: TypedArray): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}

/** @internal For tests: how many buffers `recycleF32` holds. */
export function spareF32Count(): number {
  return spare.length;
}

/** @internal For tests: empties the spare list, returning the buffers it held. */
export function takeSpareF32(): Float32Array[] {
  spareBytes = 0;
  return spare.splice(0, spare.length);
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
  if (n >= RECYCLE_MIN_ELEMENTS) {
    for (let i = spare.length - 1; i >= 0; i--) {
      const buf = spare[i];
      if (buf.length === n) {
        spare.splice(i, 1);
        spareBytes -= buf.byteLength;
        return buf;
      }
    }
  }
  let bytes: Buffer;
  try {
    bytes = Buffer.allocUnsafeSlow(n * 4);
  } catch (e) {
    throw allocationError(op, 'float32', n, shape, describeFailure(e));
  }
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}
