/**
 * `torch.prod(input)` and `torch.prod(input, dim, keepdim=False)`. float32 multiplies in float64
 * and rounds once; integer and bool input give int64 (wrapping like PyTorch's int64).
 *
 * Backward follows PyTorch's `prod_backward`, which must not divide by zero:
 * - no zero anywhere in the input: grad · result / x;
 * - otherwise, per slice, grad · (product of the elements before) · (product of those after)
 *   (PyTorch's `prod_safe_zeros_backward`), exact whatever the zeros; for the whole-tensor
 *   product with two or more zeros every gradient is 0, as PyTorch short-cuts it.
 */
import { attach, recording } from '../autograd/function';
import { uninitF32 } from '../dtype';
import { typeName } from '../errors';
import { Tensor } from '../tensor';
import { checkInput, dimOf, reducedShape, splitAt } from './reduce-dims';

export interface ProdOptions {
  keepdim?: boolean;
}

/** keepdim given as a boolean (PyTorch's positional form) or as `{ keepdim }`. */
function keepdimOf(keepdim: unknown): boolean {
  if (keepdim === undefined) return false;
  if (typeof keepdim === 'boolean') return keepdim;
  if (typeof keepdim === 'object' && keepdim !== null) {
    const k = (keepdim as ProdOptions).keepdim;
    if (k === undefined || typeof k === 'boolean') return k ?? false;
    throw new TypeError(`prod(): argument 'keepdim' must be bool, but got ${typeName(k)}`);
  }
  throw new TypeError(`prod(): argument 'keepdim' must be bool or { keepdim }, but got ${typeName(keepdim)}`);
}

/** Products along the middle axis of `(outer, size, inner)`: float64 for float32 input, int64 otherwise. */
function products(x: Tensor, outer: number, size: number, inner: number): Float32Array | BigInt64Array {
  const xv = x.data;
  const n = outer * inner;
  if (x.dtype !== 'float32') {
    const out = new BigInt64Array(n);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = 1n;
        for (let s = 0; s < size; s++) acc = BigInt.asIntN(64, acc * BigInt(xv[(o * size + s) * inner + i]));
        out[o * inner + i] = acc;
      }
    }
    return out;
  }
  const v = xv as Float32Array;
  const out = uninitF32(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 1;
      for (let s = 0; s < size; s++) acc *= v[(o * size + s) * inner + i];
      out[o * inner + i] = acc;
    }
  }
  return out;
}

/**
 * The gradient of products along the middle axis of `(outer, size, inner)` for upstream `g` (one
 * value per product). `safe` selects the prefix·suffix rule, otherwise result / x.
 */
function prodGrad(v: Float32Array, result: Float32Array, g: Float32Array, outer: number, size: number, inner: number, safe: boolean): Float32Array {
  const gradIn = new Float32Array(v.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const r = o * inner + i;
      const at = (s: number): number => (o * size + s) * inner + i;
      if (!safe) {
        for (let s = 0; s < size; s++) gradIn[at(s)] = g[r] * (result[r] / v[at(s)]);
        continue;
      }
      // Exclusive prefix products forward, then multiply by exclusive suffix products backward.
      let prefix = 1;
      for (let s = 0; s < size; s++) {
        gradIn[at(s)] = prefix;
        prefix *= v[at(s)];
      }
      let suffix = 1;
      for (let s = size - 1; s >= 0; s--) {
        gradIn[at(s)] = g[r] * (gradIn[at(s)] * suffix);
        suffix *= v[at(s)];
      }
    }
  }
  return gradIn;
}

function countZeros(v: Float32Array): number {
  let zeros = 0;
  for (let k = 0; k < v.length; k++) if (v[k] === 0) zeros++;
  return zeros;
}

/** `torch.prod(input)` → 0-d; `torch.prod(input, dim, keepdim=False)` (keepdim also as `{ keepdim }`). */
export function prod(input: Tensor, dim?: number, keepdim?: boolean | ProdOptions): Tensor {
  checkInput('prod', input);
  const keep = keepdimOf(keepdim);
  const whole = dim === undefined;
  const rank = input.shape.length;
  const d = whole ? 0 : dimOf('prod', dim, rank);
  // The whole-tensor product is the product along one axis of the flattened tensor.
  const [outer, size, inner] = whole ? [1, input.data.length, 1] : splitAt(input.shape, d);
  const outShape = whole || rank === 0 ? [] : reducedShape(input.shape, [d], keep);
  const values = products(input, outer, size, inner);
  if (values instanceof BigInt64Array) return Tensor._make(values, outShape, 'int64');
  const out = Tensor._make(values, outShape, 'float32');
  if (recording(input)) {
    const v = input.data as Float32Array;
    attach(
      out,
      whole ? 'ProdBackward0' : 'ProdBackward1',
      [input],
      (g) => {
        const gv = g.data as Float32Array;
        if (rank === 0) return [Tensor._make(Float32Array.from(gv), [], 'float32')];
        const zeros = countZeros(v);
        if (whole && zeros > 1) return [Tensor._make(new Float32Array(v.length), input.shape, 'float32')];
        return [Tensor._make(prodGrad(v, values, gv, outer, size, inner, zeros > 0), input.shape, 'float32')];
      },
      [input, out],
    );
  }
  return out;
}
