/**
 * `x.index(...)`: PyTorch's `x[...]` in JavaScript, and its assignments `indexPut_` (PyTorch's
 * `index_put_`) and `setIndex_` (`x[...] = v`).
 *
 * Items, left to right (PyTorch's rules):
 * - an integer picks one element of the next dimension and drops it (`select`, a view);
 * - a slice — a string in Python syntax (`':'`, `'1:3'`, `'::2'`, `'-2:'`) or `torch.slice(1, 3)` —
 *   keeps a range (a view; a step must be positive, as in PyTorch);
 * - `null` inserts a dimension of size 1 (`None`, a view); `'...'` stands for every dimension the
 *   other items leave out;
 * - an integer tensor (int64 or int32; a JS array of integers becomes int64) picks elements by
 *   index (negative ones count from the end); a bool (or uint8) tensor or array is a mask over as
 *   many dimensions as it has; `true` / `false` add a dimension of size 1 / 0. These are advanced
 *   indices: their results are copies. Several broadcast together; when they are adjacent the
 *   indexed dimensions are replaced in place by the broadcast shape, otherwise it goes first.
 *
 * Integers, slices and `null` apply first, as views recorded by their own ops (`SelectBackward0`,
 * `SliceBackward0`, `UnsqueezeBackward0`); the advanced indices then copy from that view
 * (`IndexBackward0`, whose backward accumulates into zeros, so repeated indices add up). One
 * index tensor on a contiguous float32 view is the native `gatherRows` / `scatterAddRows` (rows of
 * a table, as an embedding lookup); everything else is a TypeScript copy through offset tables.
 */
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { type DType, type TypedArray, allocate, castArray, scalarTo, scalarTypeName } from '../dtype';
import { ShapeError } from '../errors';
import { bumpVersion } from '../storage';
import { Tensor, numelOf } from '../tensor';
import { broadcastShapes, broadcastStrides, contiguousStrides, gatherStrided, sameShape } from './broadcast';
import { gatherTables, offsetsOf, scatterTables, strideTable } from './gather-tables';
import { gatherRowsOf, scatterAddRowsGrad } from './index-select';
import { indexValues } from './index-values';
import { copy_, fill_, guard } from './inplace';
import { select, slice as sliceView, sumTo, unsqueeze } from './shape';
import { nonzeroColumns } from './where';

/** A Python slice: `torch.slice(1, 3)` is `1:3`; omitted or null bounds are open. */
export interface IndexSlice {
  readonly start?: number | null;
  readonly stop?: number | null;
  readonly step?: number | null;
}

/** Nested JS arrays of integers (an int64 index) or of booleans (a mask). */
export type IndexArray = ReadonlyArray<number | bigint | boolean | IndexArray>;

/** One item of `x.index(...)`: see the file comment. */
export type IndexItem = number | string | null | boolean | Tensor | IndexSlice | IndexArray;

const SLICE_TAG = Symbol('kindling.slice');

/** `torch.slice(start?, stop?, step?)`: Python's `slice(start, stop, step)` for `x.index(...)`. */
export function slice(start?: number | null, stop?: number | null, step?: number | null): IndexSlice {
  if (stop === undefined && step === undefined && start !== undefined) {
    // Python's slice(stop): one argument is the end.
    return Object.freeze({ start: null, stop: start, step: null, [SLICE_TAG]: true });
  }
  return Object.freeze({ start: start ?? null, stop: stop ?? null, step: step ?? null, [SLICE_TAG]: true });
}

type Item =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'tensor'; tensor: Tensor };

const SLICE_SYNTAX = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

function parseString(s: string): Item {
  if (s.trim() === '...') return { kind: 'ellipsis' };
  const m = SLICE_SYNTAX.exec(s);
  if (m === null) {
    throw new TypeError(`index(): invalid index '${s}' (a string index is a Python slice like ':', '1:3', '::2', or '...')`);
  }
  const num = (v: string | undefined): number | null => (v === undefined ? null : Number(v));
  return { kind: 'slice', start: num(m[1]), stop: num(m[2]), step: num(m[3]) };
}

