/**
 * Integer arithmetic for int32 and int64 results, exact: int32 wraps at 2^32 as PyTorch's int32
 * C arithmetic does, int64 wraps at 2^64 (`BigInt.asIntN(64, …)`), and nothing goes through
 * float32. Plain TypeScript typed-array loops: integer tensors in a training program are labels,
 * indices and counts (small), and these loops measured fast enough for them (docs/ARCHITECTURE.md,
 * "Integers and dtypes"); the float32 hot path never comes here.
 */
import { type DType, type TypedArray, castArray, scalarTo } from '../dtype';
import { numelOf } from '../tensor';
import { broadcastStrides, gatherStrided, sameShape } from './broadcast';
import { BinaryOp, UnaryOp } from './kernels';

export type IntegerDType = 'int32' | 'int64';
type IntArray = Int32Array | BigInt64Array;

/** The binary ops with an integer result (div is true division: always float32). */
export type IntegerBinaryCode =
  | typeof BinaryOp.add
  | typeof BinaryOp.sub
  | typeof BinaryOp.mul
  | typeof BinaryOp.pow
  | typeof BinaryOp.maximum
  | typeof BinaryOp.minimum;

function ipow32(base: number, e: number): number {
  if (e < 0) return base === 1 ? 1 : base === -1 ? (e % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  let b = base;
  let k = e;
  while (k > 0) {
    if (k & 1) result = Math.imul(result, b);
    b = Math.imul(b, b);
    k = Math.floor(k / 2);
  }
  return result;
}

function ipow64(base: bigint, e: bigint): bigint {
  if (e < 0n) return base === 1n ? 1n : base === -1n ? (e % 2n === 0n ? 1n : -1n) : 0n;
  let result = 1n;
  let b = base;
  let k = e;
  while (k > 0n) {
    if (k & 1n) result = BigInt.asIntN(64, result * b);
    b = BigInt.asIntN(64, b * b);
    k >>= 1n;
  }
  return result;
}

// One plain loop per op over two same-length arrays (a scalar operand is a filled array): a
// branch inside the loop body measured ~4× slower on int32.
function loop32(op: IntegerBinaryCode, a: Int32Array, b: Int32Array, out: Int32Array): void {
  const n = out.length;
  switch (op) {
    case BinaryOp.add:
      for (let i = 0; i < n; i++) out[i] = (a[i] + b[i]) | 0;
      return;
    case BinaryOp.sub:
      for (let i = 0; i < n; i++) out[i] = (a[i] - b[i]) | 0;
      return;
    case BinaryOp.mul:
      for (let i = 0; i < n; i++) out[i] = Math.imul(a[i], b[i]);
      return;
    case BinaryOp.pow:
      for (let i = 0; i < n; i++) out[i] = ipow32(a[i], b[i]);
      return;
    case BinaryOp.maximum:
      for (let i = 0; i < n; i++) out[i] = a[i] > b[i] ? a[i] : b[i];
      return;
    case BinaryOp.minimum:
      for (let i = 0; i < n; i++) out[i] = a[i] < b[i] ? a[i] : b[i];
  }
}

function loop64(op: IntegerBinaryCode, a: BigInt64Array, b: BigInt64Array, out: BigInt64Array): void {
  const n = out.length;
  switch (op) {
    case BinaryOp.add:
      // A BigInt64Array store wraps modulo 2^64 by itself (ToBigInt64).
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      return;
    case BinaryOp.sub:
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      return;
    case BinaryOp.mul:
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      return;
    case BinaryOp.pow:
      for (let i = 0; i < n; i++) out[i] = ipow64(a[i], b[i]);
      return;
    case BinaryOp.maximum:
      for (let i = 0; i < n; i++) out[i] = a[i] > b[i] ? a[i] : b[i];
      return;
    case BinaryOp.minimum:
      for (let i = 0; i < n; i++) out[i] = a[i] < b[i] ? a[i] : b[i];
  }
}

function runLoop(op: IntegerBinaryCode, a: IntArray, b: IntArray): IntArray {
  if (a instanceof Int32Array) {
    const out = new Int32Array(a.length);
    loop32(op, a, b as Int32Array, out);
    return out;
  }
  const out = new BigInt64Array(a.length);
  loop64(op, a, b as BigInt64Array, out);
  return out;
}

/** `values` (of `shape`, any dtype) as a contiguous buffer of `dtype` read as `outShape`. */
function operand(values: TypedArray, valuesDType: DType, shape: readonly number[], outShape: readonly number[], dtype: IntegerDType, op: string): IntArray {
  const same = valuesDType === dtype ? values : castArray(values, dtype, op);
  if (sameShape(shape, outShape)) return same as IntArray;
  const out = (dtype === 'int32' ? new Int32Array(numelOf(outShape)) : new BigInt64Array(numelOf(outShape))) as IntArray;
  gatherStrided(same, outShape, broadcastStrides(shape, outShape), out);
  return out;
}

/** `a op b` for two tensors' values with an integer result `dtype` over the broadcast `outShape`. */
export function integerBinary(
  op: IntegerBinaryCode,
  opName: string,
  a: { data: TypedArray; dtype: DType; shape: readonly number[] },
  b: { data: TypedArray; dtype: DType; shape: readonly number[] },
  outShape: readonly number[],
  dtype: IntegerDType,
): IntArray {
  return runLoop(op, operand(a.data, a.dtype, a.shape, outShape, dtype, opName), operand(b.data, b.dtype, b.shape, outShape, dtype, opName));
}

/**
 * `a op s` (or `s op a` when `reverse`) for a tensor's values and an integral JS number, with an
 * integer result `dtype`. `s` must fit `dtype` (else the RangeError names it), as PyTorch's
 * scalar check; a negative scalar exponent throws PyTorch's error.
 */
export function integerScalar(op: IntegerBinaryCode, opName: string, a: { data: TypedArray; dtype: DType }, s: number, dtype: IntegerDType, reverse = false): IntArray {
  if (op === BinaryOp.pow && s < 0 && !reverse) throw new RangeError(`${opName}: Integers to negative integer powers are not allowed.`);
  const scalar = scalarTo(opName, s, dtype);
  const av = (a.dtype === dtype ? a.data : castArray(a.data, dtype, opName)) as IntArray;
  const n = av.length;
  const sv = dtype === 'int32' ? new Int32Array(n).fill(scalar as number) : new BigInt64Array(n).fill(scalar as bigint);
  return reverse ? runLoop(op, sv, av) : runLoop(op, av, sv);
}

/** The integer unary ops: neg, abs, relu (exact; `abs`/`neg` of the minimum wrap to itself as PyTorch). */
export function integerUnary(op: number, x: IntArray): IntArray {
  const n = x.length;
  if (x instanceof Int32Array) {
    const out = new Int32Array(n);
    if (op === UnaryOp.neg) for (let i = 0; i < n; i++) out[i] = -x[i] | 0;
    else if (op === UnaryOp.abs) for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]) | 0;
    else for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
    return out;
  }
  const out = new BigInt64Array(n);
  if (op === UnaryOp.neg) for (let i = 0; i < n; i++) out[i] = -x[i];
  else if (op === UnaryOp.abs) for (let i = 0; i < n; i++) out[i] = x[i] < 0n ? -x[i] : x[i];
  else for (let i = 0; i < n; i++) out[i] = x[i] > 0n ? x[i] : 0n;
  return out;
}

