/**
 * The randomness the data pipeline needs (permutations, integer draws, per-epoch seeds), taken
 * from kindling's Philox `Generator` so that `torch.manualSeed` governs shuffling.
 */
import { Generator, defaultGenerator, manualSeed } from '../random/generator';

export { Generator, manualSeed };

/** A random permutation of 0..n-1, like `torch.randperm(n, generator=generator)`. */
export function randperm(n: number, generator: Generator = defaultGenerator): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.next() % (i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** `count` integers uniform in [0, high), like `torch.randint(high, (count,), generator=generator)`. */
export function randint(high: number, count: number, generator: Generator = defaultGenerator): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = generator.next() % high;
  return out;
}

/** A fresh seed drawn from `generator`, like `torch.empty((), dtype=torch.int64).random_()`. */
export function drawSeed(generator: Generator = defaultGenerator): number {
  return generator.next();
}

/** A new generator seeded with `seed`, like `torch.Generator().manual_seed(seed)`. */
export function seededGenerator(seed: number): Generator {
  return new Generator().manualSeed(seed);
}