function flatArray(a: IndexArray, shape: number[], depth: number, out: Array<number | bigint | boolean>): void {
  if (shape.length === depth) shape.push(a.length);
  else if (shape[depth] !== a.length) throw new ShapeError(`index(): a nested array index must be rectangular, got rows of lengths ${shape[depth]} and ${a.length}`);
  for (const v of a) {
    if (Array.isArray(v)) flatArray(v as IndexArray, shape, depth + 1, out);
    else out.push(v as number | bigint | boolean);
  }
}

/** A JS array as an index tensor: booleans → a bool mask, integers (numbers or bigints) → int64. */
function arrayTensor(a: IndexArray): Tensor {
  const shape: number[] = [];
  const values: Array<number | bigint | boolean> = [];
  flatArray(a, shape, 0, values);
  if (values.length > 0 && values.every((v) => typeof v === 'boolean')) {
    return Tensor._make(Uint8Array.from(values, (v) => (v ? 1 : 0)), shape, 'bool');
  }
  const out = new BigInt64Array(values.length);
  values.forEach((v, i) => {
    if (typeof v === 'bigint') out[i] = v;
    else if (typeof v === 'number' && Number.isInteger(v)) out[i] = BigInt(v);
    else throw new TypeError(`index(): an array index must hold integers or booleans only, got ${String(v)}`);
  });
  return Tensor._make(out, shape, 'int64');
}

function parseItem(item: IndexItem): Item {
  if (item === null) return { kind: 'none' };
  if (typeof item === 'number') {
    if (!Number.isInteger(item)) throw new TypeError(`index(): an integer index must be an integer, got ${item}`);
    return { kind: 'int', value: item };
  }
  if (typeof item === 'string') return parseString(item);
  if (typeof item === 'boolean') return { kind: 'bool', value: item };
  if (item instanceof Tensor) {
    if (item.shape.length === 0 && (item.dtype === 'int32' || item.dtype === 'int64')) return { kind: 'int', value: Number(item.data[0]) };
    if (item.shape.length === 0 && item.dtype === 'bool') return { kind: 'bool', value: item.data[0] !== 0 };
    return { kind: 'tensor', tensor: item };
  }
  if (Array.isArray(item)) return { kind: 'tensor', tensor: arrayTensor(item as IndexArray) };
  if (typeof item === 'object' && SLICE_TAG in item) {
    const s = item as IndexSlice;
    return { kind: 'slice', start: s.start ?? null, stop: s.stop ?? null, step: s.step ?? null };
  }
  throw new TypeError(
    `index(): an index must be an integer, a slice string (':', '1:3', '...'), torch.slice(…), null, a boolean, a Tensor or an array, got ${typeof item === 'object' ? ((item as object).constructor?.name ?? 'object') : typeof item}`,
  );
}

/** How many dimensions of the tensor an item consumes. */
function consumed(item: Item): number {
  if (item.kind === 'int' || item.kind === 'slice') return 1;
  if (item.kind === 'tensor') return item.tensor.dtype === 'bool' || item.tensor.dtype === 'uint8' ? Math.max(item.tensor.shape.length, 1) : 1;
  return 0;
}

/** An advanced index on dimension `dim` of the view: an integer tensor (int32/int64). */
interface Advanced {
  dim: number;
  tensor: Tensor;
}

/** The basic part applied (views of `x`, recorded when `record`) and the advanced indices left. */
interface Basic {
  view: Tensor;
  advanced: Advanced[];
}

/** The ops a basic index uses: recorded ones for `index`, plain views for assignments. */
interface ViewOps {
  select(t: Tensor, dim: number, i: number): Tensor;
  slice(t: Tensor, dim: number, start: number | null, stop: number | null, step: number): Tensor;
  unsqueeze(t: Tensor, dim: number): Tensor;
}

const RECORDED: ViewOps = {
  select: (t, d, i) => select(t, d, i),
  slice: (t, d, a, b, s) => sliceView(t, d, a, b, s),
  unsqueeze: (t, d) => unsqueeze(t, d),
};

