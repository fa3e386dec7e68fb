/**
 * `split` (a size or a list of sizes), `chunk` and `unbind`: views of consecutive slices of one
 * dimension, sharing the input's storage (a write through a piece changes the input, and its
 * version counter is the input's), as PyTorch returns them. Each piece's gradient is added at the
 * piece's place into the one zero-filled buffer in which the engine sums the input's gradients
 * (`Node.gradAccumulator`; else into zeros of its own, which autograd sums). (PyTorch has one
 * node with several outputs; kindling's nodes have one output, so every piece has its own node
 * of PyTorch's name: `SplitBackward0`, `SplitWithSizesBackward0`, `UnbindBackward0`.)
 */
import { isTracing, traced, tracedOp } from '../autograd/trace';
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import type { Node } from '../autograd/node';
import { ShapeError, normalizeDim } from '../errors';
import { Tensor } from '../tensor';
import { contiguousStrides } from './broadcast';
import { viewGradient } from './view-grad';
import { checkTensorArg } from './index-values';

/** The view of `x` holding `length` elements of `dim` from `start` (`keep`: false drops the dimension, as `unbind`). */
function piece(x: Tensor, d: number, start: number, length: number, keep: boolean, name: string): Tensor {
  const strides = x.stride();
  const shape = x.shape.slice();
  const offset = x.storageOffset() + start * strides[d];
  if (keep) shape[d] = length;
  else {
    shape.splice(d, 1);
    strides.splice(d, 1);
  }
  const out = Tensor._view(x, shape, strides, offset);
  if (isTracing()) traced(out, { dim: d, start, end: start + length, keep });
  if (recording(x)) {
    const inShape = x.shape;
    attach(out, name, [x], (g, node) => {
      const inStrides = contiguousStrides(inShape);
      const gStrides = inStrides.slice();
      if (!keep) gStrides.splice(d, 1);
      return [viewGradient(node, inShape, start * inStrides[d], g.shape, gStrides, g)];
    }, SAVES_NOTHING);
    (out.gradFn as Node).viewInput = x;
  } else if (isTracing()) {
    tracedOp(out, name, [x], {});
  }
  return out;
}

function checkInteger(op: string, value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${op}(): argument '${argument}' must be an integer, but got ${String(value)}`);
  }
}

/** Pieces of the given sizes (already checked to sum to the dimension). */
function pieces(x: Tensor, d: number, sizes: readonly number[], name: string): Tensor[] {
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(piece(x, d, start, s, true, name));
    start += s;
  }
  return out;
}

/** `split_with_sizes`: pieces of exactly `sizes` (non-negative, summing to the dimension). */
function splitWithSizes(x: Tensor, sizes: readonly number[], d: number): Tensor[] {
  sizes.forEach((s) => checkInteger('split_with_sizes', s, 'split_sizes'));
  const size = x.shape[d];
  if (sizes.some((s) => s < 0)) {
    throw new RangeError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[${sizes.join(', ')}]`);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== size) {
    throw new ShapeError(
      `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(', ')}]`,
    );
  }
  return pieces(x, d, sizes, 'SplitWithSizesBackward0');
}

/** `split` with one size: pieces of `splitSize` (the last may be shorter). */
function splitBySize(x: Tensor, splitSize: number, d: number): Tensor[] {
  const size = x.shape[d];
  if (splitSize < 0) throw new RangeError(`split expects split_size be non-negative, but got split_size=${splitSize}`);
  if (splitSize === 0 && size !== 0) {
    throw new RangeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
  }
  const count = splitSize === 0 ? 1 : Math.max(Math.ceil(size / splitSize), 1);
  const sizes = Array.from({ length: count }, (_, i) => (i < count - 1 ? splitSize : size - splitSize * (count - 1)));
  return pieces(x, d, sizes, 'SplitBackward0');
}

/**
 * `torch.split(x, splitSizeOrSections, dim = 0)`: a number gives pieces of that size (the last
 * may be shorter, `SplitBackward0`); an array gives pieces of exactly those sizes, which must sum
 * to the dimension (`SplitWithSizesBackward0`). Views of `x`.
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensorArg('split', x, 'input');
  if (x.shape.length === 0) throw new RangeError('split expects at least a 1-dimensional tensor');
  const d = normalizeDim(dim, x.shape.length, 'split');
  if (Array.isArray(splitSizeOrSections)) return splitWithSizes(x, splitSizeOrSections, d);
  checkInteger('split', splitSizeOrSections, 'split_size');
  return splitBySize(x, splitSizeOrSections as number, d);
}

/**
 * `torch.chunk(x, chunks, dim = 0)`: at most `chunks` pieces of `ceil(size / chunks)` elements
 * (fewer when the size does not need them all, as PyTorch). Views of `x`.
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensorArg('chunk', x, 'input');
  if (x.shape.length === 0) throw new RangeError('chunk expects at least a 1-dimensional tensor');
  checkInteger('chunk', chunks, 'chunks');
  if (chunks <= 0) throw new RangeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(dim, x.shape.length, 'chunk');
  const size = x.shape[d];
  const splitSize = Math.ceil(size / chunks);
  if (splitSize === 0 && size === 0) {
    // PyTorch's special case: `chunks` empty pieces.
    return pieces(x, d, new Array<number>(chunks).fill(0), 'SplitWithSizesBackward0');
  }
  return splitBySize(x, splitSize, d);
}

/** `torch.unbind(x, dim = 0)`: every slice of `dim`, that dimension removed (views, `UnbindBackward0`). */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensorArg('unbind', x, 'input');
  if (x.shape.length === 0) throw new RangeError(`Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(dim, x.shape.length, 'unbind');
  return Array.from({ length: x.shape[d] }, (_, i) => piece(x, d, i, 1, false, 'UnbindBackward0'));
}
