/**
 * Reductions: sum, mean (over all or some dims, keepdim), max/min (all → tensor; dim →
 * `{ values, indices }`), argmax/argmin. The native kernels reduce the middle axis of an
 * `(outer, dim, inner)` view, so a run of adjacent dims is one call; scattered dims reduce one at a time.
 */
import { isTracing, traced } from '../autograd/trace';
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { castArray, scalarTypeName, type TypedArray, uninitF32 } from '../dtype';
import { normalizeDim } from '../errors';
import { Tensor, numelOf, type ValuesIndices } from '../tensor';
import { broadcastStrides } from './broadcast';
import { scale } from './elementwise';
import { integerArgReduce, integerSum } from './integer';
import { ArgReduceOp, ReduceOp, kernels } from './kernels';
import { gather } from './shape';

/** Sorted, de-duplicated, normalized reduction dims (all dims when `dim` is undefined or empty). */
function reductionDims(op: string, x: Tensor, dim: number | readonly number[] | undefined): number[] {
  const rank = x.shape.length;
  if (dim === undefined || (Array.isArray(dim) && dim.length === 0)) return x.shape.map((_, i) => i);
  const list: readonly number[] = Array.isArray(dim) ? dim : [dim as number];
  const out = list.map((d) => normalizeDim(d, rank, op));
  const unique = new Set(out);
  if (unique.size !== out.length) {
    throw new RangeError(`${op}: dim ${out.find((d, i) => out.indexOf(d) !== i)} appears multiple times in the list of dims`);
  }
  // A 0-d tensor accepts dim 0 / -1 but has no axis to reduce.
  return rank === 0 ? [] : out.sort((a, b) => a - b);
}

function keptShape(shape: readonly number[], reduced: readonly number[]): number[] {
  return shape.map((s, i) => (reduced.includes(i) ? 1 : s));
}

function outShapeOf(shape: readonly number[], reduced: readonly number[], keepdim: boolean): number[] {
  return keepdim ? keptShape(shape, reduced) : shape.filter((_, i) => !reduced.includes(i));
}

/** Runs the sum/mean kernel over `reduced` dims of the f32 values `xv` of `shape`. */
function reduceRaw(op: number, xv: Float32Array, shape: readonly number[], reduced: readonly number[]): Float32Array {
  if (reduced.length === 0) return xv.slice(); // nothing to reduce: still a fresh buffer
  let current = xv;
  let curShape = shape.slice();
  // Group adjacent dims into runs; each run is one kernel call. Go from the last run backwards so
  // earlier dims keep their positions.
  let i = reduced.length - 1;
  while (i >= 0) {
    let start = reduced[i];
    const end = reduced[i];
    while (i > 0 && reduced[i - 1] === start - 1) {
      i--;
      start = reduced[i];
    }
    i--;
    const outer = numelOf(curShape.slice(0, start));
    const dim = numelOf(curShape.slice(start, end + 1));
    const inner = numelOf(curShape.slice(end + 1));
    const out = uninitF32(outer * inner);
    kernels.reduce(op, current, outer, dim, inner, out);
    current = out;
    curShape = [...curShape.slice(0, start), 1, ...curShape.slice(end + 1)];
  }
  return current;
}

/** Broadcasts a reduced gradient back over the input shape (the backward of sum/mean). */
function expandGrad(g: Tensor, keepShape: readonly number[], inShape: readonly number[]): Tensor {
  const gKeep = Tensor._make(g.data, keepShape, 'float32');
  return gather(gKeep, inShape, Array.from(broadcastStrides(keepShape, inShape)));
}

function sumOrMean(opName: 'sum' | 'mean', x: Tensor, dim: number | readonly number[] | undefined, keepdim: boolean): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${opName}(): argument 'input' must be Tensor`);
  if (opName === 'mean' && x.dtype !== 'float32') {
    throw new TypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(x.dtype)}`,
    );
  }
  const reduced = reductionDims(opName, x, dim);
  const outShape = outShapeOf(x.shape, reduced, keepdim);
  if (x.dtype !== 'float32') return Tensor._make(integerSumOver(x, reduced), outShape, 'int64');
  const out = Tensor._make(reduceRaw(opName === 'sum' ? ReduceOp.sum : ReduceOp.mean, x.data as Float32Array, x.shape, reduced), outShape, 'float32');
  if (isTracing()) traced(out, { dims: reduced, keepdim });
  if (recording(x)) {
    const all = dim === undefined;
    const name = (opName === 'sum' ? 'SumBackward' : 'MeanBackward') + (all ? '0' : '1');
    const inShape = x.shape;
    const keep = keptShape(inShape, reduced);
    let count = 1;
    for (const d of reduced) count *= inShape[d];
    attach(out, name, [x], (g) => {
      const expanded = expandGrad(g, keep, inShape);
      return [opName === 'mean' ? scale(expanded, 1 / count) : expanded];
    }, SAVES_NOTHING);
  }
  return out;
}

/**
 * The exact int64 sum of an integer or bool tensor over `reduced` dims (PyTorch's `sum` of
 * int32/uint8/bool is int64), one dim at a time from the last (the partial sums are int64 too).
 */
