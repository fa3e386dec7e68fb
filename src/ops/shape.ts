/**
 * Shape ops, as PyTorch has them: `view`/`reshape`/`flatten`/`squeeze`/`unsqueeze`/`permute`/
 * `transpose`/`t`/`expand`/`narrow`/`select`/`slice`/`unfold`/`diagonal` return views sharing the
 * input's storage (a new shape, strides and offset; no copy), `reshape` copies only when no view
 * can give the shape, `clone`/`contiguous` copy. Backward rules sit beside each op: a view's
 * gradient is built contiguous (a strided gather, or a scatter into zeros for the views that
 * pick elements), so gradients downstream are always contiguous.
 */
import { isTracing, traced, tracedOp } from '../autograd/trace';
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { allocate, type TypedArray, uninitF32 } from '../dtype';
import { ShapeError, normalizeDim } from '../errors';
import { Tensor, numelOf, type SizeArgs } from '../tensor';
import { contiguousStrides, gatherStrided, padShape, sameShape } from './broadcast';
import { viewGradient } from './view-grad';
import type { Node } from '../autograd/node';
import { dims, kernels } from './kernels';
/** Flattens `reshape(2, 3)` / `reshape([2, 3])` argument lists into one array. */
export function sizesOf(args: SizeArgs): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as readonly number[]).slice();
  return args as number[];
}

/** Checks sizes given to creation functions and `expand`: integers ≥ 0. */
export function checkSizes(op: string, sizes: readonly number[]): void {
  for (const s of sizes) {
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      throw new TypeError(`${op}: sizes must be integers, but got ${String(s)} in [${sizes.join(', ')}]`);
    }
    if (s < 0) throw new RangeError(`${op}: Dimension size must be non-negative.`);
  }
}

/** Copies `x` read through `strides` into a new contiguous tensor of `outShape`. */
export function gather(x: Tensor, outShape: readonly number[], strides: readonly number[], op = 'gather'): Tensor {
  const n = numelOf(outShape);
  const out = x.dtype === 'float32' ? uninitF32(n, op, outShape) : allocate(x.dtype, n, op, outShape);
  if (x.dtype === 'float32') {
    kernels.stridedCopy(x.data as Float32Array, dims(outShape), dims(strides), out as Float32Array);
  } else {
    gatherStrided(x.data, outShape, strides, out);
  }
  return Tensor._make(out, outShape, x.dtype);
}

/** Row-major strides of `shape` (what a contiguous tensor's `stride()` returns). */
export function contiguousStridesOf(shape: readonly number[]): number[] {
  return contiguousStrides(shape);
}

/** The strides of `x` (row-major when it is contiguous). */
function stridesOf(x: Tensor): readonly number[] {
  return x.stride();
}

/**
 * The elements of a non-contiguous `x` as a new contiguous row-major array: one native
 * `stridedCopy` from the storage at `x`'s offset (float32), a TypeScript gather otherwise.
 */
export function contiguousData(x: Tensor): TypedArray {
  const shape = x.shape;
  const n = numelOf(shape);
  const src = x.storage.data.subarray(x.storageOffset());
  const strides = stridesOf(x);
  if (x.dtype === 'float32') {
    const out = uninitF32(n, 'contiguous', shape);
    if (n > 0) kernels.stridedCopy(src as Float32Array, dims(shape), dims(strides), out);
    return out;
  }
  const out = allocate(x.dtype, n, 'contiguous', shape);
  gatherStrided(src, shape, strides, out);
  return out;
}

/**
 * A view of `x` with `shape`, `strides` and `offset` (from the storage's start), recorded as
 * `name` when grad mode records `x`; `backwardOf` makes (only then) the function that turns the
 * view's (contiguous) gradient into the input's (or null when it added it into the engine's sum
 * for the input: `viewGradient`).
 */
function makeView(
  x: Tensor,
  shape: readonly number[],
  strides: readonly number[] | null,
  offset: number,
  name: string,
  backwardOf: () => (g: Tensor, node: Node) => Tensor | null,
): Tensor {
  const out = Tensor._view(x, shape, strides, offset);
  if (recording(x)) {
    const backward = backwardOf();
    attach(out, name, [x], (g, node) => [backward(g, node)], SAVES_NOTHING);
  } else if (isTracing()) {
    tracedOp(out, name, [x], {}); // a view of a mask or of integer ids: part of the graph too
  }
  return out;
}

