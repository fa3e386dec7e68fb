/** Shape arithmetic shared by the ops: strides, NumPy broadcasting, strided gathers. */
import type { TypedArray } from '../dtype';
import { ShapeError } from '../errors';
import { JS_STRIDED_ADD_MAX_ELEMENTS } from '../tuning';
import { dims, kernels } from './kernels';

/** Row-major strides of a contiguous buffer of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Whether two shapes are equal, dimension by dimension. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The broadcast shape of `a` and `b` (NumPy rules). Throws PyTorch's
 * `The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1`.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new ShapeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
  }
  return out;
}

/** Strides that read a contiguous `shape` as `outShape` (right-aligned; 0 where broadcast). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): Uint32Array {
  const strides = new Uint32Array(outShape.length);
  const offset = outShape.length - shape.length;
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + offset] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/** Strides that read the view `t` as `outShape` (right-aligned; 0 where broadcast): `broadcastStrides` for any layout. */
export function viewBroadcastStrides(t: { readonly shape: readonly number[]; stride(): number[] }, outShape: readonly number[]): Uint32Array {
  const strides = new Uint32Array(outShape.length);
  const own = t.stride();
  const offset = outShape.length - own.length;
  for (let i = 0; i < own.length; i++) strides[i + offset] = t.shape[i] === 1 ? 0 : own[i];
  return strides;
}

/** `shape` padded with leading 1s to `rank` dims (the layout `sumToShape` reduces to). */
export function padShape(shape: readonly number[], rank: number): number[] {
  const out = new Array<number>(rank).fill(1);
  for (let i = 0; i < shape.length; i++) out[rank - shape.length + i] = shape[i];
  return out;
}

/**
 * Strided gather in TypeScript for the integer dtypes (the native `stridedCopy` is f32-only):
 * `out[i…] = src[Σ i_d·strides_d]`. Index bookkeeping only, no arithmetic on the values.
 */
export function gatherStrided(src: TypedArray, shape: readonly number[], strides: ArrayLike<number>, out: TypedArray): void {
  const rank = shape.length;
  const n = out.length;
  if (n === 0) return;
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    out[i] = src[offset];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      offset += strides[d];
      if (index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/**
 * `writeStrided` when the last dimension is contiguous: whole rows at a time (`set` is a block
 * copy), the index arithmetic once per row instead of once per element.
 */
function writeRows(dst: TypedArray, offset: number, shape: readonly number[], strides: ArrayLike<number>, src: TypedArray): void {
  const rank = shape.length;
  const row = shape[rank - 1];
  const rows = src.length / row;
  const index = new Array<number>(rank - 1).fill(0);
  let at = offset;
  for (let r = 0; r < rows; r++) {
    (dst as Float32Array).set((src as Float32Array).subarray(r * row, (r + 1) * row), at);
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      at += strides[d];
      if (index[d] < shape[d]) break;
      at -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/**
 * `dst[offset + Σ i_d·strides_d] += src[i…]`: a gradient added through a view's layout into the
 * gradient of its base — natively above `JS_STRIDED_ADD_MAX_ELEMENTS`, where the kernel is far
 * faster than this loop (NOTE [ Split's gradient ] in docs/PERFORMANCE.md).
 */
export function addStrided(dst: Float32Array, offset: number, shape: readonly number[], strides: readonly number[], src: Float32Array): void {
  const n = src.length;
  if (n === 0) return;
  if (n > JS_STRIDED_ADD_MAX_ELEMENTS) {
    kernels.stridedAdd(src, dims(shape), dims(strides), dst.subarray(offset));
    return;
  }
  // Runs of the innermost dimension (length `len`, stride `step`) over the outer dimensions.
  const outer = Math.max(shape.length - 1, 0);
  const len = shape.length === 0 ? 1 : shape[outer];
  const step = shape.length === 0 ? 0 : strides[outer];
  const index = new Array<number>(outer).fill(0);
  let at = offset;
  for (let from = 0; from < n; from += len) {
    if (step === 1) {
      for (let j = 0; j < len; j++) dst[at + j] += src[from + j];
    } else {
      for (let j = 0, p = at; j < len; j++, p += step) dst[p] += src[from + j];
    }
    for (let d = outer - 1; d >= 0; d--) {
      index[d]++;
      at += strides[d];
      if (index[d] < shape[d]) break;
      at -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/**
 * The inverse of `gatherStrided`: writes contiguous `src` into `dst` laid out by `shape`,
 * `strides` from `offset` (`dst[offset + Σ i_d·strides_d] = src[i…]`): how in-place ops write
 * through a non-contiguous view (a view's gradient is added into its base's: `addStrided`).
 */
export function writeStrided(dst: TypedArray, offset: number, shape: readonly number[], strides: ArrayLike<number>, src: TypedArray): void {
  const rank = shape.length;
  const n = src.length;
  if (n === 0) return;
  if (rank > 0 && strides[rank - 1] === 1 && shape[rank - 1] > 1) {
    writeRows(dst, offset, shape, strides, src);
    return;
  }
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < n; i++) {
    dst[at] = src[i];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      at += strides[d];
      if (index[d] < shape[d]) break;
      at -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}
