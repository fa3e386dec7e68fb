/**
 * `DataLoader`: iterates a dataset in batches, as `torch.utils.data.DataLoader` (map-style
 * datasets). Options keep PyTorch's names in camelCase and PyTorch's defaults and errors.
 *
 * https://pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
 */
import type { ResourceLimits } from 'node:worker_threads';
import { type OptionSpec, checkOptions, describeValue } from '../options';
import { type Collated, defaultCollate } from './collate';
import { type Dataset, checkDataset } from './dataset';
import { type Generator, drawSeed } from './random';
import { BatchSampler, type BatchIndexSampler, RandomSampler, type Sampler, SequentialSampler } from './sampler';
import { WorkerBatchIterator, WorkerPool, recipeKey } from './worker-pool';
import { NotPackableError, pack } from './worker-source';

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); `null` disables automatic batching. */
  batchSize?: number | null;
  /** Reshuffle the data at every epoch (default `false`). */
  shuffle?: boolean;
  /** Where indices come from; mutually exclusive with `shuffle`. */
  sampler?: Sampler | (Iterable<number> & { length?: number });
  /** Where lists of indices come from; mutually exclusive with batchSize, shuffle, sampler, dropLast. */
  batchSampler?: BatchIndexSampler | (Iterable<number[]> & { length?: number });
  /** Worker threads preparing batches (default 0: in the main thread). */
  numWorkers?: number;
  /** Merges a list of samples into a batch (default `defaultCollate`). */
  collateFn?: (samples: T[]) => B;
  /** Drop the last incomplete batch (default `false`). */
  dropLast?: boolean;
  /** Seconds to wait for a batch from the workers; 0 (default) waits forever. */
  timeout?: number;
  /** Generator for the sampler's shuffling and the workers' base seed (default: the global one). */
  generator?: Generator;
  /** Batches prepared ahead by each worker (default 2 when numWorkers > 0). */
  prefetchFactor?: number;
  /**
   * Keep the worker threads between epochs (default `true` here, unlike PyTorch; results are the
   * same either way — see NOTE [ Reused worker threads ] in docs/DATA.md). `false` starts fresh
   * workers every epoch.
   */
  persistentWorkers?: boolean;
  /**
   * Node's `resourceLimits` for each worker thread (kindling's addition, e.g.
   * `{ maxOldGenerationSizeMb: 512 }`): a worker that exceeds them ends, and the loop fails with a
   * `DataLoaderWorkerError` naming it, instead of the process growing.
   */
  workerResourceLimits?: ResourceLimits;
}

/**
 * Every option of `torch.utils.data.DataLoader`, camelCased. Those kindling does not implement
 * throw (accepting their default value), instead of being silently ignored.
 */
const DATALOADER_OPTIONS: OptionSpec = {
  batchSize: 'integer|null',
  shuffle: 'boolean',
  sampler: 'any',
  batchSampler: 'any',
  numWorkers: 'integer',
  collateFn: 'function',
  dropLast: 'boolean',
  timeout: 'number',
  generator: 'object',
  prefetchFactor: 'integer',
  persistentWorkers: 'boolean',
  workerResourceLimits: 'object',
  pinMemory: onlyDefault(false, 'no pinned memory: kindling tensors live in ordinary CPU memory'),
  pinMemoryDevice: onlyDefault('', 'no pinned memory: kindling tensors live in ordinary CPU memory'),
  workerInitFn: { notImplemented: 'workers rebuild the dataset from its recipe instead; see docs/DATA.md' },
  multiprocessingContext: { notImplemented: 'workers are worker_threads, not processes' },
  inOrder: onlyDefault(true, 'batches always come in sampler order'),
};

/** An option kindling accepts only at PyTorch's default value (the behaviour it implements). */
function onlyDefault(value: unknown, why: string): (given: unknown) => string | null {
  return (given) => (given === value ? null : `${JSON.stringify(value)} (${why})`);
}

/** The idle worker pool of a DataLoader, between two epochs (with the key of its recipe). */
interface IdlePool {
  pool?: WorkerPool;
  key?: string;
}

// A DataLoader dropped with an idle pool closes it (its threads are unref'd, but would otherwise
// stay until the process exits).
const idlePools = new FinalizationRegistry<IdlePool>((idle) => idle.pool?.close());

/** A sampler option must be an object that yields indices (a Sampler, an array, a generator object). */
function checkIterable(option: 'sampler' | 'batch_sampler', value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`DataLoader: ${option} option should be an iterable of ${option === 'sampler' ? 'indices' : 'lists of indices'} (a Sampler or an array), but got ${describeValue(value)}`);
  }
}