/** A view of `x` with a new shape whose gradient is the output gradient reshaped back. */
function reshapedView(x: Tensor, shape: readonly number[], strides: readonly number[] | null, name: string): Tensor {
  const out = Tensor._view(x, shape, strides, x.storageOffset());
  if (recording(x)) {
    const inShape = x.shape;
    attach(out, name, [x], (g) => [Tensor._make(g.data, inShape, 'float32')], SAVES_NOTHING);
    (out.gradFn as Node).forwardsGrad = true;
    (out.gradFn as Node).viewInput = x;
  } else if (isTracing()) {
    tracedOp(out, name, [x], {}); // a view of a mask or of integer ids: part of the graph too
  }
  return out;
}

/** Layout of a view that picks elements: its shape, strides and offset in the base's storage. */
interface Layout {
  shape: number[];
  strides: number[];
  offset: number;
}

/**
 * A view of `x` that picks some of its elements, with `layoutOf` computing the view's layout from
 * a base layout. Backward adds the gradient into the same view of the input's gradient
 * (`viewGradient`).
 */
function pickView(x: Tensor, name: string, layoutOf: (base: Layout) => Layout): Tensor {
  const inShape = x.shape;
  const v = layoutOf({ shape: inShape.slice(), strides: stridesOf(x).slice(), offset: x.storageOffset() });
  return makeView(x, v.shape, v.strides, v.offset, name, () => (g, node) => {
    const gv = layoutOf({ shape: inShape.slice(), strides: contiguousStrides(inShape), offset: 0 });
    return viewGradient(node, inShape, gv.offset, gv.shape, gv.strides, g);
  });
}

/**
 * The strides that lay `shape` over `x`'s elements without a copy, or null when one of the new
 * dimensions would span two non-adjacent runs of memory (PyTorch's `computeStride`).
 */
function viewStrides(x: Tensor, shape: readonly number[]): number[] | null {
  const oldShape = x.shape;
  const oldStrides = stridesOf(x);
  const out = new Array<number>(shape.length).fill(0);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

/** Resolves a `-1` and checks the element count: `shape '[4, -1]' is invalid for input of size 6`. */
export function inferShape(shape: readonly number[], numel: number): number[] {
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i];
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      throw new TypeError(`reshape: sizes must be integers, but got ${String(s)} in [${shape.join(', ')}]`);
    }
    if (s === -1) {
      if (inferred >= 0) throw new ShapeError('only one dimension can be inferred');
      inferred = i;
    } else if (s < 0) {
      throw new ShapeError(`invalid shape dimension ${s}`);
    } else {
      known *= s;
    }
  }
  const out = shape.slice();
  if (inferred >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new ShapeError(`shape '[${shape.join(', ')}]' is invalid for input of size ${numel}`);
    }
    out[inferred] = numel / known;
  } else if (known !== numel) {
    throw new ShapeError(`shape '[${shape.join(', ')}]' is invalid for input of size ${numel}`);
  }
  return out;
}

