/**
 * `indexSelect` and `take`: whole slices (or single elements) picked by an index vector.
 *
 * `index_select(x, d, idx)` views a contiguous `x` as `(outer, size(d), inner)` and copies the
 * rows `idx` of every outer block: for float32 that is the native `gatherRows` (rows of a table,
 * the kernel an embedding lookup uses), and its backward, `index_add` into zeros, is the native
 * `scatterAddRows` (duplicates accumulate in index order, whatever the thread count), written
 * straight into a leaf's `.grad` when autograd offers its buffer. Other dtypes copy the same rows
 * in TypeScript. `take` is the same on the flattened tensor with rows of one element.
 */
import { attach, recording } from '../autograd/function';
import { allocate, scalarTypeName, uninitF32 } from '../dtype';
import { normalizeDim } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { kernels } from './kernels';
import { checkTensorArg, checkedIndices, indexText, indexValues, isIndexDType } from './index-values';

/** `out[b, k, :] = table[b, idx[k], :]` for any dtype (native for float32). */
export function gatherRowsOf(table: Tensor, batches: number, rowLen: number, idx: Int32Array, outShape: readonly number[], op: string): Tensor {
  const n = numelOf(outShape);
  const src = table.data;
  if (table.dtype === 'float32') {
    const out = uninitF32(n, op, outShape);
    if (n > 0) kernels.gatherRows(src as Float32Array, batches, rowLen, idx, out);
    return Tensor._make(out, outShape, 'float32');
  }
  const out = allocate(table.dtype, n, op, outShape);
  const rows = batches === 0 || rowLen === 0 ? 0 : src.length / (batches * rowLen);
  let at = 0;
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < idx.length; k++) {
      const from = (b * rows + idx[k]) * rowLen;
      (out as Float32Array).set((src as Float32Array).subarray(from, from + rowLen), at);
      at += rowLen;
    }
  }
  return Tensor._make(out, outShape, table.dtype);
}

/**
 * `table[b, idx[k], :] += src[b, k, :]` into a float32 gradient for an input of `inShape`: into
 * the leaf's `.grad` when `node` offers its buffer (then null is returned), else into zeros.
 */
export function scatterAddRowsGrad(
  g: Tensor,
  batches: number,
  rowLen: number,
  idx: Int32Array,
  inShape: readonly number[],
  bufferOf: ((length: number) => { data: Float32Array; beta: 0 | 1 } | null) | null,
): Tensor | null {
  const n = numelOf(inShape);
  const buffer = bufferOf === null ? null : bufferOf(n);
  const table = buffer === null ? new Float32Array(n) : buffer.data;
  // A fresh (or stale recycled) buffer is zeroed here, on this thread: its pages are then mapped
  // before the kernel's threads scatter into them. Left to the kernel, two threads faulting in the
  // pages of a fresh 12.8 MB gradient measured 39 ms against 5.7 ms for this fill and the scatter
  // (docs/PERFORMANCE.md, NOTE [ First touch of a scatter's table ]).
  if (buffer === null || buffer.beta === 0) table.fill(0);
  if (g.data.length > 0 && n > 0) kernels.scatterAddRows(g.data as Float32Array, batches, rowLen, idx, table);
  return buffer === null ? Tensor._make(table, inShape, 'float32') : null;
}

/**
 * `torch.index_select(x, dim, index)`: the slices `index` (int32 or int64, a vector or a single
 * value) of `dim` (`IndexSelectBackward0`). Indices must lie in `[0, size)`; negative ones are
 * out of range, as in PyTorch (`index out of range in self`).
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensorArg('index_select', x, 'input');
  checkTensorArg('index_select', index, 'index');
  const rank = x.shape.length;
  const d = normalizeDim(dim, rank, 'index_select');
  if (index.shape.length > 1) throw new RangeError('index_select(): Index is supposed to be a vector');
  if (!isIndexDType(index.dtype)) throw new TypeError('index_select(): Expected dtype int32 or int64 for index');
  const count = index.numel();
  if (rank === 0 && count !== 1) throw new RangeError(`index_select(): Index to scalar can have only 1 value, got ${count} value(s)`);
  const size = rank === 0 ? 1 : x.shape[d];
  // PyTorch's CPU kernel words the error differently on dimension 1 (its `dim1` fast path).
  const outOfRange = (_value: number, i: number): Error =>
    new RangeError(d === 1 && rank > 1 ? `INDICES element is out of DATA bounds, id=${indexText(index, i)} axis_dim=${size}` : 'index out of range in self');
  const idx = checkedIndices(indexValues(index), size, false, outOfRange);
  const outer = numelOf(x.shape.slice(0, d));
  const inner = rank === 0 ? 1 : numelOf(x.shape.slice(d + 1));
  const outShape = rank === 0 ? [] : x.shape.map((s, i) => (i === d ? count : s));
  const out = gatherRowsOf(x, outer, inner, idx, outShape, 'index_select');
  if (recording(x)) {
    const inShape = x.shape;
    attach(out, 'IndexSelectBackward0', [x], (g, node) => [scatterAddRowsGrad(g, outer, inner, idx, inShape, (n) => node.gradBuffer(0, n))], [index]);
  }
  return out;
}

/**
 * `torch.take(x, index)`: the elements of `x` read as one row-major vector at `index` (int64;
 * negative values count from the end), in `index`'s shape (`TakeBackward0`).
 */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensorArg('take', x, 'input');
  checkTensorArg('take', index, 'index');
  if (index.dtype !== 'int64') throw new TypeError(`take(): Expected a long tensor for index, but got ${scalarTypeName(index.dtype)}`);
  const n = x.numel();
  const idx = checkedIndices(indexValues(index), n, true, (_, i) => new RangeError(`out of range: tried to access index ${indexText(index, i)} on a tensor of ${n} elements.`));
  const out = gatherRowsOf(x, 1, 1, idx, index.shape, 'take');
  if (recording(x)) {
    const inShape = x.shape;
    attach(out, 'TakeBackward0', [x], (g, node) => [scatterAddRowsGrad(g, 1, 1, idx, inShape, (m) => node.gradBuffer(0, m))], [index]);
  }
  return out;
}
