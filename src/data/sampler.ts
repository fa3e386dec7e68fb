/**
 * Index samplers, as `torch.utils.data.Sampler` and friends: iterables of dataset indices with a
 * `length`. `BatchSampler` groups another sampler's indices into lists.
 *
 * https://pytorch.org/docs/stable/data.html#data-loading-order-and-sampler
 */
import { checkOptions } from '../options';
import { checkSized } from './dataset';
import { type Generator, drawSeed, randint, randperm, seededGenerator } from './random';

/** Anything that yields indices and knows how many (`Sampler[int]`). */
export interface Sampler extends Iterable<number> {
  readonly length: number;
}

/** Anything that yields lists of indices, one per batch (`Sampler[list[int]]`). */
export interface BatchIndexSampler extends Iterable<number[]> {
  readonly length: number;
}

/** Something with a length, like Python's `Sized`. */
export interface Sized {
  readonly length: number;
}

/** Yields 0, 1, …, length - 1 (`SequentialSampler`). */
export class SequentialSampler implements Sampler {
  constructor(readonly dataSource: Sized) {
    checkSized('SequentialSampler', dataSource, 'data source');
  }

  get length(): number {
    return this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    for (let i = 0; i < n; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default `false`). */
  replacement?: boolean;
  /** How many indices to draw (default: the dataset's length). */
  numSamples?: number;
  /** Source of randomness; without one, each pass draws a fresh seed from the default generator. */
  generator?: Generator;
}

/**
 * Yields indices in random order (`RandomSampler`): a permutation per pass of the dataset, or
 * `numSamples` uniform draws with `replacement`. Without a `generator` each iteration draws its
 * seed from the default generator, so `torch.manualSeed` fixes the whole sequence of epochs.
 */
export class RandomSampler implements Sampler {
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly requestedSamples: number | undefined;

  constructor(
    readonly dataSource: Sized,
    options: RandomSamplerOptions = {},
  ) {
    checkSized('RandomSampler', dataSource, 'data source');
    // replacement and numSamples keep PyTorch's own messages (below).
    checkOptions('RandomSampler', options, { replacement: 'any', numSamples: 'any', generator: 'object' });
    const { replacement = false, numSamples, generator } = options;
    if (typeof replacement !== 'boolean') {
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    }
    this.replacement = replacement;
    this.requestedSamples = numSamples;
    this.generator = generator;
    const n = this.numSamples;
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`num_samples should be a positive integer value, but got num_samples=${String(n)}`);
    }
  }

  get numSamples(): number {
    return this.requestedSamples ?? this.dataSource.length;
  }

  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const generator = this.generator ?? seededGenerator(drawSeed());
    const count = this.numSamples;
    if (this.replacement) {
      // PyTorch draws in chunks of 32 so that a partially consumed pass costs little.
      for (let done = 0; done < count; done += 32) yield* randint(n, Math.min(32, count - done), generator);
      return;
    }
    for (let pass = 0; pass < Math.floor(count / n); pass++) yield* randperm(n, generator);
    const rest = count % n;
    if (rest > 0) yield* randperm(n, generator).subarray(0, rest);
  }
}

/**
 * Groups the indices of `sampler` into lists of `batchSize` (`BatchSampler`); the last, shorter
 * list is dropped when `dropLast`.
 *
 * @example
 * [...new BatchSampler(new SequentialSampler({ length: 5 }), 2, false)] // [[0, 1], [2, 3], [4]]
 */
export class BatchSampler implements BatchIndexSampler {
  constructor(
    readonly sampler: Iterable<number> & Partial<Sized>,
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${String(batchSize)}`);
    }
    if (typeof dropLast !== 'boolean') {
      throw new TypeError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
    }
  }

  get length(): number {
    const n = this.sampler.length;
    if (n === undefined) throw new TypeError('BatchSampler: the sampler has no length');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const index of this.sampler) {
      batch.push(index);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
