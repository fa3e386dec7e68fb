/**
 * Map-style datasets, as `torch.utils.data.Dataset`: a `length` and `getItem(i)`, plus an optional
 * batched `getItems(indices)` (PyTorch's `__getitems__`) that the DataLoader calls instead of
 * `getItem` once per index when it is present.
 *
 * https://pytorch.org/docs/stable/data.html#torch.utils.data.Dataset
 */
import { describeValue } from '../options';
import { Tensor } from '../tensor';
import type { WorkerSource } from './worker-source';

export interface Dataset<T = unknown> {
  /** Number of samples (`len(dataset)`). */
  readonly length: number;
  /** The sample at `index` (negative indices count from the end, as in PyTorch). */
  getItem(index: number): T;
  /**
   * Optional batched access (`__getitems__`): the samples at `indices`, in order. The DataLoader
   * passes the result to its `collateFn`. Return a `CollatedSamples` (see `collate.ts`) to hand
   * the default collate an already-stacked batch.
   */
  getItems?(indices: ArrayLike<number>): T[];
  /**
   * Optional: how to rebuild this dataset inside a DataLoader worker thread (see
   * `worker-source.ts`). Datasets without it are loaded in the main thread when `numWorkers > 0`.
   */
  workerSource?(): WorkerSource;
}

/**
 * Throws unless `dataset` is a map-style dataset: an object with a non-negative integer `length`
 * and a `getItem(index)` or `getItems(indices)` method. Checked where a dataset is handed over
 * (`new DataLoader(dataset)`, samplers, `randomSplit`): a non-dataset would otherwise run zero
 * batches (`length` undefined or NaN compares false), a fractional length one batch too many, and
 * `null` fail far away with "Cannot read properties of null". `owner` names the caller.
 */
export function checkDataset(owner: string, dataset: unknown): asserts dataset is Dataset {
  if (typeof dataset !== 'object' || dataset === null) {
    throw new TypeError(
      `${owner}: dataset must be a Dataset (an object with a length and getItem(index) or getItems(indices)), got ${describeValue(dataset)}`,
    );
  }
  checkSized(owner, dataset, 'dataset');
  const { getItem, getItems } = dataset as Partial<Dataset>;
  const kind = (dataset as object).constructor?.name ?? 'Object';
  if (typeof getItem !== 'function' && typeof getItems !== 'function') {
    throw new TypeError(`${owner}: object of type '${kind}' is not a dataset: it has no getItem(index) or getItems(indices) method`);
  }
}

/**
 * Throws unless `value` has a non-negative integer `length` (Python's `Sized`): what samplers need
 * of their data source. `what` names the argument in messages.
 */