/** The basic items of `items` applied to `x` (views), the advanced ones collected with their dims. */
function applyBasic(x: Tensor, items: readonly Item[], ops: ViewOps): Basic {
  const rank = x.shape.length;
  let used = 0;
  let ellipses = 0;
  for (const item of items) {
    used += consumed(item);
    if (item.kind === 'ellipsis') ellipses++;
  }
  if (ellipses > 1) throw new RangeError("an index can only have a single ellipsis ('...')");
  if (used > rank) {
    if (rank === 0 && items.some((i) => i.kind === 'int')) {
      throw new RangeError('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number');
    }
    throw new RangeError(`too many indices for tensor of dimension ${rank}`);
  }
  let view = x;
  let cur = 0; // dimension of `view` the next item applies to
  let orig = 0; // dimension of `x` it came from (for messages)
  const advanced: Advanced[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'int': {
        const size = view.shape[cur];
        if (item.value < -size || item.value >= size) throw new RangeError(`index ${item.value} is out of bounds for dimension ${orig} with size ${size}`);
        view = ops.select(view, cur, item.value);
        orig++;
        break;
      }
      case 'slice': {
        if (item.step !== null && item.step <= 0) throw new RangeError('step must be greater than zero');
        view = ops.slice(view, cur, item.start, item.stop, item.step ?? 1);
        cur++;
        orig++;
        break;
      }
      case 'none':
        view = ops.unsqueeze(view, cur);
        cur++;
        break;
      case 'ellipsis':
        cur += rank - used;
        orig += rank - used;
        break;
      case 'bool':
        view = ops.unsqueeze(view, cur);
        advanced.push({ dim: cur, tensor: Tensor._make(item.value ? new BigInt64Array(1) : new BigInt64Array(0), [item.value ? 1 : 0], 'int64') });
        cur++;
        break;
      case 'tensor': {
        const t = item.tensor;
        if (t.dtype === 'bool' || t.dtype === 'uint8') {
          const k = Math.max(t.shape.length, 1);
          const mask = t.shape.length === 0 ? Tensor._make(t.data, [1], t.dtype) : t;
          for (let j = 0; j < mask.shape.length; j++) {
            if (mask.shape[j] !== view.shape[cur + j]) {
              throw new RangeError(
                `The shape of the mask [${mask.shape.join(', ')}] at index ${j} does not match the shape of the indexed tensor [${view.shape.join(', ')}] at index ${cur + j}`,
              );
            }
          }
          nonzeroColumns(mask).forEach((column, j) => advanced.push({ dim: cur + j, tensor: column }));
          cur += k;
          orig += k;
        } else if (t.dtype === 'int32' || t.dtype === 'int64') {
          advanced.push({ dim: cur, tensor: t });
          cur++;
          orig++;
        } else {
          throw new TypeError('tensors used as indices must be long, int, byte or bool tensors');
        }
        break;
      }
    }
  }
  return { view, advanced };
}

/**
 * Where the advanced indices of a view read: the output (or indexing-result) shape, and the
 * gather as `[pre…, B, post…]` with `B` the broadcast index positions flattened into one
 * dimension whose table holds each position's combined offset.
 */
interface Plan {
  /** The indexing result's shape (`B` unflattened). */
  shape: number[];
  /** The gather's shape (`B` as one dimension). */
  flatShape: number[];
  /** Which dimension of the flat shape is `B`. */
  bAt: number;
  /** The view's dimensions in the flat shape's order, -1 at `bAt`. */
  dims: number[];
  /** Per advanced index, its values broadcast to `B`, made non-negative. */
  values: Float64Array[];
  advDims: number[];
}

