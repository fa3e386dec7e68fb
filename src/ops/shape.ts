/**
 * Shape ops. `reshape`/`view`/`flatten`/`squeeze`/`unsqueeze` return views sharing `data`;
 * `permute`/`transpose`/`t`/`expand` gather into a new contiguous buffer (one native
 * `stridedCopy`). Backward rules sit beside each op.
 */
import { attach, recording } from '../autograd/function';
import { allocate, type TypedArray, uninitF32 } from '../dtype';
import { ShapeError, normalizeDim } from '../errors';
import { Tensor, numelOf, type SizeArgs } from '../tensor';
import { contiguousStrides, gatherStrided, padShape, sameShape } from './broadcast';
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

/** A view of `x` with `shape`; differentiable with the given PyTorch node name. */
function viewAs(x: Tensor, shape: readonly number[], name: string): Tensor {
  const out = Tensor._make(x.data, shape, x.dtype);
  if (recording(x)) {
    const inShape = x.shape;
    attach(out, name, [x], (g) => [Tensor._make(g.data, inShape, 'float32')], false);
  }
  return out;
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

/** `torch.reshape(x, shape)`: a view with a new shape (one size may be -1). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return viewAs(x, inferShape(shape, x.data.length), 'ViewBackward0');
}

/** `x.view(shape)`: the same as `reshape` (kindling tensors are always contiguous). */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return reshape(x, shape);
}

/** `torch.flatten(x, startDim=0, endDim=-1)`. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  const rank = x.shape.length;
  const start = normalizeDim(startDim, rank, 'flatten', 'startDim');
  const end = normalizeDim(endDim, rank, 'flatten', 'endDim');
  if (rank === 0) return viewAs(x, [1], 'ViewBackward0');
  if (start > end) throw new ShapeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (start === end) return x;
  let merged = 1;
  for (let d = start; d <= end; d++) merged *= x.shape[d];
  const shape = [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)];
  return viewAs(x, shape, 'ViewBackward0');
}

/** `torch.unsqueeze(x, dim)`: inserts a size-1 dimension at `dim` (in [-rank-1, rank]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.shape.length + 1, 'unsqueeze');
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return viewAs(x, shape, 'UnsqueezeBackward0');
}

/** `torch.squeeze(x, dim?)`: drops size-1 dimensions (all, or only `dim` if it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return viewAs(x, x.shape.filter((s) => s !== 1), 'SqueezeBackward0');
  const d = normalizeDim(dim, x.shape.length, 'squeeze');
  const shape = x.shape.slice();
  if (shape[d] === 1) shape.splice(d, 1);
  return viewAs(x, shape, 'SqueezeBackward1');
}

function permuteCopy(x: Tensor, order: readonly number[], name: string): Tensor {
  const inStrides = contiguousStrides(x.shape);
  const outShape = order.map((d) => x.shape[d]);
  const out = gather(
    x,
    outShape,
    order.map((d) => inStrides[d]),
  );
  if (recording(x)) {
    const inverse = new Array<number>(order.length);
    for (let i = 0; i < order.length; i++) inverse[order[i]] = i;
    attach(out, name, [x], (g) => {
      const gStrides = contiguousStrides(outShape);
      return [gather(g, x.shape, inverse.map((d) => gStrides[d]))];
    }, false);
  }
  return out;
}

/** `torch.permute(x, dims)`: reorders dimensions (a contiguous copy in kindling). */
export function permute(x: Tensor, order: readonly number[]): Tensor {
  const rank = x.shape.length;
  if (order.length !== rank) {
    throw new ShapeError(
      `permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${rank} is not equal to len(dims) = ${order.length}`,
    );
  }
  const normalized = order.map((d) => normalizeDim(d, rank, 'permute'));
  if (new Set(normalized).size !== normalized.length) throw new ShapeError('permute(): duplicate dims are not allowed.');
  return permuteCopy(x, normalized, 'PermuteBackward0');
}

/** `torch.transpose(x, dim0, dim1)`: swaps two dimensions (a contiguous copy in kindling). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const rank = x.shape.length;
  const a = normalizeDim(dim0, rank, 'transpose', 'dim0');
  const b = normalizeDim(dim1, rank, 'transpose', 'dim1');
  const order = x.shape.map((_, i) => i);
  order[a] = b;
  order[b] = a;
  return permuteCopy(x, order, 'TransposeBackward0');
}

/** `torch.t(x)`: transposes a 2-D tensor; 0-D and 1-D tensors come back as they are. */
export function t(x: Tensor): Tensor {
  const rank = x.shape.length;
  if (rank > 2) throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${rank}D`);
  if (rank < 2) return viewAs(x, x.shape, 'TBackward0');
  return permuteCopy(x, [1, 0], 'TBackward0');
}

/**
 * `x.expand(sizes)`: broadcasts size-1 dimensions to `sizes` (-1 keeps a size; new dimensions
 * go in front). A contiguous copy in kindling; backward sums the gradient back (`sumToShape`).
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
  const inStrides = contiguousStrides(x.shape);
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
  const out = gather(x, outShape, strides, 'expand');
  if (recording(x)) {
    const inShape = x.shape;
    attach(out, 'ExpandBackward0', [x], (g) => [sumTo(g, inShape)], false);
  }
  return out;
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

/** `torch.clone(x)`: a copy with its own buffer (`CloneBackward0`). */
export function clone(x: Tensor): Tensor {
  const out = Tensor._make(x.data.slice() as TypedArray, x.shape, x.dtype);
  if (recording(x)) attach(out, 'CloneBackward0', [x], (g) => [g], false);
  return out;
}
