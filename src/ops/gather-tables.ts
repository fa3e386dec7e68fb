/**
 * Data movement by offset tables, the one loop behind flip, roll, repeat, index_select on other
 * dtypes, advanced indexing and their backwards: an output of `shape` whose element `(i_0, …,
 * i_{r-1})` is the source element at `base + Σ_d tables[d][i_d]`. A plain view has
 * `tables[d][i] = i·stride_d`; a flip `(size−1−i)·stride_d`; a roll `((i − shift) mod size)·stride_d`;
 * an index `index[i]·stride_d`; the advanced-index dimension the combined offset of every index
 * tensor at broadcast position i. Index bookkeeping only: no arithmetic on the values (except the
 * accumulating scatter, float32 gradients).
 */
import type { TypedArray } from '../dtype';

/** The offsets `i·stride` for `i < size`: an untouched dimension's table. */
export function strideTable(size: number, stride: number): Float64Array {
  const t = new Float64Array(size);
  for (let i = 0; i < size; i++) t[i] = i * stride;
  return t;
}

/** Row-major tables of a contiguous `shape` (strides of the packed layout). */
export function contiguousTables(shape: readonly number[]): Float64Array[] {
  const tables = new Array<Float64Array>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tables[d] = strideTable(shape[d], stride);
    stride *= shape[d];
  }
  return tables;
}

/**
 * Visits every output position in row-major order with the source offset of its last dimension's
 * run: `run(outStart, base)` for each combination of the leading dimensions, where the elements
 * of the run are `base + last[j]` for `j < shape[rank−1]`.
 */
function forEachRun(base: number, shape: readonly number[], tables: readonly Float64Array[], run: (outStart: number, offset: number) => void): void {
  const rank = shape.length;
  if (rank === 0) {
    run(0, base);
    return;
  }
  for (let d = 0; d < rank; d++) if (shape[d] === 0) return;
  const inner = shape[rank - 1];
  const lead = rank - 1;
  const index = new Array<number>(lead).fill(0);
  let offset = base;
  for (let d = 0; d < lead; d++) offset += tables[d][0];
  let outStart = 0;
  for (;;) {
    run(outStart, offset);
    outStart += inner;
    let d = lead - 1;
    for (; d >= 0; d--) {
      const t = tables[d];
      offset -= t[index[d]];
      if (++index[d] < shape[d]) {
        offset += t[index[d]];
        break;
      }
      index[d] = 0;
      offset += t[0];
    }
    if (d < 0) return;
  }
}

/** `out[i…] = src[base + Σ tables[d][i_d]]` (`out` contiguous, `src` any typed array of the same kind). */
export function gatherTables(src: TypedArray, base: number, shape: readonly number[], tables: readonly Float64Array[], out: TypedArray): void {
  const rank = shape.length;
  const last = rank === 0 ? null : tables[rank - 1];
  const inner = rank === 0 ? 1 : shape[rank - 1];
  const s = src as Float32Array;
  const o = out as Float32Array;
  forEachRun(base, shape, tables, (outStart, offset) => {
    if (last === null) {
      o[outStart] = s[offset];
      return;
    }
    for (let j = 0; j < inner; j++) o[outStart + j] = s[offset + last[j]];
  });
}

/**
 * The inverse: `dst[base + Σ tables[d][i_d]] = src[i…]`, or `+=` when `accumulate` (float32: an
 * element that several positions reach gets their sum, in row-major order of the positions).
 */
export function scatterTables(
  dst: TypedArray,
  base: number,
  shape: readonly number[],
  tables: readonly Float64Array[],
  src: TypedArray,
  accumulate: boolean,
): void {
  const rank = shape.length;
  const last = rank === 0 ? null : tables[rank - 1];
  const inner = rank === 0 ? 1 : shape[rank - 1];
  const s = src as Float32Array;
  const o = dst as Float32Array;
  forEachRun(base, shape, tables, (outStart, offset) => {
    if (last === null) {
      if (accumulate) o[offset] += s[outStart];
      else o[offset] = s[outStart];
      return;
    }
    if (accumulate) for (let j = 0; j < inner; j++) o[offset + last[j]] += s[outStart + j];
    else for (let j = 0; j < inner; j++) o[offset + last[j]] = s[outStart + j];
  });
}

/** `offsets[i…] = base + Σ tables[d][i_d]` for every position of `shape`, row-major. */
export function offsetsOf(base: number, shape: readonly number[], tables: readonly Float64Array[]): Float64Array {
  const rank = shape.length;
  let n = 1;
  for (let d = 0; d < rank; d++) n *= shape[d];
  const out = new Float64Array(n);
  const last = rank === 0 ? null : tables[rank - 1];
  const inner = rank === 0 ? 1 : shape[rank - 1];
  forEachRun(base, shape, tables, (outStart, offset) => {
    if (last === null) out[outStart] = offset;
    else for (let j = 0; j < inner; j++) out[outStart + j] = offset + last[j];
  });
  return out;
}

/** The tables of a view with `shape` and `strides` (any layout, including stride 0). */
export function viewTables(shape: readonly number[], strides: readonly number[]): Float64Array[] {
  return shape.map((s, d) => strideTable(s, strides[d]));
}
