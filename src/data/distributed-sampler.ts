/**
 * `torch.utils.data.DistributedSampler`: gives each of `numReplicas` processes its own share of
 * a dataset's indices, the same size on every rank. All ranks draw the same permutation (seeded
 * with `seed + epoch`, so call `setEpoch` each epoch for a new order), pad it by repeating its
 * head until it divides evenly (or, with `dropLast`, cut its tail), and take every
 * `numReplicas`-th index starting at `rank`.
 *
 * Works without MPI when `numReplicas` and `rank` are given; otherwise they come from the
 * process group (kindling/distributed), as in PyTorch.
 */
import { getRank, getWorldSize } from '../distributed/process-group';
import { checkOptions, describeValue } from '../options';
import { checkSized } from './dataset';
import { randperm, seededGenerator } from './random';
import type { Sampler, Sized } from './sampler';

export interface DistributedSamplerOptions {
  /** How many processes share the dataset (default: the process group's world size). */
  numReplicas?: number;
  /** This process's rank among them (default: the process group's rank). */
  rank?: number;
  /** Shuffle the indices, with the same order on every rank (default `true`). */
  shuffle?: boolean;
  /** Seed of the shuffle; must be the same on every rank (default 0). */
  seed?: number;
  /** Drop the tail so every rank gets the same count, instead of padding (default `false`). */
  dropLast?: boolean;
}

function checkCount(owner: string, name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${owner}: ${name} should be an integer >= ${min}, but got ${describeValue(value)}`);
  }
  return value;
}

/**
 * The indices rank `rank` of `numReplicas` takes from `order` (a permutation or 0..n-1):
 * PyTorch's padding (repeat the head), or with `dropLast` its truncation, then the stride.
 */
export function distributedIndices(order: ArrayLike<number>, numReplicas: number, rank: number, dropLast: boolean): number[] {
  const n = order.length;
  const numSamples = numSamplesOf(n, numReplicas, dropLast);
  // An empty dataset gives numSamples 0, so the modulo never sees n = 0.
  // Position p of the padded (or cut) list is order[p mod n]: padding repeats the list from its start.
  const out = new Array<number>(numSamples);
  for (let k = 0; k < numSamples; k++) out[k] = order[(rank + k * numReplicas) % n];
  return out;
}

/** PyTorch's `num_samples`: ceil(n / R), or with `dropLast` on an uneven split ceil((n - R) / R). */
function numSamplesOf(n: number, numReplicas: number, dropLast: boolean): number {
  if (dropLast && n % numReplicas !== 0) return Math.max(0, Math.ceil((n - numReplicas) / numReplicas));
  return Math.ceil(n / numReplicas);
}

export class DistributedSampler implements Sampler {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** The epoch the next iteration shuffles for (`setEpoch`). */
  epoch = 0;

  constructor(
    readonly dataset: Sized,
    options: DistributedSamplerOptions = {},
  ) {
    const owner = 'DistributedSampler';
    checkSized(owner, dataset, 'dataset');
    checkOptions(owner, options, { numReplicas: 'integer', rank: 'integer', shuffle: 'boolean', seed: 'integer', dropLast: 'boolean' });
    const { shuffle = true, seed = 0, dropLast = false } = options;
    // Like PyTorch: missing values come from the default process group (its error if there is none).
    this.numReplicas = checkCount(owner, 'numReplicas', options.numReplicas ?? getWorldSize(), 1);
    const rank = options.rank ?? getRank();
    if (rank >= this.numReplicas || rank < 0) {
      throw new RangeError(`Invalid rank ${rank}, rank should be in the interval [0, ${this.numReplicas - 1}]`);
    }
    this.rank = rank;
    this.shuffle = shuffle;
    this.seed = checkCount(owner, 'seed', seed, 0);
    this.dropLast = dropLast;
  }

  /** Indices per rank and epoch (`num_samples`). */
  get numSamples(): number {
    return numSamplesOf(this.dataset.length, this.numReplicas, this.dropLast);
  }

  /** Indices of one epoch over all ranks, padding included (`total_size`). */
  get totalSize(): number {
    return this.numSamples * this.numReplicas;
  }

  get length(): number {
    return this.numSamples;
  }

  /** Sets the epoch whose order the next iteration yields: call it before each epoch. */
  setEpoch(epoch: number): void {
    this.epoch = checkCount('DistributedSampler.setEpoch', 'epoch', epoch, 0);
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataset.length;
    let order: ArrayLike<number>;
    if (this.shuffle) order = randperm(n, seededGenerator(this.seed + this.epoch));
    else order = Int32Array.from({ length: n }, (_, i) => i);
    yield* distributedIndices(order, this.numReplicas, this.rank, this.dropLast);
  }
}
