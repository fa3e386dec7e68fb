/**
 * Comparisons `eq ne gt lt ge le`: bool results, never differentiable. Plain TypeScript loops
 * (a comparison per element; no native kernel exists for them), with NumPy broadcasting.
 */
import { allocate, type TypedArray } from '../dtype';
import { Tensor, numelOf, type TensorOrScalar } from '../tensor';
import { broadcastShapes, broadcastStrides, gatherStrided, sameShape } from './broadcast';

type Compare = (a: number, b: number) => boolean;

function expandTo(op: string, x: Tensor, shape: readonly number[]): TypedArray {
  if (sameShape(x.shape, shape)) return x.data;
  const out = allocate(x.dtype, numelOf(shape), op, shape);
  gatherStrided(x.data, shape, broadcastStrides(x.shape, shape), out);
  return out;
}

function compare(op: string, a: Tensor, b: TensorOrScalar, fn: Compare): Tensor {
  if (!(a instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor`);
  if (typeof b === 'number') {
    const n = a.data.length;
    const out = new Uint8Array(n);
    const av = a.data;
    for (let i = 0; i < n; i++) out[i] = fn(av[i], b) ? 1 : 0;
    return Tensor._make(out, a.shape, 'bool');
  }
  if (!(b instanceof Tensor)) throw new TypeError(`${op}(): argument 'other' must be Tensor or Number`);
  const shape = broadcastShapes(a.shape, b.shape);
  const av = expandTo(op, a, shape);
  const bv = expandTo(op, b, shape);
  const n = av.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = fn(av[i], bv[i]) ? 1 : 0;
  return Tensor._make(out, shape, 'bool');
}

export const eq = (a: Tensor, b: TensorOrScalar): Tensor => compare('eq', a, b, (x, y) => x === y);
export const ne = (a: Tensor, b: TensorOrScalar): Tensor => compare('ne', a, b, (x, y) => x !== y);
export const gt = (a: Tensor, b: TensorOrScalar): Tensor => compare('gt', a, b, (x, y) => x > y);
export const lt = (a: Tensor, b: TensorOrScalar): Tensor => compare('lt', a, b, (x, y) => x < y);
export const ge = (a: Tensor, b: TensorOrScalar): Tensor => compare('ge', a, b, (x, y) => x >= y);
export const le = (a: Tensor, b: TensorOrScalar): Tensor => compare('le', a, b, (x, y) => x <= y);