function integerSumOver(x: Tensor, reduced: readonly number[]): BigInt64Array {
  let values = x.data as Int32Array | BigInt64Array | Uint8Array;
  if (reduced.length === 0) return integerSum(values, values.length, 1, 1);
  let shape = x.shape.slice();
  for (let k = reduced.length - 1; k >= 0; k--) {
    const d = reduced[k];
    const [outer, size, inner] = split(shape, d);
    values = integerSum(values, outer, size, inner);
    shape = [...shape.slice(0, d), 1, ...shape.slice(d + 1)];
  }
  return values as BigInt64Array;
}

/** `torch.sum(x, dim?, keepdim=false)`: over all elements, or over `dim` (a number or a list); int64 for integer and bool input. */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return sumOrMean('sum', x, dim, keepdim);
}

/** `torch.mean(x, dim?, keepdim=false)` (float32 input only, as PyTorch). */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return sumOrMean('mean', x, dim, keepdim);
}

/** `(outer, dim, inner)` around dimension `d` of `shape`. */
function split(shape: readonly number[], d: number): [number, number, number] {
  return [numelOf(shape.slice(0, d)), shape[d] ?? 1, numelOf(shape.slice(d + 1))];
}

/**
 * The extremum and its first index along `d` (all elements when null): float32 input through
 * the native kernel, integer and bool input exactly in TypeScript. Indices are int64, as PyTorch.
 */
function argReduce(op: 'max' | 'min', x: Tensor, d: number | null): { values: TypedArray; indices: BigInt64Array } {
  const [outer, size, inner] = d === null ? [1, x.data.length, 1] : split(x.shape, d);
  if (size === 0) {
    throw new RangeError(
      d === null
        ? `${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`
        : `${op}(): Expected reduction dim ${d} to have non-zero size.`,
    );
  }
  if (x.dtype !== 'float32') return integerArgReduce(op === 'max', x.data as Int32Array | BigInt64Array | Uint8Array, outer, size, inner);
  const values = uninitF32(outer * inner);
  const indices32 = new Int32Array(outer * inner);
  kernels.reduceArg(op === 'max' ? ArgReduceOp.max : ArgReduceOp.min, x.data as Float32Array, outer, size, inner, values, indices32);
  const indices = new BigInt64Array(indices32.length);
  for (let i = 0; i < indices32.length; i++) indices[i] = BigInt(indices32[i]);
  return { values, indices };
}

function extremum(op: 'max' | 'min', x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor`);
  if (dim === undefined) {
    const { values } = argReduce(op, x, null);
    const out = Tensor._make(values, [], x.dtype);
    if (recording(x)) {
      // PyTorch spreads the gradient evenly over every element equal to the extremum.
      attach(out, op === 'max' ? 'MaxBackward1' : 'MinBackward1', [x], (g) => {
        const xv = x.data;
        const m = values[0];
        let count = 0;
        for (let i = 0; i < xv.length; i++) if (xv[i] === m || (m !== m && xv[i] !== xv[i])) count++;
        const share = (g.data[0] as number) / count;
        const gradIn = new Float32Array(xv.length);
        for (let i = 0; i < xv.length; i++) if (xv[i] === m || (m !== m && xv[i] !== xv[i])) gradIn[i] = share;
        return [Tensor._make(gradIn, x.shape, 'float32')];
      }, [x, out]);
    }
    return out;
  }
  const d = normalizeDim(dim, x.shape.length, op);
  const reducedShape = x.shape.length === 0 ? [] : outShapeOf(x.shape, [d], keepdim);
  const { values, indices } = argReduce(op, x, x.shape.length === 0 ? null : d);
  const valuesT = Tensor._make(values, reducedShape, x.dtype);
  const indicesT = Tensor._make(indices, reducedShape, 'int64');
  if (recording(x)) {
    const [outer, size, inner] = x.shape.length === 0 ? [1, 1, 1] : split(x.shape, d);
    attach(valuesT, op === 'max' ? 'MaxBackward0' : 'MinBackward0', [x], (g) => {
      // Scatter each output gradient to the position its value came from.
      const gradIn = new Float32Array(x.data.length);
      const gv = g.data;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const k = o * inner + i;
          gradIn[(o * size + Number(indices[k])) * inner + i] = gv[k] as number;
        }
      }
      return [Tensor._make(gradIn, x.shape, 'float32')];
    }, [indicesT]);
  }
  return { values: valuesT, indices: indicesT };
}

/** `torch.max(x)` → 0-d tensor; `torch.max(x, dim, keepdim)` → `{ values, indices }`. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extremum('max', x, dim, keepdim);
}

/** `torch.min(x)` → 0-d tensor; `torch.min(x, dim, keepdim)` → `{ values, indices }`. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extremum('min', x, dim, keepdim);
}

function argExtremum(op: 'max' | 'min', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`arg${op}(): argument 'input' must be Tensor`);
  if (dim === undefined) {
    const { indices } = argReduce(op, x, null);
    return Tensor._make(indices, keepdim ? x.shape.map(() => 1) : [], 'int64');
  }
  const d = normalizeDim(dim, x.shape.length, `arg${op}`);
  const { indices } = argReduce(op, x, x.shape.length === 0 ? null : d);
  return Tensor._make(indices, x.shape.length === 0 ? [] : outShapeOf(x.shape, [d], keepdim), 'int64');
}

/** `torch.argmax(x, dim?, keepdim=false)`: int64 indices, first on ties. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtremum('max', x, dim, keepdim);
}

/** `torch.argmin(x, dim?, keepdim=false)`. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtremum('min', x, dim, keepdim);
}
