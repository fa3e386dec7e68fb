/**
 * Vector norms: `torch.linalg.vector_norm(x, ord=2, dim=None, keepdim=False)` and
 * `torch.norm(x, p, dim, keepdim)` / `x.norm(...)` (kindling's default p is 2; `'fro'` is the
 * 2-norm over at most two dims, as `torch.norm` computes it). Any real order: 0 (count of
 * non-zeros), 1, 2, other positive or negative numbers, ±Infinity (max / min of |x|). Summed in
 * float64 and rounded once.
 *
 * Backward is PyTorch's `norm_backward`, case by case: p = 0 has gradient 0; p = 1 is sign(x);
 * p = 2 is x / ‖x‖ with 0 where the norm is 0 (so the 2-norm of zeros has gradient 0, not NaN);
 * ±inf shares the gradient among the elements whose |x| equals the norm (or is NaN); other p are
 * sign(x)·|x|^(p−1) / ‖x‖^(p−1), with PyTorch's zero masks.
 */
import { attach, recording } from '../autograd/function';
import { scalarTypeName } from '../dtype';
import { typeName } from '../errors';
import { numelOf, Tensor } from '../tensor';
import { boolOption, checkInput, dimsOf, outputIndex, reducedCount, reducedShape } from './reduce-dims';

/** A norm order: a number (incl. ±Infinity), or `'fro'` for `norm` (the 2-norm). */
export type NormOrd = number | 'fro';

type DimArg = number | readonly number[] | null | undefined;

/** PyTorch prints orders as Python floats' shortest repr (`inf`, `-1.5`, `2`). */
function ordText(p: number): string {
  return p === Infinity ? 'inf' : p === -Infinity ? '-inf' : String(p);
}

function vectorNormOp(op: string, input: Tensor, p: number, dim: DimArg, keepdimArg: unknown): Tensor {
  if (input.dtype !== 'float32') {
    throw new TypeError(`${op}: Expected a floating point or complex tensor as input. Got ${scalarTypeName(input.dtype)}`);
  }
  const keepdim = boolOption(op, 'keepdim', keepdimArg, false);
  const shape = input.shape;
  const dims = dimsOf(op, shape.length, dim);
  const n = reducedCount(shape, dims);
  const outShape = shape.length === 0 ? [] : reducedShape(shape, dims, keepdim);
  const outN = numelOf(outShape);
  // max/min of nothing has no identity: PyTorch refuses rather than return ∓inf.
  if (n === 0 && outN > 0 && (p < 0 || p === Infinity)) {
    const where =
      dim === undefined || dim === null
        ? 'on an empty tensor because'
        : `on the dimension ${dims.find((d) => shape[d] === 0)} because this dimension is empty and`;
    throw new RangeError(`${op} cannot compute the ${ordText(p)} norm ${where} the operation does not have an identity`);
  }
  const map = outputIndex(shape, dims);
  const xv = input.data as Float32Array;
  const acc = new Float64Array(outN).fill(p === Infinity ? 0 : p === -Infinity ? Infinity : 0);
  for (let k = 0; k < xv.length; k++) {
    const a = Math.abs(xv[k]);
    const j = map[k];
    // NaN propagates through max/min: once acc is NaN no comparison replaces it.
    if (p === Infinity) acc[j] = a > acc[j] || a !== a ? a : acc[j];
    else if (p === -Infinity) acc[j] = a < acc[j] || a !== a ? a : acc[j];
    else if (p === 0) acc[j] += a !== 0 ? 1 : 0;
    else if (p === 1) acc[j] += a;
    else if (p === 2) acc[j] += a * a;
    else acc[j] += a ** p;
  }
  const values = new Float32Array(outN);
  for (let j = 0; j < outN; j++) {
    const s = acc[j];
    values[j] = p === 2 ? Math.sqrt(s) : p === 0 || p === 1 || !Number.isFinite(p) ? s : s ** (1 / p);
  }
  const out = Tensor._make(values, outShape, 'float32');
  if (recording(input)) {
    attach(out, 'LinalgVectorNormBackward0', [input], (g) => [Tensor._make(normGrad(xv, values, g.data as Float32Array, map, p, outN), shape, 'float32')], [input, out]);
  }
  return out;
}

/** PyTorch's `norm_backward` for order `p`, element by element. */
function normGrad(xv: Float32Array, norm: Float32Array, g: Float32Array, map: Int32Array, p: number, outN: number): Float32Array {
  const gradIn = new Float32Array(xv.length);
  if (p === 0) return gradIn;
  let count: Float64Array | null = null;
  if (!Number.isFinite(p)) {
    // How many elements share each extremum (|x| equal to the norm, or NaN).
    count = new Float64Array(outN);
    for (let k = 0; k < xv.length; k++) {
      const a = Math.abs(xv[k]);
      if (a === norm[map[k]] || a !== a) count[map[k]]++;
    }
  }
  for (let k = 0; k < xv.length; k++) {
    const x = xv[k];
    const j = map[k];
    const nj = norm[j];
    const sign = x > 0 ? 1 : x < 0 ? -1 : 0; // PyTorch's sgn: 0 for 0 and for NaN
    const a = Math.abs(x);
    if (p === 1) gradIn[k] = sign * g[j];
    else if (p === 2) gradIn[k] = nj === 0 ? 0 : g[j] * (x / nj);
    else if (count !== null) gradIn[k] = a === nj || a !== a ? sign * (g[j] / count[j]) : sign * 0;
    else if (p < 1) gradIn[k] = (x === 0 ? 0 : sign * a ** (p - 1)) * g[j] * nj ** (1 - p);
    else if (p < 2) gradIn[k] = sign * a ** (p - 1) * (nj === 0 ? 0 : g[j] / nj ** (p - 1));
    else gradIn[k] = x * a ** (p - 2) * (nj === 0 ? 0 : g[j] / nj ** (p - 1));
  }
  return gradIn;
}

function checkOrd(op: string, ord: unknown, argument: string): number {
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new TypeError(`${op}(): argument '${argument}' must be a number (or Infinity), but got ${typeName(ord)}`);
  return ord;
}

/** `torch.linalg.vector_norm(x, ord=2, dim=None, keepdim=False)`. */
export function vectorNorm(input: Tensor, ord = 2, dim?: DimArg, keepdim = false): Tensor {
  checkInput('linalg.vector_norm', input);
  return vectorNormOp('linalg.vector_norm', input, checkOrd('linalg.vector_norm', ord, 'ord'), dim, keepdim);
}

/** `torch.norm(x, p=2, dim=None, keepdim=False)`: a vector norm over `dim` (all elements by default); `'fro'` is the 2-norm. */
export function norm(input: Tensor, p: NormOrd = 2, dim?: DimArg, keepdim = false): Tensor {
  checkInput('norm', input);
  if (p === 'fro') {
    // The Frobenius norm is the 2-norm of the entries; torch.norm allows it over at most 2 dims.
    if (Array.isArray(dim) && dim.length > 2) throw new RangeError(`norm(): p='fro' takes at most 2 dims, but got ${dim.length}`);
    return vectorNormOp('norm', input, 2, dim, keepdim);
  }
  if (typeof p === 'string') throw new RangeError(`norm(): p='${p}' is not supported (expected a number, Infinity, -Infinity or 'fro')`);
  return vectorNormOp('norm', input, checkOrd('norm', p, 'p'), dim, keepdim);
}