function plan(view: Tensor, advanced: readonly Advanced[]): Plan {
  let bShape: number[] = [];
  try {
    for (const a of advanced) bShape = broadcastShapes(bShape, a.tensor.shape);
  } catch {
    throw new ShapeError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${advanced.map((a) => `[${a.tensor.shape.join(', ')}]`).join(', ')}`);
  }
  const bSize = numelOf(bShape);
  const values = advanced.map((a, j) => {
    const size = view.shape[a.dim];
    const own = indexValues(a.tensor);
    for (let i = 0; i < own.length; i++) {
      const v = own[i];
      if (!(v >= -size && v < size)) throw new RangeError(`index ${String(a.tensor.data[i])} is out of bounds for dimension ${j} with size ${size}`);
      if (v < 0) own[i] = v + size;
    }
    if (sameShape(a.tensor.shape, bShape)) return own;
    const out = new Float64Array(bSize);
    gatherStrided(own as unknown as TypedArray, bShape, broadcastStrides(a.tensor.shape, bShape), out as unknown as TypedArray);
    return out;
  });
  const advDims = advanced.map((a) => a.dim);
  const adjacent = advDims.every((d, i) => i === 0 || d === advDims[i - 1] + 1);
  const rest = view.shape.map((_, d) => d).filter((d) => !advDims.includes(d));
  const pre = adjacent ? rest.filter((d) => d < advDims[0]) : [];
  const post = adjacent ? rest.filter((d) => d > advDims[0]) : rest;
  const dims = [...pre, -1, ...post];
  const sizeOf = (d: number): number => view.shape[d];
  return {
    shape: [...pre.map(sizeOf), ...bShape, ...post.map(sizeOf)],
    flatShape: [...pre.map(sizeOf), bSize, ...post.map(sizeOf)],
    bAt: pre.length,
    dims,
    values,
    advDims,
  };
}

/** The offset tables of a plan over a layout with `strides` (the view's, or a contiguous gradient's). */
function tablesOf(p: Plan, shape: readonly number[], strides: readonly number[]): Float64Array[] {
  return p.dims.map((d) => {
    if (d >= 0) return strideTable(shape[d], strides[d]);
    const n = p.flatShape[p.bAt];
    const t = new Float64Array(n);
    p.values.forEach((values, j) => {
      const stride = strides[p.advDims[j]];
      for (let i = 0; i < n; i++) t[i] += values[i] * stride;
    });
    return t;
  });
}

/** Whether a plan is one index tensor on a contiguous float32 view: rows of a table (native). */
function rowsCase(view: Tensor, p: Plan): { batches: number; rowLen: number; idx: Int32Array } | null {
  if (view.dtype !== 'float32' || p.values.length !== 1 || !view.isContiguous()) return null;
  const d = p.advDims[0];
  return {
    batches: numelOf(view.shape.slice(0, d)),
    rowLen: numelOf(view.shape.slice(d + 1)),
    idx: Int32Array.from(p.values[0]),
  };
}

/** The advanced part of an index: a copy (`IndexBackward0`). */
function advancedIndex(view: Tensor, advanced: readonly Advanced[]): Tensor {
  const p = plan(view, advanced);
  const rows = rowsCase(view, p);
  let out: Tensor;
  if (rows !== null) {
    out = gatherRowsOf(view, rows.batches, rows.rowLen, rows.idx, p.shape, 'index');
  } else {
    const data = allocate(view.dtype, numelOf(p.shape), 'index', p.shape);
    gatherTables(view.storage.data, view.storageOffset(), p.flatShape, tablesOf(p, view.shape, view.stride()), data);
    out = Tensor._make(data, p.shape, view.dtype);
  }
  if (recording(view)) {
    const inShape = view.shape;
    attach(out, 'IndexBackward0', [view], (g, node) => {
      if (rows !== null) return [scatterAddRowsGrad(g, rows.batches, rows.rowLen, rows.idx, inShape, (n) => node.gradBuffer(0, n))];
      const grad = new Float32Array(numelOf(inShape));
      scatterTables(grad, 0, p.flatShape, tablesOf(p, inShape, contiguousStrides(inShape)), g.data, true);
      return [Tensor._make(grad, inShape, 'float32')];
    }, advanced.map((a) => a.tensor));
  }
  return out;
}

/** `x.index(...items)`: PyTorch's `x[items]` (see the file comment). */
export function index(x: Tensor, items: readonly IndexItem[]): Tensor {
  const parsed = items.map(parseItem);
  const { view, advanced } = applyBasic(x, parsed, RECORDED);
  if (advanced.length > 0) return advancedIndex(view, advanced);
  if (view !== x) return view;
  // `x[...]` / `x[()]`: an alias of `x` (a view of the whole, `AliasBackward0`).
  const alias = Tensor._view(x, x.shape, x.stride(), x.storageOffset());
  if (recording(x)) attach(alias, 'AliasBackward0', [x], (g) => [g], SAVES_NOTHING);
  return alias;
}

/** Plain views (no autograd) of a tensor being assigned into: same storage, no graph. */
const PLAIN: ViewOps = {
  select: (t, d, i) => select(t.detach(), d, i),
  slice: (t, d, a, b, s) => sliceView(t.detach(), d, a, b, s),
  unsqueeze: (t, d) => unsqueeze(t.detach(), d),
};

/** The value of an assignment as a contiguous array of `dtype` laid out in `shape` (broadcast), or the error PyTorch gives. */
function valuesFor(op: string, value: Tensor | number | bigint | boolean, dtype: DType, shape: readonly number[]): TypedArray {
  if (!(value instanceof Tensor)) {
    const out = allocate(dtype, numelOf(shape), op, shape);
    (out as { fill(v: number | bigint): unknown }).fill(scalarTo(op, value, dtype));
    return out;
  }
  let ok = value.shape.length <= shape.length;
  if (ok) {
    try {
      ok = sameShape(broadcastShapes(value.shape, shape), shape);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    throw new ShapeError(`shape mismatch: value tensor of shape [${value.shape.join(', ')}] cannot be broadcast to indexing result of shape [${shape.join(', ')}]`);
  }
  const own = value.dtype === dtype ? value.data : castArray(value.data, dtype, op);
  if (sameShape(value.shape, shape)) return own;
  const out = allocate(dtype, numelOf(shape), op, shape);
  gatherStrided(own, shape, broadcastStrides(value.shape, shape), out);
  return out;
}

/** Writes (or adds) `values` (laid out in the plan's shape) into `view` at the plan's positions. */
function put(view: Tensor, p: Plan, values: TypedArray, accumulate: boolean): void {
  const at = offsetsOf(view.storageOffset(), p.flatShape, tablesOf(p, view.shape, view.stride()));
  const dst = view.storage.data as Float32Array;
  const v = values as Float32Array;
  const n = at.length;
  if (!accumulate) {
    for (let i = 0; i < n; i++) dst[at[i]] = v[i];
    return;
  }
  switch (view.dtype) {
    case 'float32':
    case 'int64': // BigInt64Array stores wrap modulo 2^64
      for (let i = 0; i < n; i++) (dst as unknown as number[])[at[i]] = (dst[at[i]] as number) + (v[i] as number);
      return;
    case 'int32':
      for (let i = 0; i < n; i++) dst[at[i]] = (dst[at[i]] + v[i]) | 0;
      return;
    case 'uint8':
      for (let i = 0; i < n; i++) dst[at[i]] = (dst[at[i]] + v[i]) & 255;
      return;
    default:
      for (let i = 0; i < n; i++) dst[at[i]] = dst[at[i]] || v[i] ? 1 : 0;
  }
}

function checkIndexList(op: string, x: Tensor, indices: readonly Tensor[]): Item[] {
  if (!Array.isArray(indices)) throw new TypeError(`${op}(): argument 'indices' must be an array of Tensors`);
  indices.forEach((t, i) => {
    if (!(t instanceof Tensor)) {
      throw new TypeError(`expected Tensor as element ${i} in argument 0, but got ${t === null ? 'null' : typeof t}`);
    }
  });
  const items: Item[] = indices.map((t) => ({ kind: 'tensor', tensor: t }));
  const used = items.reduce((n, item) => n + consumed(item), 0);
  if (used > x.shape.length) throw new RangeError(`too many indices for tensor of dimension ${x.shape.length} (got ${used})`);
  return items;
}

function checkValues(op: string, x: Tensor, values: unknown): Tensor | number | bigint | boolean {
  if (values instanceof Tensor) {
    if (values.dtype !== x.dtype) {
      throw new TypeError(
        `Index put requires the source and destination dtypes match, got ${scalarTypeName(x.dtype)} for the destination and ${scalarTypeName(values.dtype)} for the source.`,
      );
    }
    return values;
  }
  if (typeof values === 'number' || typeof values === 'bigint' || typeof values === 'boolean') return values;
  throw new TypeError(`${op}(): argument 'values' must be Tensor or a number, not ${values === null ? 'null' : typeof values}`);
}

/** `index_put`'s options: PyTorch's `accumulate` keyword. */
export interface IndexPutOptions {
  accumulate?: boolean;
}

function accumulateOf(op: string, options: IndexPutOptions | boolean | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options === 'boolean') return options;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${op}(): options must be an object like { accumulate: true }`);
  for (const key of Object.keys(options)) if (key !== 'accumulate') throw new TypeError(`${op} got an unexpected option '${key}'`);
  if (options.accumulate !== undefined && typeof options.accumulate !== 'boolean') throw new TypeError(`${op}(): option 'accumulate' must be a boolean`);
  return options.accumulate ?? false;
}

