/**
 * The randomness the data pipeline needs (permutations, integer draws, per-epoch seeds), drawn
 * from kindling's Philox `Generator` so that `torch.manualSeed` governs shuffling.
 */
import { randint as randintTensor, randperm as randpermTensor } from '../creation';
import { Generator, defaultGenerator, manualSeed } from '../random/generator';

export { Generator, manualSeed };

/** A random permutation of 0..n-1, like `torch.randperm(n, generator=generator)`. */
export function randperm(n: number, generator: Generator = defaultGenerator): Int32Array {
  return randpermTensor(n, { generator, dtype: 'int32' }).data as Int32Array;
}

/** `count` integers uniform in [0, high), like `torch.randint(high, (count,), generator=generator)`. */
export function randint(high: number, count: number, generator: Generator = defaultGenerator): Int32Array {
  return randintTensor(high, [count], { generator, dtype: 'int32' }).data as Int32Array;
}

const HALF_SEED = 2 ** 26;

/**
 * A fresh seed drawn from `generator`, like `torch.empty((), dtype=torch.int64).random_()`
 * (52 random bits: seeds cross to the native side as f64 integers below 2^53).
 */
export function drawSeed(generator: Generator = defaultGenerator): number {
  const [high, low] = randint(HALF_SEED, 2, generator);
  return high * HALF_SEED + low;
}

/** A new generator seeded with `seed`, like `torch.Generator().manual_seed(seed)`. */
export function seededGenerator(seed: number): Generator {
  return new Generator().manualSeed(seed);
}
