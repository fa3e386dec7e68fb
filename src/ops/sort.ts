/**
 * `torch.sort` and `torch.argsort` along one dim, ascending or descending, any dtype. NaN sorts as
 * larger than every number (last ascending, first descending), as PyTorch. kindling always sorts
 * stably (equal values keep their input order, ties by lower index like `topk`): that is what
 * `stable: true` promises and a valid result of `stable: false`, whose tie order PyTorch leaves
 * unspecified. Backward of the values scatters the gradient to the indices (`SortBackward0`).
 */
import { attach, recording } from '../autograd/function';
import { allocate } from '../dtype';
import { typeName } from '../errors';
import { Tensor, type ValuesIndices } from '../tensor';
import { boolOption, checkInput, dimOf, splitAt } from './reduce-dims';

export interface SortOptions {
  /** The dim to sort along (default -1, the last). */
  dim?: number;
  descending?: boolean;
  /** Accepted for PyTorch parity; kindling's sort is always stable. */
  stable?: boolean;
}

/** Ascending order of two elements with NaN largest and all NaNs equal (number or bigint). */
function ascending(a: number | bigint, b: number | bigint): number {
  const an = a !== a; // only NaN differs from itself; never a bigint
  const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `sort(x, dim?, options?)` or `sort(x, options?)` → the dim and flags, checked. */
function parseOptions(op: string, dimOrOptions: number | SortOptions | undefined, options: SortOptions | undefined): Required<SortOptions> {
  let opts: SortOptions;
  if (typeof dimOrOptions === 'number') opts = { ...(options ?? {}), dim: dimOrOptions };
  else if (dimOrOptions === undefined || (typeof dimOrOptions === 'object' && dimOrOptions !== null && !Array.isArray(dimOrOptions))) opts = dimOrOptions ?? {};
  else throw new TypeError(`${op}(): expected a dim (integer) or an options object { dim, descending, stable }, but got ${typeName(dimOrOptions)}`);
  return {
    dim: opts.dim ?? -1,
    descending: boolOption(op, 'descending', opts.descending, false),
    stable: boolOption(op, 'stable', opts.stable, false),
  };
}

/** The sorted values (input dtype) and int64 indices of `x` along `d`. */
function sortAlong(op: string, x: Tensor, d: number, descending: boolean): { values: Tensor; indices: Tensor } {
  const [outer, size, inner] = splitAt(x.shape, d);
  const xv = x.data;
  const values = allocate(x.dtype, xv.length, op, x.shape);
  const indices = new BigInt64Array(xv.length);
  const row = new Array<number | bigint>(size);
  const order = new Array<number>(size);
  // Array.prototype.sort is stable (ES2019), so equal values keep their index order.
  const compare = descending ? (p: number, q: number) => ascending(row[q], row[p]) : (p: number, q: number) => ascending(row[p], row[q]);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      for (let j = 0; j < size; j++) {
        row[j] = xv[base + j * inner];
        order[j] = j;
      }
      order.sort(compare);
      for (let j = 0; j < size; j++) {
        (values as Float32Array)[base + j * inner] = row[order[j]] as number;
        indices[base + j * inner] = BigInt(order[j]);
      }
    }
  }
  return { values: Tensor._make(values, x.shape, x.dtype), indices: Tensor._make(indices, x.shape, 'int64') };
}

/** `torch.sort(input, dim=-1, descending=False, stable=False)` → `{ values, indices }` (indices int64). */
export function sort(input: Tensor, dimOrOptions?: number | SortOptions, options?: SortOptions): ValuesIndices {
  checkInput('sort', input);
  const { dim, descending } = parseOptions('sort', dimOrOptions, options);
  const d = dimOf('sort', dim, input.shape.length);
  // `data` is always the contiguous row-major elements (a copy for a strided view).
  const { values, indices } = sortAlong('sort', input, d, descending);
  if (recording(input)) {
    const [outer, size, inner] = splitAt(input.shape, d);
    const idx = indices.data as BigInt64Array;
    attach(
      values,
      'SortBackward0',
      [input],
      (g) => {
        // Each sorted position's gradient goes back to the position its value came from.
        const gv = g.data as Float32Array;
        const gradIn = new Float32Array(gv.length);
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            const base = o * size * inner + i;
            for (let j = 0; j < size; j++) gradIn[base + Number(idx[base + j * inner]) * inner] = gv[base + j * inner];
          }
        }
        return [Tensor._make(gradIn, input.shape, 'float32')];
      },
      [indices],
    );
  }
  return { values, indices };
}

/** `torch.argsort(input, dim=-1, descending=False, stable=False)`: the int64 indices that sort `input` along `dim`. */
export function argsort(input: Tensor, dimOrOptions?: number | SortOptions, options?: SortOptions): Tensor {
  checkInput('argsort', input);
  const { dim, descending } = parseOptions('argsort', dimOrOptions, options);
  const d = dimOf('argsort', dim, input.shape.length);
  return sortAlong('argsort', input, d, descending).indices;
}

