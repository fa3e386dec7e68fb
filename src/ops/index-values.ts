/**
 * Index tensors as the indexing ops read them: dtype checks, the values as JS numbers, and the
 * bounds checks with PyTorch's messages. int64 indices are exact below 2^53 and out of every
 * range above it, so reading them as numbers loses nothing an index can mean.
 */
import type { DType } from '../dtype';
import { Tensor } from '../tensor';

/** PyTorch's C++ names of the dtypes in some messages (`mask with dtype long int`). */
export const C_DTYPE_NAMES: Readonly<Record<DType, string>> = { float32: 'float', int32: 'int', int64: 'long int', uint8: 'unsigned char', bool: 'bool' };

/** Throws `TypeError(${op}(): argument '${role}' must be Tensor, not …)` unless `x` is a Tensor. */
export function checkTensorArg(op: string, x: unknown, role: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    const got = x === null ? 'null' : typeof x === 'object' ? ((x as object).constructor?.name ?? 'object') : typeof x;
    throw new TypeError(`${op}(): argument '${role}' must be Tensor, not ${got}`);
  }
}

/** Whether `t` holds integer indices kindling accepts where PyTorch takes int32 or int64. */
export function isIndexDType(dtype: DType): boolean {
  return dtype === 'int32' || dtype === 'int64';
}

/** The elements of an integer tensor, row-major, as JS numbers. */
export function indexValues(t: Tensor): Float64Array {
  const data = t.data;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/**
 * The values of `index` made non-negative for a dimension of `size` (a negative one counts from
 * the end when `wrap`), as an Int32Array; `outOfRange(value)` makes the error for the first value
 * outside `[0, size)` (or `[-size, size)` when `wrap`).
 */
export function checkedIndices(values: Float64Array, size: number, wrap: boolean, outOfRange: (value: number, position: number) => Error): Int32Array {
  const out = new Int32Array(values.length);
  const low = wrap ? -size : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= low && v < size)) throw outOfRange(v, i);
    out[i] = v < 0 ? v + size : v;
  }
  return out;
}

/** A value for a message: exact for int64 elements of `t` (a bigint prints in full). */
export function indexText(t: Tensor, position: number): string {
  return String(t.data[position]);
}