/** `torch.reshape(x, shape)`: a view when one exists (`ViewBackward0`), else a contiguous copy reshaped (`UnsafeViewBackward0`). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const sizes = inferShape(shape, x.numel());
  if (x.isContiguous()) return reshapedView(x, sizes, null, 'ViewBackward0');
  const strides = viewStrides(x, sizes);
  if (strides !== null) return reshapedView(x, sizes, strides, 'ViewBackward0');
  return reshapedView(clone(x), sizes, null, 'UnsafeViewBackward0');
}

/** `x.view(shape)`: a view with a new shape; throws PyTorch's error when the strides cannot give it. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const sizes = inferShape(shape, x.numel());
  if (x.isContiguous()) return reshapedView(x, sizes, null, 'ViewBackward0');
  const strides = viewStrides(x, sizes);
  if (strides === null) {
    throw new ShapeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  return reshapedView(x, sizes, strides, 'ViewBackward0');
}

/** `torch.flatten(x, startDim=0, endDim=-1)` (a view when one exists, like `reshape`). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  const rank = x.shape.length;
  const start = normalizeDim(startDim, rank, 'flatten', 'startDim');
  const end = normalizeDim(endDim, rank, 'flatten', 'endDim');
  if (rank === 0) return reshape(x, [1]);
  if (start > end) throw new ShapeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (start === end) return x;
  let merged = 1;
  for (let d = start; d <= end; d++) merged *= x.shape[d];
  return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/** `torch.unsqueeze(x, dim)`: inserts a size-1 dimension at `dim` (in [-rank-1, rank]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.shape.length + 1, 'unsqueeze');
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  let strides: number[] | null = null;
  if (!x.isContiguous()) {
    strides = stridesOf(x).slice();
    strides.splice(d, 0, d < x.shape.length ? x.shape[d] * strides[d] : 1);
  }
  const out = reshapedView(x, shape, strides, 'UnsqueezeBackward0');
  if (isTracing()) traced(out, { axes: [d] });
  return out;
}

/** `torch.squeeze(x, dim?)`: drops size-1 dimensions (all, or only `dim` if it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  const keep = (d: number): boolean => x.shape[d] !== 1 || (dim !== undefined && d !== normalized);
  const normalized = dim === undefined ? -1 : normalizeDim(dim, x.shape.length, 'squeeze');
  const shape: number[] = [];
  const strides: number[] = [];
  const inStrides = stridesOf(x);
  for (let d = 0; d < x.shape.length; d++) {
    if (keep(d)) {
      shape.push(x.shape[d]);
      strides.push(inStrides[d]);
    }
  }
  const out = reshapedView(x, shape, x.isContiguous() ? null : strides, dim === undefined ? 'SqueezeBackward0' : 'SqueezeBackward1');
  if (isTracing()) traced(out, { axes: x.shape.map((_, d) => d).filter((d) => !keep(d)) });
  return out;
}

/**
 * A view of `x` with its dimensions reordered by `order` (a permutation); backward permutes the
 * gradient back as a view too, as PyTorch's, so whoever reads it next decides whether a copy is
 * needed (the attention kernel reads its output's gradient in place: NOTE [ Attention output
 * order ] in docs/PERFORMANCE.md).
 */
function permuteView(x: Tensor, order: readonly number[], name: string): Tensor {
  const inStrides = stridesOf(x);
  const outShape = order.map((d) => x.shape[d]);
  const out = makeView(x, outShape, order.map((d) => inStrides[d]), x.storageOffset(), name, () => (g) => {
    const inverse = new Array<number>(order.length);
    for (let i = 0; i < order.length; i++) inverse[order[i]] = i;
    return permute(g, inverse);
  });
  if (out.gradFn !== null) {
    (out.gradFn as Node).forwardsGrad = true;
    (out.gradFn as Node).viewInput = x;
  }
  if (isTracing()) traced(out, { perm: order });
  return out;
}

/** `torch.permute(x, dims)`: reorders dimensions (a view). */
export function permute(x: Tensor, order: readonly number[]): Tensor {
  const rank = x.shape.length;
  if (order.length !== rank) {
    throw new ShapeError(
      `permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${rank} is not equal to len(dims) = ${order.length}`,
    );
  }
  const normalized = order.map((d) => normalizeDim(d, rank, 'permute'));
  if (new Set(normalized).size !== normalized.length) throw new ShapeError('permute(): duplicate dims are not allowed.');
  return permuteView(x, normalized, 'PermuteBackward0');
}

