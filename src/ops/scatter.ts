/**
 * `gather`, `scatter` (a source tensor or a value, `reduce` 'add' | 'multiply'), `scatterAdd`
 * and their in-place forms, with PyTorch's checks and messages.
 *
 * Along `dim`, element `i` of `index` names a position: `gather` reads `x[…, index[i], …]` (the
 * other coordinates are `i`'s own), `scatter` writes `src[i]` there. These are TypeScript loops
 * over strides (every dtype, any layout; a write goes through the target's strides): PyTorch's
 * gather/scatter pick single elements, not rows, so the native row kernels (`gatherRows`, used
 * by `indexSelect` and embeddings) do not apply. Duplicate indices in `scatter` keep the last
 * write, in `scatterAdd` accumulate in row-major order of `index`.
 */
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { AutogradError, ShapeError, normalizeDim } from '../errors';
import { type DType, type TypedArray, allocate, scalarTo } from '../dtype';
import { bumpVersion } from '../storage';
import { Tensor, numelOf } from '../tensor';
import { offsetsOf, viewTables } from './gather-tables';
import { guard } from './inplace';
import { checkTensorArg, indexValues, isIndexDType } from './index-values';

export type ScatterReduce = 'add' | 'multiply';
/** A scatter value: a number (bigint for int64, boolean for bool) converted to the target's dtype. */
export type ScatterValue = number | bigint | boolean;

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
/** PyTorch's `ensure_nonempty_size`: a 0-d tensor counts as one dimension of size 1. */
const sizes = (t: Tensor): readonly number[] => (t.shape.length === 0 ? [1] : t.shape);
const stridesOf = (t: Tensor): readonly number[] => (t.shape.length === 0 ? [1] : t.stride());

/** Row-major positions of `index` turned into storage offsets of `t` (without `dim`'s share). */
function positions(t: Tensor, indexShape: readonly number[], dim: number): Float64Array {
  const strides = stridesOf(t).slice();
  strides[dim] = 0;
  return offsetsOf(t.storageOffset(), indexShape, viewTables(indexShape, strides));
}

/** The index values, checked against `[0, size)` with PyTorch's message. */
function checkedValues(index: Tensor, dim: number, size: number): Float64Array {
  const values = indexValues(index);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v < size)) throw new RangeError(`index ${String(index.data[i])} is out of bounds for dimension ${dim} with size ${size}`);
  }
  return values;
}

/** `gather(x, dim, index)`'s checks and output; a plain gather without autograd. */
function gatherPlain(x: Tensor, d: number, index: Tensor): Tensor {
  const xs = sizes(x);
  const is = sizes(index);
  for (let k = 0; k < xs.length; k++) {
    if (k !== d && is[k] > xs[k]) {
      throw new ShapeError(
        `Size does not match at dimension ${k} expected index ${shapeText(index.shape)} to be no larger than self ${shapeText(x.shape)} apart from dimension ${d}`,
      );
    }
  }
  const values = checkedValues(index, d, xs[d]);
  const pos = positions(x, is, d);
  const stride = stridesOf(x)[d];
  const src = x.storage.data;
  const out = allocate(x.dtype, values.length, 'gather', index.shape);
  for (let i = 0; i < values.length; i++) out[i] = src[pos[i] + values[i] * stride];
  return Tensor._make(out, index.shape, x.dtype);
}

function checkIndex(op: string, x: Tensor, dim: number, index: Tensor, role: string): number {
  const d = normalizeDim(dim, x.shape.length, op);
  if (!isIndexDType(index.dtype)) throw new TypeError(`${op}(): Expected dtype int32/int64 for index`);
  if (sizes(index).length !== sizes(x).length) {
    throw new ShapeError(`Index tensor must have the same number of dimensions as ${role} tensor`);
  }
  return d;
}

/**
 * `torch.gather(x, dim, index)`: `out[i] = x[i with coordinate dim replaced by index[i]]`, in
 * `index`'s shape (`GatherBackward0`: a scatter-add of the gradient into zeros).
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensorArg('gather', x, 'input');
  checkTensorArg('gather', index, 'index');
  const d = checkIndex('gather', x, dim, index, 'input');
  const out = gatherPlain(x, d, index);
  if (recording(x)) {
    const inShape = x.shape;
    attach(out, 'GatherBackward0', [x], (g) => [scatterInto(zerosF32(inShape), d, index, g, 'add')], [index]);
  }
  return out;
}

function zerosF32(shape: readonly number[]): Tensor {
  return Tensor._make(new Float32Array(numelOf(shape)), shape, 'float32');
}

/** The element combiner of a scatter into `dtype`: set, add or multiply (int32 wraps, int64 through BigInt, bool as or/and). */
function combiner(dtype: DType, reduce: ScatterReduce | null): ((a: number & bigint, b: number & bigint) => number | bigint) | null {
  if (reduce === null) return null;
  const add = reduce === 'add';
  switch (dtype) {
    case 'float32':
      return add ? (a, b) => a + b : (a, b) => a * b;
    case 'int32':
      return add ? (a, b) => (a + b) | 0 : (a, b) => Math.imul(a, b);
    case 'int64':
      return add ? (a, b) => a + b : (a, b) => a * b; // BigInt64Array stores wrap modulo 2^64
    case 'uint8':
      return add ? (a, b) => (a + b) & 255 : (a, b) => Math.imul(a, b) & 255;
    default:
      return add ? (a, b) => (a || b ? 1 : 0) : (a, b) => (a && b ? 1 : 0);
  }
}

