/**
 * Argument handling shared by sort, cumsum, prod, var/std, norm, logsumexp and any/all: the input
 * check, dims (one or a list, negative from the end) with errors that name the op, the
 * `(outer, size, inner)` split around one dim, and the map from each input element to the output
 * element it reduces into (so a reduction over any set of dims is one loop over the input).
 */
import { normalizeDim, typeName } from '../errors';
import { Tensor, numelOf } from '../tensor';

/** A `TypeError` naming the op unless `x` is a Tensor. */
export function checkInput(op: string, x: unknown, argument = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument '${argument}' must be Tensor, but got ${typeName(x)}`);
}

/** A `TypeError` naming the op and option unless `value` is a boolean (or undefined, giving `fallback`). */
export function boolOption(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${op}(): argument '${name}' must be bool, but got ${typeName(value)}`);
  return value;
}

/**
 * One dim normalized against `rank`: `normalizeDim`'s TypeError for a non-integer; its PyTorch
 * wording for an out-of-range dim, prefixed with the op so the message says which call failed.
 */
export function dimOf(op: string, dim: unknown, rank: number): number {
  try {
    return normalizeDim(dim as number, rank, op);
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${op}(): ${e.message}`);
    throw e;
  }
}

/**
 * Sorted reduction dims: all dims for `undefined`/`null`/`[]`, else one dim or a list without
 * repeats. A 0-d tensor accepts dim 0 / -1 but has nothing to reduce (an empty list).
 */
export function dimsOf(op: string, rank: number, dim: unknown): number[] {
  if (dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0)) return Array.from({ length: rank }, (_, i) => i);
  if (typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new TypeError(`${op}(): argument 'dim' must be an integer or a list of integers, but got ${typeName(dim)}`);
  }
  const list = (Array.isArray(dim) ? dim : [dim]).map((d: unknown) => dimOf(op, d, rank));
  const seen = new Set<number>();
  for (const d of list) {
    if (seen.has(d)) throw new RangeError(`${op}(): dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return rank === 0 ? [] : list.sort((a, b) => a - b);
}

/** The output shape of a reduction over `dims` (size-1 axes kept with `keepdim`). */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((s, i) => (dims.includes(i) ? 1 : s)) : shape.filter((_, i) => !dims.includes(i));
}

/** `(outer, size, inner)` around dim `d` of `shape` (`[1, 1, 1]` for a 0-d shape). */
export function splitAt(shape: readonly number[], d: number): [number, number, number] {
  if (shape.length === 0) return [1, 1, 1];
  return [numelOf(shape.slice(0, d)), shape[d], numelOf(shape.slice(d + 1))];
}

/**
 * For each element of a contiguous tensor of `shape` (row-major), the flat index of the output
 * element it reduces into when `dims` are reduced. Walks the coordinates like an odometer, so the
 * cost is one pass with no division.
 */
export function outputIndex(shape: readonly number[], dims: readonly number[]): Int32Array {
  const rank = shape.length;
  const outStride = new Array<number>(rank).fill(0);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    if (!dims.includes(i)) {
      outStride[i] = s;
      s *= shape[i];
    }
  }
  const n = numelOf(shape);
  const map = new Int32Array(n);
  const coord = new Array<number>(rank).fill(0);
  let o = 0;
  for (let k = 0; k < n; k++) {
    map[k] = o;
    for (let i = rank - 1; i >= 0; i--) {
      coord[i]++;
      o += outStride[i];
      if (coord[i] < shape[i]) break;
      o -= outStride[i] * shape[i];
      coord[i] = 0;
    }
  }
  return map;
}

/** How many input elements each output element of a reduction over `dims` gathers. */
export function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d];
  return n;
}