/**
 * Combines a dataset and a sampler and yields batches (`for…of`, or `for await…of`).
 * `length` is the number of batches per epoch.
 *
 * With `numWorkers > 0`, datasets, transforms and collate functions that can be rebuilt in a
 * worker thread (see `worker-source.ts`; all of kindling's can) are loaded by that many worker
 * threads, prefetching `prefetchFactor` batches each, and yielded in order — also from a plain
 * synchronous `for…of`. A dataset or collate function that a worker cannot rebuild is refused at
 * construction with a message that shows the fix (docs/DATA.md, "How a worker gets the dataset").
 *
 * @example
 * const loader = new DataLoader(dataset, { batchSize: 10, shuffle: true, numWorkers: 1 });
 * for (const [inputs, targets] of loader) { ... }
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Sampler | (Iterable<number> & { length?: number });
  readonly batchSampler: BatchIndexSampler | (Iterable<number[]> & { length?: number }) | null;
  readonly numWorkers: number;
  readonly collateFn: ((samples: T[]) => B) | undefined;
  readonly timeout: number;
  readonly generator: Generator | undefined;
  readonly prefetchFactor: number | undefined;
  readonly persistentWorkers: boolean;
  readonly workerResourceLimits: ResourceLimits | undefined;
  /** Whether `batchSampler` was built here from `sampler` and `batchSize` (not given). */
  private readonly ownBatchSampler: boolean;
  private readonly idle: IdlePool = {};

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    checkDataset('DataLoader', dataset);
    checkOptions('DataLoader', options, DATALOADER_OPTIONS);
    const { numWorkers = 0, timeout = 0, prefetchFactor, collateFn, generator, persistentWorkers } = options;
    let { batchSize = 1, dropLast = false, sampler, batchSampler } = options;
    const shuffle = options.shuffle ?? false;
    if (!Number.isInteger(numWorkers) || numWorkers < 0) {
      throw new RangeError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
    }
    if (!(timeout >= 0)) throw new RangeError('timeout option should be non-negative');
    // Checked here, not at the first batch: anything else would fail later inside iteration with
    // JS's "x is not iterable", which names neither the DataLoader nor the option.
    checkIterable('sampler', sampler);
    checkIterable('batch_sampler', batchSampler);
    if (numWorkers === 0 && prefetchFactor !== undefined) {
      throw new RangeError(
        'prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.',
      );
    }
    if (persistentWorkers === true && numWorkers === 0) throw new RangeError('persistent_workers option needs num_workers > 0');
    if (prefetchFactor !== undefined && !(Number.isInteger(prefetchFactor) && prefetchFactor > 0)) {
      throw new RangeError(`prefetch_factor option should be a positive integer, but got prefetch_factor=${String(prefetchFactor)}`);
    }
    if (sampler !== undefined && shuffle) throw new RangeError('sampler option is mutually exclusive with shuffle');
    if (batchSampler !== undefined) {
      if (batchSize !== 1 || shuffle || sampler !== undefined || dropLast) {
        throw new RangeError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new RangeError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    }
    sampler ??= shuffle ? new RandomSampler(dataset, { generator }) : new SequentialSampler(dataset);
    this.ownBatchSampler = batchSize !== null && batchSampler === undefined;
    if (this.ownBatchSampler) batchSampler = new BatchSampler(sampler, batchSize as number, dropLast);

    this.dataset = dataset;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.sampler = sampler;
    this.batchSampler = batchSampler ?? null;
    this.numWorkers = numWorkers;
    this.collateFn = collateFn;
    this.timeout = timeout;
    this.generator = generator;
    this.prefetchFactor = numWorkers > 0 ? (prefetchFactor ?? 2) : undefined;
    if (numWorkers > 0) {
      // The worker contract (docs/DATA.md, "How a worker gets the dataset"), checked now rather
      // than at the first batch: what a worker cannot rebuild is refused with the fix.
      try {
        pack(dataset, 'dataset');
        if (collateFn !== undefined) pack(collateFn, 'collateFn');
      } catch (e) {
        if (!(e instanceof NotPackableError)) throw e;
        throw new NotPackableError(`DataLoader with numWorkers: ${numWorkers}: ${e.message}; or use numWorkers: 0`);
      }
    }
    this.persistentWorkers = numWorkers > 0 && persistentWorkers !== false;
    this.workerResourceLimits = options.workerResourceLimits;
    if (this.persistentWorkers) idlePools.register(this, this.idle);
  }

  /** Number of batches per epoch (`len(loader)`). */
  get length(): number {
    const indexSampler = this.batchSampler ?? this.sampler;
    if (indexSampler.length === undefined) throw new TypeError('DataLoader: the sampler has no length');
    return indexSampler.length;
  }

  [Symbol.iterator](): Iterator<B> {
    // Like PyTorch, every epoch first draws a base seed (workers are seeded with base + id), then
    // the sampler draws its own when it starts.
    const baseSeed = drawSeed(this.generator);
    const workers = this.numWorkers > 0 ? this.startWorkers(baseSeed) : undefined;
    return workers ?? this.inMainThread();
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    const baseSeed = drawSeed(this.generator);
    const workers = this.numWorkers > 0 ? this.startWorkers(baseSeed) : undefined;
    if (workers !== undefined) {
      return { next: () => workers.nextAsync(), return: async () => workers.return() };
    }
    const inner = this.inMainThread();
    return { next: async () => inner.next(), return: async () => inner.return?.() ?? { done: true, value: undefined } };
  }

  /**
   * The epoch's lists of indices, each checked against the dataset's length (a sampler's bad index
   * would otherwise be truncated or wrapped on its way to a worker, or read `undefined` from a
   * plain dataset).
   */
  private indexBatches(): Iterator<number[]> {
    const size = this.dataset.length;
    if (this.batchSampler !== null) {
      const lists = this.batchSampler[Symbol.iterator]();
      // Batches of the DataLoader's own BatchSampler hold what the sampler yielded.
      const source = this.ownBatchSampler ? 'the sampler yielded' : undefined;
      let batch = 0;
      return {
        next: () => {
          const step = lists.next();
          if (!step.done) checkIndices(step.value, size, batch++, source);
          return step;
        },
      };
    }
    const single = this.sampler[Symbol.iterator]();
    return {
      next: () => {
        const step = single.next();
        if (step.done) return { done: true, value: undefined };
        checkIndex(step.value, size, 'the sampler yielded');
        return { done: false, value: [step.value] };
      },
    };
  }

  private *inMainThread(): IterableIterator<B> {
    const dataset = this.dataset;
    const collate = (this.collateFn ?? defaultCollate) as (samples: unknown) => B;
    const batches = this.indexBatches();
    if (this.batchSize === null && this.batchSampler === null) {
      // No automatic batching: each sample goes through collateFn alone (PyTorch's default_convert).
      for (let s = batches.next(); !s.done; s = batches.next()) {
        const sample = dataset.getItem(s.value[0]);
        yield this.collateFn ? collate(sample) : (sample as unknown as B);
      }
      return;
    }
    for (let s = batches.next(); !s.done; s = batches.next()) {
      const indices = s.value;
      const samples = dataset.getItems ? dataset.getItems(indices) : indices.map((i) => dataset.getItem(i));
      yield collate(samples);
    }
  }

  /**
   * Hands the epoch to the worker threads — the idle ones of the previous epoch when they were
   * built from the same recipe, else new ones.
   */
  private startWorkers(baseSeed: number): WorkerBatchIterator<B> {
    const packedDataset = pack(this.dataset, 'dataset');
    const packedCollate = this.collateFn === undefined ? null : pack(this.collateFn, 'collateFn');
    const key = this.persistentWorkers ? recipeKey([packedDataset, packedCollate]) : undefined;
    let pool = this.idle.pool;
    this.idle.pool = undefined;
    if (pool !== undefined && (!pool.usable || this.idle.key !== key)) {
      pool.close();
      pool = undefined;
    }
    pool ??= new WorkerPool({
      numWorkers: this.numWorkers,
      prefetchFactor: this.prefetchFactor ?? 2,
      baseSeed,
      dataset: packedDataset,
      collateFn: packedCollate,
      autoCollation: this.batchSize !== null || this.batchSampler !== null,
      resourceLimits: this.workerResourceLimits,
    });
    // An epoch read to the end leaves its workers idle: keep them for the next epoch (unless
    // another iterator's pool was kept meanwhile).
    const release = (done: WorkerPool): void => {
      if (this.persistentWorkers && this.idle.pool === undefined && done.usable) {
        this.idle.pool = done;
        this.idle.key = key;
      } else {
        done.close();
      }
    };
    return new WorkerBatchIterator<B>(this.indexBatches(), pool, { timeout: this.timeout, baseSeed }, release);
  }
}

/** Throws unless `index` is an integer in [-size, size) (negative ones count from the end). */
function checkIndex(index: unknown, size: number, source: string): void {
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new TypeError(`DataLoader: ${source} an invalid index: only integers are valid indices (got ${describeValue(index)})`);
  }
  if (index < -size || index >= size) {
    throw new RangeError(`DataLoader: ${source} an invalid index: index ${index} is out of bounds for dimension 0 with size ${size}`);
  }
}

/** Throws unless `indices` (batch number `batch` of a batch sampler) is a list of valid indices. */
function checkIndices(indices: unknown, size: number, batch: number, source = `the batch sampler yielded (in batch ${batch})`): void {
  if (!Array.isArray(indices) && !(ArrayBuffer.isView(indices) && !(indices instanceof DataView))) {
    throw new TypeError(`DataLoader: the batch sampler yielded ${describeValue(indices)} as batch ${batch}, not a list of indices`);
  }
  const list = indices as ArrayLike<unknown>;
  for (let k = 0; k < list.length; k++) checkIndex(list[k], size, source);
}