/**
 * Writes `src` (a tensor of `t`'s dtype, read through its strides, or one value) into `t` at the
 * positions `index` names along `dim`, through `t`'s strides, combining with `reduce`. Checked:
 * index sizes against `t` (apart from `dim`) and `src`, and every index value.
 */
function scatterCore(t: Tensor, d: number, index: Tensor, src: Tensor | number | bigint, reduce: ScatterReduce | null): void {
  const ts = sizes(t);
  const is = sizes(index);
  if (src instanceof Tensor) {
    const ss = sizes(src);
    for (let k = 0; k < ts.length; k++) {
      if ((k !== d && is[k] > ts[k]) || is[k] > ss[k]) {
        throw new ShapeError(
          `Expected index ${shapeText(index.shape)} to be no larger than self ${shapeText(t.shape)} apart from dimension ${d} and to be no larger size than src ${shapeText(src.shape)}`,
        );
      }
    }
  } else {
    for (let k = 0; k < ts.length; k++) {
      if (k !== d && is[k] > ts[k]) {
        throw new ShapeError(`Expected index ${shapeText(index.shape)} to be no larger than self ${shapeText(t.shape)} apart from dimension ${d}`);
      }
    }
  }
  const values = checkedValues(index, d, ts[d]);
  const pos = positions(t, is, d);
  const stride = stridesOf(t)[d];
  const dst = t.storage.data as Float32Array;
  const combine = combiner(t.dtype, reduce);
  const n = values.length;
  if (src instanceof Tensor) {
    const from = offsetsOf(src.storageOffset(), is, viewTables(is, stridesOf(src))) as Float64Array;
    const s = src.storage.data as Float32Array;
    if (combine === null) for (let i = 0; i < n; i++) dst[pos[i] + values[i] * stride] = s[from[i]];
    else {
      for (let i = 0; i < n; i++) {
        const at = pos[i] + values[i] * stride;
        dst[at] = combine(dst[at] as never, s[from[i]] as never) as number;
      }
    }
  } else {
    const v = src as number;
    if (combine === null) for (let i = 0; i < n; i++) dst[pos[i] + values[i] * stride] = v;
    else {
      for (let i = 0; i < n; i++) {
        const at = pos[i] + values[i] * stride;
        dst[at] = combine(dst[at] as never, v as never) as number;
      }
    }
  }
}

/** `t` scattered into (a contiguous float32 gradient buffer, say), without checks of dtype; returns it. */
function scatterInto(t: Tensor, d: number, index: Tensor, src: Tensor | number, reduce: ScatterReduce | null): Tensor {
  scatterCore(t, d, index, src, reduce);
  return t;
}

function checkReduce(reduce: unknown): ScatterReduce | null {
  if (reduce === undefined || reduce === null) return null;
  if (reduce !== 'add' && reduce !== 'multiply') throw new RangeError('reduce argument must be either add or multiply.');
  return reduce;
}

function checkSrc(op: string, t: Tensor, src: unknown): Tensor | ScatterValue {
  if (src instanceof Tensor) {
    if (src.dtype !== t.dtype) throw new TypeError(`scatter(): Expected self.dtype to be equal to src.dtype`);
    return src;
  }
  if (typeof src !== 'number' && typeof src !== 'bigint' && typeof src !== 'boolean') {
    throw new TypeError(`${op}(): argument 'src' must be Tensor or a number, not ${src === null ? 'null' : typeof src}`);
  }
  return src;
}

/** The scatter's src or value in `t`'s storage type (a value converted as a scalar; a tensor as is). */
function srcFor(op: string, t: Tensor, src: Tensor | ScatterValue): Tensor | number | bigint {
  return src instanceof Tensor ? src : scalarTo(op, src, t.dtype);
}

/** The options of `scatter`: PyTorch's `reduce` keyword. */
export interface ScatterOptions {
  reduce?: ScatterReduce;
}

function reduceOf(op: string, options: ScatterOptions | undefined): ScatterReduce | null {
  if (options === undefined) return null;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${op}(): options must be an object like { reduce: 'add' }, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'reduce') throw new TypeError(`${op} got an unexpected option '${key}'`);
  }
  return checkReduce(options.reduce);
}

/** A contiguous copy of `x` with its own buffer (no autograd). */
function copyOf(x: Tensor): Tensor {
  const data = x.isContiguous() ? (x.data.slice() as TypedArray) : x.data;
  return Tensor._make(data, x.shape, x.dtype);
}