/**
 * `x.index_put_(indices, values, accumulate=False)`: `x[indices] = values` (or `+=` with
 * `{ accumulate: true }`, where repeated indices add up) for a list of index tensors (integer, or
 * bool masks) applied to the leading dimensions. In place, no autograd.
 */
export function indexPut_<T extends Tensor>(x: T, indices: readonly Tensor[], values: Tensor | number | bigint | boolean, options?: IndexPutOptions): T {
  const accumulate = accumulateOf('index_put_', options);
  const items = checkIndexList('index_put_', x, indices);
  const v = checkValues('index_put_', x, values);
  guard('index_put_', x);
  const { advanced } = applyBasic(x, items, PLAIN);
  if (advanced.length === 0) return x;
  const p = plan(x, advanced);
  put(x, p, valuesFor('index_put_', v, x.dtype, p.shape), accumulate);
  bumpVersion(x);
  return x;
}

/**
 * `x.index_put(indices, values, accumulate=False)`: `indexPut_` on a copy (`IndexPutBackward0`:
 * `x` gets the gradient, zeroed at the written positions unless accumulating; `values` the
 * gradient at those positions, summed where `values` was broadcast).
 */
export function indexPut(x: Tensor, indices: readonly Tensor[], values: Tensor | number | bigint | boolean, options?: IndexPutOptions): Tensor {
  const accumulate = accumulateOf('index_put', options);
  const items = checkIndexList('index_put', x, indices);
  const v = checkValues('index_put', x, values);
  const out = Tensor._make(x.isContiguous() ? (x.data.slice() as TypedArray) : x.data, x.shape, x.dtype);
  const { advanced } = applyBasic(x, items, PLAIN);
  if (advanced.length === 0) return out;
  const p = plan(out, advanced);
  put(out, p, valuesFor('index_put', v, x.dtype, p.shape), accumulate);
  const vt = v instanceof Tensor ? v : null;
  if (recording(x, vt)) {
    const shape = x.shape;
    attach(out, 'IndexPutBackward0', [x, vt], (g, node) => {
      const tables = tablesOf(p, shape, contiguousStrides(shape));
      let gx: Tensor | null = null;
      if (node.needsGrad(0)) {
        if (accumulate) gx = g;
        else {
          const data = (g.data as Float32Array).slice();
          scatterTables(data, 0, p.flatShape, tables, new Float32Array(numelOf(p.flatShape)), false);
          gx = Tensor._make(data, shape, 'float32');
        }
      }
      let gv: Tensor | null = null;
      if (node.needsGrad(1) && vt !== null) {
        const picked = new Float32Array(numelOf(p.shape));
        gatherTables(g.data, 0, p.flatShape, tables, picked);
        gv = sumTo(Tensor._make(picked, p.shape, 'float32'), vt.shape);
      }
      return [gx, gv];
    }, advanced.map((a) => a.tensor));
  }
  return out;
}

/**
 * `x.setIndex_(items, value)`: PyTorch's `x[items] = value`. Basic items select a view that is
 * filled (a scalar) or copied into (a tensor, broadcast and converted); with advanced items the
 * view gets `indexPut_`. In place, no autograd.
 */
export function setIndex_<T extends Tensor>(x: T, items: readonly IndexItem[], value: Tensor | number | bigint | boolean): T {
  if (!Array.isArray(items)) throw new TypeError('setIndex_(): the index must be an array of items, like x.setIndex_([\':\', \'1:3\'], value)');
  if (!(value instanceof Tensor) && typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
    throw new TypeError(`setIndex_(): the value must be a Tensor, number, bigint or boolean, not ${value === null ? 'null' : typeof value}`);
  }
  guard('setIndex_', x);
  const { view, advanced } = applyBasic(x, items.map(parseItem), PLAIN);
  if (advanced.length === 0) {
    if (value instanceof Tensor) copy_(view, value);
    else fill_(view, value);
    return x;
  }
  const p = plan(view, advanced);
  put(view, p, valuesFor('setIndex_', value, view.dtype, p.shape), false);
  bumpVersion(view);
  return x;
}
