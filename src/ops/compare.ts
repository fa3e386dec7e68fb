/**
 * Comparisons `eq ne gt lt ge le`: bool results, never differentiable. Plain TypeScript loops
 * (a comparison per element; no native kernel exists for them), with NumPy broadcasting.
 *
 * Like PyTorch, both sides are compared in their promoted dtype: two tensors are cast to
 * `promoteTypes` (int64 vs float32 compares in float32); a float32 tensor against a JS number
 * compares with the number rounded to float32 (`tensor([0.1]).eq(0.1)` is true); an integer
 * tensor against an integral number compares exactly (int64 values above 2^53 included), against
 * a fraction in float32.
 */
import { isTracing, tracedOp } from '../autograd/trace';
import { allocate, castArray, type DType, promoteTypes, type TypedArray } from '../dtype';
import { Tensor, numelOf, type TensorOrScalar } from '../tensor';
import { broadcastShapes, broadcastStrides, gatherStrided, sameShape } from './broadcast';
import { f32 } from './elementwise';

type Compare = (a: number | bigint, b: number | bigint) => boolean;

function valuesAs(op: string, x: Tensor, dtype: DType, shape: readonly number[]): TypedArray {
  const own = x.dtype === dtype ? x.data : castArray(x.data, dtype, op);
  if (sameShape(x.shape, shape)) return own;
  const out = allocate(dtype, numelOf(shape), op, shape);
  gatherStrided(own, shape, broadcastStrides(x.shape, shape), out);
  return out;
}

function compare(op: string, a: Tensor, b: TensorOrScalar, fn: Compare): Tensor {
  const out = compareValues(op, a, b, fn);
  // No autograd node: the ONNX tracer is told directly, so a mask made from the input stays in the graph.
  if (isTracing()) tracedOp(out, op, [a, b instanceof Tensor ? b : null], { other: b });
  return out;
}

function compareValues(op: string, a: Tensor, b: TensorOrScalar, fn: Compare): Tensor {
  if (!(a instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor`);
  if (typeof b === 'number') {
    const n = a.data.length;
    const out = new Uint8Array(n);
    const exact = a.dtype !== 'float32' && Number.isInteger(b);
    const av = exact ? a.data : f32(a);
    const s = exact ? b : Math.fround(b);
    for (let i = 0; i < n; i++) out[i] = fn(av[i], s) ? 1 : 0;
    return Tensor._make(out, a.shape, 'bool');
  }
  if (!(b instanceof Tensor)) throw new TypeError(`${op}(): argument 'other' must be Tensor or Number`);
  const shape = broadcastShapes(a.shape, b.shape);
  const dtype = promoteTypes(a.dtype, b.dtype);
  const av = valuesAs(op, a, dtype, shape);
  const bv = valuesAs(op, b, dtype, shape);
  const n = av.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = fn(av[i], bv[i]) ? 1 : 0;
  return Tensor._make(out, shape, 'bool');
}

// Loose equality: exact between a bigint and a number (`2n ** 60n == 2 ** 60`), strict otherwise.
export const eq = (a: Tensor, b: TensorOrScalar): Tensor => compare('eq', a, b, (x, y) => x == y);
export const ne = (a: Tensor, b: TensorOrScalar): Tensor => compare('ne', a, b, (x, y) => x != y);
export const gt = (a: Tensor, b: TensorOrScalar): Tensor => compare('gt', a, b, (x, y) => x > y);
export const lt = (a: Tensor, b: TensorOrScalar): Tensor => compare('lt', a, b, (x, y) => x < y);
export const ge = (a: Tensor, b: TensorOrScalar): Tensor => compare('ge', a, b, (x, y) => x >= y);
export const le = (a: Tensor, b: TensorOrScalar): Tensor => compare('le', a, b, (x, y) => x <= y);