/**
 * `torch.scatter(x, dim, index, src, { reduce })`: a copy of `x` with `src`'s elements (or the
 * value `src`) written at the positions `index` names along `dim`; with `reduce` combined into
 * them by addition or multiplication. Backward: `ScatterBackward0` (src tensor: `x` gets the
 * gradient with the written positions zeroed, `src` the gradient gathered at them),
 * `ScatterBackward1` (value); with `reduce` PyTorch has no derivative and neither has kindling.
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | ScatterValue, options?: ScatterOptions): Tensor {
  checkTensorArg('scatter', x, 'input');
  checkTensorArg('scatter', index, 'index');
  const reduce = reduceOf('scatter', options);
  const d = checkIndex('scatter', x, dim, index, 'self');
  const s = checkSrc('scatter', x, src);
  if (s instanceof Tensor && sizes(index).length !== sizes(s).length) throw new ShapeError('Index tensor must have the same number of dimensions as src tensor');
  const out = copyOf(x);
  scatterCore(out, d, index, srcFor('scatter', x, s), reduce);
  const srcTensor = s instanceof Tensor ? s : null;
  if (recording(x, srcTensor)) {
    if (reduce !== null) {
      attach(out, 'NotImplemented', [x, srcTensor], () => {
        throw new AutogradError('derivative for aten::scatter is not implemented');
      }, SAVES_NOTHING);
    } else if (srcTensor !== null) {
      const srcShape = srcTensor.shape;
      attach(out, 'ScatterBackward0', [x, srcTensor], (g, node) => [
        node.needsGrad(0) ? scatterInto(copyOf(g), d, index, 0, null) : null,
        node.needsGrad(1) ? gatheredGrad(g, d, index, srcShape) : null,
      ], [index]);
    } else {
      attach(out, 'ScatterBackward1', [x], (g) => [scatterInto(copyOf(g), d, index, 0, null)], [index]);
    }
  }
  return out;
}

/**
 * The gradient of a scatter's `src`: the output gradient gathered at the written positions, in
 * `src`'s shape (zeros where `src` is larger than `index`, whose elements were never read; PyTorch
 * refuses that case in backward with a shape error).
 */
function gatheredGrad(g: Tensor, d: number, index: Tensor, srcShape: readonly number[]): Tensor {
  const picked = gatherPlain(g, d, index);
  if (numelOf(srcShape) === picked.numel()) return Tensor._make(picked.data, srcShape, 'float32');
  const out = zerosF32(srcShape);
  const is = sizes(index);
  const strides = stridesOf(out);
  const at = offsetsOf(0, is, viewTables(is, strides));
  const dst = out.data as Float32Array;
  const p = picked.data as Float32Array;
  for (let i = 0; i < at.length; i++) dst[at[i]] = p[i];
  return out;
}

/**
 * `torch.scatter_add(x, dim, index, src)`: a copy of `x` with `src`'s elements added at the
 * positions `index` names along `dim`; duplicates accumulate (`ScatterAddBackward0`).
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensorArg('scatter_add', x, 'input');
  checkTensorArg('scatter_add', index, 'index');
  checkTensorArg('scatter_add', src, 'src');
  const d = checkIndex('scatter', x, dim, index, 'self');
  checkSrc('scatter_add', x, src);
  if (sizes(index).length !== sizes(src).length) throw new ShapeError('Index tensor must have the same number of dimensions as src tensor');
  const out = copyOf(x);
  scatterCore(out, d, index, src, 'add');
  if (recording(x, src)) {
    const srcShape = src.shape;
    attach(out, 'ScatterAddBackward0', [x, src], (g, node) => [node.needsGrad(0) ? g : null, node.needsGrad(1) ? gatheredGrad(g, d, index, srcShape) : null], [index]);
  }
  return out;
}

/** `x.scatter_(dim, index, src, { reduce })`: `scatter` in place (no autograd, like kindling's other in-place ops). */
export function scatter_<T extends Tensor>(x: T, dim: number, index: Tensor, src: Tensor | ScatterValue, options?: ScatterOptions): T {
  checkTensorArg('scatter_', index, 'index');
  const reduce = reduceOf('scatter_', options);
  const d = checkIndex('scatter', x, dim, index, 'self');
  const s = checkSrc('scatter_', x, src);
  if (s instanceof Tensor && sizes(index).length !== sizes(s).length) throw new ShapeError('Index tensor must have the same number of dimensions as src tensor');
  guard('scatter_', x);
  scatterCore(x, d, index, srcFor('scatter_', x, s), reduce);
  bumpVersion(x);
  return x;
}

/** `x.scatter_add_(dim, index, src)`: `scatterAdd` in place. */
export function scatterAdd_<T extends Tensor>(x: T, dim: number, index: Tensor, src: Tensor): T {
  checkTensorArg('scatter_add_', index, 'index');
  checkTensorArg('scatter_add_', src, 'src');
  const d = checkIndex('scatter', x, dim, index, 'self');
  checkSrc('scatter_add_', x, src);
  if (sizes(index).length !== sizes(src).length) throw new ShapeError('Index tensor must have the same number of dimensions as src tensor');
  guard('scatter_add_', x);
  scatterCore(x, d, index, src, 'add');
  bumpVersion(x);
  return x;
}