/** `torch.transpose(x, dim0, dim1)`: swaps two dimensions (a view). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const rank = x.shape.length;
  const a = normalizeDim(dim0, rank, 'transpose', 'dim0');
  const b = normalizeDim(dim1, rank, 'transpose', 'dim1');
  const order = x.shape.map((_, i) => i);
  order[a] = b;
  order[b] = a;
  return permuteView(x, order, 'TransposeBackward0');
}

/** `torch.t(x)`: transposes a 2-D tensor (a view); 0-D and 1-D tensors come back as they are. */
export function t(x: Tensor): Tensor {
  const rank = x.shape.length;
  if (rank > 2) throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${rank}D`);
  if (rank < 2) return reshapedView(x, x.shape, x.isContiguous() ? null : stridesOf(x), 'TBackward0');
  return permuteView(x, [1, 0], 'TBackward0');
}

/**
 * `x.expand(sizes)`: broadcasts size-1 dimensions to `sizes` (-1 keeps a size; new dimensions
 * go in front) as a view with stride 0 there; backward sums the gradient back (`sumToShape`).
 */
export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  const rank = x.shape.length;
  if (sizes.length < rank) {
    throw new ShapeError(
      `expand(torch.FloatTensor{[${x.shape.join(', ')}]}, size=[${sizes.join(', ')}]): the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${rank})`,
    );
  }
  const offset = sizes.length - rank;
  const outShape = new Array<number>(sizes.length);
  const strides = new Array<number>(sizes.length).fill(0);
  const inStrides = stridesOf(x);
  for (let i = 0; i < sizes.length; i++) {
    const target = sizes[i];
    if (!Number.isInteger(target)) throw new TypeError(`expand: sizes must be integers, but got ${target}`);
    if (i < offset) {
      if (target < 0) {
        throw new ShapeError(
          `The expanded size of the tensor (${target}) isn't allowed in a leading, non-existing dimension ${i}`,
        );
      }
      outShape[i] = target;
      continue;
    }
    const have = x.shape[i - offset];
    if (target === -1 || target === have) {
      outShape[i] = have;
      strides[i] = inStrides[i - offset];
    } else if (have === 1 && target >= 0) {
      outShape[i] = target;
    } else {
      throw new ShapeError(
        `The expanded size of the tensor (${target}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: [${sizes.join(', ')}].  Tensor sizes: [${x.shape.join(', ')}]`,
      );
    }
  }
  if (sameShape(outShape, x.shape)) return x;
  const inShape = x.shape;
  return makeView(x, outShape, strides, x.storageOffset(), 'ExpandBackward0', () => (g) => sumTo(g, inShape));
}

/** Checks a start index against a size of `size` the way `narrow` does; returns it non-negative. */
function narrowStart(start: number, size: number): number {
  if (!Number.isInteger(start)) throw new TypeError(`narrow(): argument 'start' must be an integer, but got ${String(start)}`);
  if (start < -size || start > size) {
    throw new RangeError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  return start < 0 ? start + size : start;
}

/** `x.narrow(dim, start, length)`: elements `start … start+length-1` of `dim` (a view, `SliceBackward0`). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.shape.length === 0) throw new ShapeError('narrow() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.shape.length, 'narrow');
  const size = x.shape[d];
  const s = narrowStart(start, size);
  if (!Number.isInteger(length)) throw new TypeError(`narrow(): argument 'length' must be an integer, but got ${String(length)}`);
  if (length < 0) throw new RangeError('narrow(): length must be non-negative.');
  if (s + length > size) throw new RangeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  const out = pickView(x, 'SliceBackward0', (v) => {
    v.offset += s * v.strides[d];
    v.shape[d] = length;
    return v;
  });
  if (isTracing()) traced(out, { dim: d, start: s, end: s + length, step: 1 });
  return out;
}

/**
 * `x.slice(dim, start?, end?, step = 1)`: PyTorch's `x[…, start:end:step]` on `dim` (a view,
 * `SliceBackward0`). Bounds follow Python slicing: negative ones count from the end, out-of-range
 * ones are clamped.
 */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  if (x.shape.length === 0) throw new ShapeError('slice() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.shape.length, 'slice');
  const size = x.shape[d];
  for (const [name, value] of [['start', start], ['end', end], ['step', step]] as const) {
    if (value != null && !Number.isInteger(value)) {
      throw new TypeError(`slice(): argument '${name}' must be an integer, but got ${String(value)}`);
    }
  }
  if (step <= 0) throw new RangeError(step === 0 ? 'slice step cannot be zero' : 'step must be greater than zero');
  const clampIndex = (i: number): number => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = start == null ? 0 : clampIndex(start);
  const e = end == null ? size : Math.max(clampIndex(end), s);
  const length = Math.ceil((e - s) / step);
  const out = pickView(x, 'SliceBackward0', (v) => {
    v.offset += s * v.strides[d];
    v.shape[d] = length;
    v.strides[d] *= step;
    return v;
  });
  if (isTracing()) traced(out, { dim: d, start: s, end: e, step });
  return out;
}

/** `x.select(dim, index)`: the slice at `index` of `dim`, with that dimension removed (a view, `SelectBackward0`). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.shape.length === 0) throw new RangeError('select() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.shape.length, 'select');
  const size = x.shape[d];
  if (!Number.isInteger(index)) throw new TypeError(`select(): argument 'index' must be an integer, but got ${String(index)}`);
  if (index < -size || index >= size) {
    throw new RangeError(`select(): index ${index} out of range for tensor of size [${x.shape.join(', ')}] at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const out = pickView(x, 'SelectBackward0', (v) => {
    v.offset += i * v.strides[d];
    v.shape.splice(d, 1);
    v.strides.splice(d, 1);
    return v;
  });
  if (isTracing()) traced(out, { dim: d, index: i });
  return out;
}

/**
 * `x.unfold(dim, size, step)`: every window of `size` elements along `dim`, `step` apart, as a
 * new last dimension (a view; windows may overlap, and backward sums where they do).
 */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const rank = x.shape.length;
  const d = normalizeDim(dim, rank, 'unfold');
  const extent = rank === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(size) || !Number.isInteger(step)) {
    throw new TypeError(`unfold(): size and step must be integers, but got ${String(size)} and ${String(step)}`);
  }
  if (size > extent) throw new RangeError(`maximum size for tensor at dimension ${d} is ${extent} but size is ${size}`);
  if (size < 0) throw new RangeError(`size is ${size} but must be >= 0`);
  if (step <= 0) throw new RangeError(`step is ${step} but must be > 0`);
  return pickView(x, 'UnfoldBackward0', (v) => {
    if (rank === 0) return { shape: [size], strides: [1], offset: v.offset };
    const stride = v.strides[d];
    v.shape[d] = Math.floor((extent - size) / step) + 1;
    v.strides[d] = stride * step;
    v.shape.push(size);
    v.strides.push(stride);
    return v;
  });
}