export function checkSized(owner: string, value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${owner}: ${what} must be an object with a length, got ${describeValue(value)}`);
  }
  const { length } = value as { length?: unknown };
  if (length === undefined) {
    const kind = (value as object).constructor?.name ?? 'Object';
    const keys = Object.keys(value);
    throw new TypeError(
      `${owner}: object of type '${kind}' has no length: a ${what} needs a length (its number of samples)${keys.length > 0 ? `; it has ${keys.join(', ')}` : ''}`,
    );
  }
  // Python's len(): a float is a TypeError ('float' object cannot be interpreted as an integer),
  // a negative integer a ValueError (__len__() should return >= 0).
  if (typeof length !== 'number' || !Number.isInteger(length)) {
    throw new TypeError(`${owner}: ${what} length must be a non-negative integer, got ${describeValue(length)}`);
  }
  if (length < 0) throw new RangeError(`${owner}: ${what} length must be a non-negative integer, got ${describeValue(length)}`);
}

/**
 * Resolves a Python-style index against `size`: integers in [-size, size) are valid, negatives
 * count from the end. The message is PyTorch's tensor-indexing `IndexError`.
 */
export function resolveIndex(index: number, size: number): number {
  if (!Number.isInteger(index)) {
    throw new TypeError(`only integers are valid indices (got ${String(index)})`);
  }
  if (index < -size || index >= size) {
    throw new RangeError(`index ${index} is out of bounds for dimension 0 with size ${size}`);
  }
  return index < 0 ? index + size : index;
}

/**
 * Wraps tensors that share their first dimension; sample `i` is `[t0[i], t1[i], …]`, as
 * `torch.utils.data.TensorDataset`.
 *
 * @example
 * const ds = new TensorDataset(x, y); // x: [100, 3], y: [100]
 * const [xi, yi] = ds.getItem(0);     // xi: [3], yi: [] (0-d)
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new TypeError('TensorDataset: expected at least one tensor');
    for (const t of tensors) {
      if (!(t instanceof Tensor) || t.shape.length === 0) {
        throw new TypeError('TensorDataset: every argument must be a tensor with at least one dimension');
      }
      if (t.shape[0] !== tensors[0].shape[0]) throw new RangeError('Size mismatch between tensors');
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const i = resolveIndex(index, this.length);
    return this.tensors.map((t) => rowOf(t, i));
  }

  workerSource(): WorkerSource {
    return { module: __filename, exportName: 'TensorDataset', args: this.tensors };
  }
}

/** Row `i` of `t` as a new tensor of shape `t.shape.slice(1)` (copied: storage is offset 0). */
function rowOf(t: Tensor, i: number): Tensor {
  const rowShape = t.shape.slice(1);
  const rowSize = t.data.length / t.shape[0];
  return new Tensor(t.data.slice(i * rowSize, (i + 1) * rowSize), rowShape, t.dtype);
}

/**
 * The samples of `dataset` at `indices`, in that order, as `torch.utils.data.Subset`.
 */
export class Subset<T> implements Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: readonly number[];

  constructor(dataset: Dataset<T>, indices: ArrayLike<number>) {
    this.dataset = dataset;
    this.indices = Array.from(indices);
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[resolveIndex(index, this.indices.length)]);
  }

  getItems(indices: ArrayLike<number>): T[] {
    const mapped = new Array<number>(indices.length);
    for (let k = 0; k < indices.length; k++) mapped[k] = this.indices[resolveIndex(indices[k], this.indices.length)];
    if (this.dataset.getItems) return this.dataset.getItems(mapped);
    return mapped.map((i) => this.dataset.getItem(i));
  }

  workerSource(): WorkerSource {
    return { module: __filename, exportName: 'Subset', args: [this.dataset, this.indices] };
  }
}

/**
 * The concatenation of several datasets, as `torch.utils.data.ConcatDataset`.
 */
export class ConcatDataset<T> implements Dataset<T> {
  readonly datasets: Dataset<T>[];
  /** Running totals of the lengths (`cumulative_sizes`). */
  readonly cumulativeSizes: number[];

  constructor(datasets: Iterable<Dataset<T>>) {
    this.datasets = Array.from(datasets);
    if (this.datasets.length === 0) throw new RangeError('datasets should not be an empty iterable');
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  getItem(index: number): T {
    if (!Number.isInteger(index)) throw new TypeError(`only integers are valid indices (got ${String(index)})`);
    if (index < 0) {
      if (-index > this.length) throw new RangeError('absolute value of index should not exceed dataset length');
      index += this.length;
    }
    if (index >= this.length) {
      throw new RangeError(`index ${index} is out of bounds for dimension 0 with size ${this.length}`);
    }
    const which = bisectRight(this.cumulativeSizes, index);
    const start = which === 0 ? 0 : this.cumulativeSizes[which - 1];
    return this.datasets[which].getItem(index - start);
  }

  workerSource(): WorkerSource {
    return { module: __filename, exportName: 'ConcatDataset', args: [this.datasets] };
  }
}

/** First position whose value is greater than `x` (Python's `bisect.bisect_right`). */
function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < sorted[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