/** The largest reduced length whose int32 sum stays exact in a double (2^31 · 2^21 = 2^52). */
const EXACT_NUMBER_SUM = 2 ** 21;

/**
 * Sums the middle axis of an `(outer, dim, inner)` view of integer or bool values into int64
 * (PyTorch's `sum` of int32/uint8/bool is int64): exact, wrapping at 2^64 only for int64 input.
 */
export function integerSum(x: Int32Array | BigInt64Array | Uint8Array, outer: number, dim: number, inner: number): BigInt64Array {
  const out = new BigInt64Array(outer * inner);
  if (!(x instanceof BigInt64Array) && dim <= EXACT_NUMBER_SUM) {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = 0;
        for (let k = 0; k < dim; k++) acc += x[(o * dim + k) * inner + i];
        out[o * inner + i] = BigInt(acc);
      }
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0n;
      for (let k = 0; k < dim; k++) acc += BigInt(x[(o * dim + k) * inner + i]);
      out[o * inner + i] = acc;
    }
  }
  return out;
}

/**
 * max/min over the middle axis of an `(outer, dim, inner)` view of integer (or bool) values:
 * exact values of the input's own type and the first index of each extremum.
 */
export function integerArgReduce(
  isMax: boolean,
  x: Int32Array | BigInt64Array | Uint8Array,
  outer: number,
  dim: number,
  inner: number,
): { values: Int32Array | BigInt64Array | Uint8Array; indices: BigInt64Array } {
  const m = outer * inner;
  const values = x instanceof BigInt64Array ? new BigInt64Array(m) : x instanceof Int32Array ? new Int32Array(m) : new Uint8Array(m);
  const indices = new BigInt64Array(m);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = x[o * dim * inner + i];
      let at = 0;
      for (let k = 1; k < dim; k++) {
        const v = x[(o * dim + k) * inner + i];
        if (isMax ? v > best : v < best) {
          best = v;
          at = k;
        }
      }
      values[o * inner + i] = best as never;
      indices[o * inner + i] = BigInt(at);
    }
  }
  return { values, indices };
}