/**
 * `x.diagonal(offset = 0, dim1 = 0, dim2 = 1)`: the diagonal of the `dim1`×`dim2` planes (above
 * it for `offset` > 0, below for < 0) as a new last dimension (a view, `DiagonalBackward0`).
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const rank = x.shape.length;
  const a = normalizeDim(dim1, rank, 'diagonal', 'dim1');
  const b = normalizeDim(dim2, rank, 'diagonal', 'dim2');
  if (a === b) throw new ShapeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  if (!Number.isInteger(offset)) throw new TypeError(`diagonal(): argument 'offset' must be an integer, but got ${String(offset)}`);
  const sa = x.shape[a];
  const sb = x.shape[b];
  const length = Math.max(offset >= 0 ? Math.min(sa, sb - offset) : Math.min(sa + offset, sb), 0);
  return pickView(x, 'DiagonalBackward0', (v) => {
    const strideA = v.strides[a];
    const strideB = v.strides[b];
    if (length > 0) v.offset += offset >= 0 ? offset * strideB : -offset * strideA;
    const shape: number[] = [];
    const strides: number[] = [];
    for (let d = 0; d < rank; d++) {
      if (d === a || d === b) continue;
      shape.push(v.shape[d]);
      strides.push(v.strides[d]);
    }
    shape.push(length);
    strides.push(strideA + strideB);
    return { shape, strides, offset: v.offset };
  });
}

/**
 * Sums a (broadcast) gradient `g` back to `shape`: the backward of broadcasting and `expand`.
 * Returns `g` itself when the shapes already match.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const padded = padShape(shape, g.shape.length);
  const out = uninitF32(numelOf(shape));
  kernels.sumToShape(g.data as Float32Array, dims(g.shape), dims(padded), out);
  return Tensor._make(out, shape, 'float32');
}

/** `torch.clone(x)`: a contiguous copy with its own buffer (`CloneBackward0`). */
export function clone(x: Tensor): Tensor {
  const data = x.isContiguous() ? (x.data.slice() as TypedArray) : x.data;
  const out = Tensor._make(data, x.shape, x.dtype);
  if (recording(x)) attach(out, 'CloneBackward0', [x], (g) => [g], SAVES_NOTHING);
  return out;
}

/**
 * Throws PyTorch's error when writing into `t` would write one memory location twice (a
 * dimension of stride 0 and size > 1, as `expand` makes).
 */
export function checkWritable(t: Tensor): void {
  if (t.isContiguous()) return;
  const strides = t.stride();
  for (let d = 0; d < strides.length; d++) {
    if (strides[d] === 0 && t.shape[d] > 1) {
      throw new ShapeError(
        'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.',
      );
    }
  }
}
