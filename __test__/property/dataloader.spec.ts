/**
 * Property test of `DataLoader` options (src/data/dataloader.ts): random batchSize, shuffle,
 * sampler, batchSampler, dropLast, numWorkers and timeout values — valid, out of range and of the
 * wrong type — on small TensorDatasets (also empty). Every loader either refuses its options with a
 * typed error naming the option (PyTorch's snake_case wording), or yields exactly the batches the
 * options describe, or fails while iterating with a typed error naming the bad index.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { DataLoader, TensorDataset } from '../../src/data';
import type { Tensor } from '../../src/tensor';
import { check, junkArb, printCaseCounts, resultOrTypedError } from '../helpers/arbitraries';

const OPTION_NAMES = /num_samples|batch_size|shuffle|sampler|drop_last|num_workers|timeout|prefetch_factor|DataLoader|BatchSampler|index|indices/;

const optionsArb = fc.record(
  {
    batchSize: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 4 }, { arbitrary: fc.constantFrom(null, 0, -1, 2.5), weight: 1 }, { arbitrary: junkArb, weight: 1 }),
    shuffle: fc.oneof({ arbitrary: fc.boolean(), weight: 4 }, { arbitrary: junkArb, weight: 1 }),
    sampler: fc.oneof(
      { arbitrary: fc.array(fc.integer({ min: -8, max: 8 }), { maxLength: 9 }), weight: 3 },
      { arbitrary: junkArb, weight: 1 },
    ),
    batchSampler: fc.oneof({ arbitrary: fc.array(fc.array(fc.integer({ min: -3, max: 7 }), { maxLength: 3 }), { maxLength: 4 }), weight: 2 }, { arbitrary: junkArb, weight: 1 }),
    dropLast: fc.oneof({ arbitrary: fc.boolean(), weight: 4 }, { arbitrary: junkArb, weight: 1 }),
    numWorkers: fc.oneof({ arbitrary: fc.constant(0), weight: 12 }, { arbitrary: fc.constant(1), weight: 1 }, { arbitrary: fc.constantFrom(-1, 1.5, NaN), weight: 1 }, { arbitrary: junkArb, weight: 1 }),
    timeout: fc.oneof({ arbitrary: fc.constantFrom(0, 5), weight: 4 }, { arbitrary: fc.constantFrom(-1, NaN), weight: 1 }, { arbitrary: junkArb, weight: 1 }),
  },
  { requiredKeys: [] },
);

/** What the options must produce (PyTorch's rules), or 'invalid' when the constructor must refuse them. */
function expectedIndexBatches(n: number, o: Record<string, unknown>): number[][] | 'invalid' | 'shuffled' {
  const has = (k: string) => o[k] !== undefined;
  const numWorkers = o.numWorkers ?? 0;
  if (typeof numWorkers !== 'number' || !Number.isInteger(numWorkers) || numWorkers < 0) return 'invalid';
  const timeout = o.timeout ?? 0;
  if (typeof timeout !== 'number' || !(timeout >= 0)) return 'invalid';
  // PyTorch tests `shuffle` for truthiness; kindling's options are typed (issue 11).
  if (has('shuffle') && typeof o.shuffle !== 'boolean') return 'invalid';
  const shuffle = o.shuffle === true;
  if (has('sampler') && shuffle) return 'invalid';
  const isIterableObject = (v: unknown) => typeof v === 'object' && v !== null && Symbol.iterator in v;
  if (has('sampler') && !isIterableObject(o.sampler)) return 'invalid';
  if (has('batchSampler')) {
    if (!isIterableObject(o.batchSampler)) return 'invalid';
    if ((has('batchSize') && o.batchSize !== 1) || shuffle || has('sampler') || (has('dropLast') && o.dropLast !== false)) return 'invalid';
    return o.batchSampler as number[][];
  }
  const batchSize = has('batchSize') ? o.batchSize : 1;
  const dropLast = o.dropLast ?? false;
  if (batchSize === null) {
    if (dropLast !== false) return 'invalid';
  } else if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0) {
    return 'invalid';
  }
  if (typeof dropLast !== 'boolean') return 'invalid';
  // RandomSampler refuses an empty dataset: "num_samples should be a positive integer value".
  if (shuffle) return n === 0 ? 'invalid' : 'shuffled';
  const indices = has('sampler') ? (o.sampler as number[]) : [...Array(n).keys()];
  if (batchSize === null) return indices.map((i) => [i]);
  const batches: number[][] = [];
  for (let i = 0; i < indices.length; i += batchSize) batches.push(indices.slice(i, i + batchSize));
  if (dropLast && batches.length > 0 && batches[batches.length - 1].length < batchSize) batches.pop();
  return batches;
}

describe('DataLoader options (property)', () => {
  afterAll(() => printCaseCounts('dataloader'));

  it('random options either are refused with a typed error naming the option or yield exactly the described batches', () => {
    check('DataLoader random options', 250, fc.integer({ min: 0, max: 7 }), optionsArb, (n, options) => {
      const features = torch.arange(n).float().reshape([n, 1]);
      const labels = torch.arange(n).int();
      const dataset = new TensorDataset(features, labels);
      const expected = expectedIndexBatches(n, options);
      const built = resultOrTypedError(OPTION_NAMES, () => new DataLoader(dataset, options as ConstructorParameters<typeof DataLoader>[1]));
      expect(built.ok, built.ok ? `accepted ${JSON.stringify(options)}` : `${built.error.message} for ${String(JSON.stringify(options))}`).toBe(expected !== 'invalid');
      if (!built.ok || expected === 'invalid') return;
      const loader = built.value;
      // Worker threads cost seconds each to start on a loaded machine: valid worker options are
      // checked up to construction here; __test__/data/dataloader.spec.ts checks their batches.
      if (loader.numWorkers > 0) {
        expect(loader.prefetchFactor).toBe(2);
        return;
      }
      const run = resultOrTypedError(OPTION_NAMES, () => {
        const got: number[][] = [];
        for (const batch of loader) {
          const [x, y] = batch as unknown as [Tensor, Tensor];
          const ids = Array.from(x.data);
          // Features and labels stay paired, whatever the order.
          expect(Array.from(y.data)).toEqual(ids);
          got.push(ids);
        }
        return got;
      });
      const resolve = (i: number) => (i < 0 ? i + n : i);
      const inRange = (i: number) => Number.isInteger(i) && i >= -n && i < n;
      if (expected === 'shuffled') {
        if (!run.ok) throw run.error;
        const flat = run.value.flat();
        const batchSize = (options.batchSize === undefined ? 1 : options.batchSize) as number | null;
        const size = batchSize ?? 1;
        const kept = options.dropLast === true ? Math.floor(n / size) * size : n;
        expect(flat.length).toBe(kept);
        expect(new Set(flat).size).toBe(kept);
        return;
      }
      const allValid = expected.every((b) => b.every(inRange));
      if (!run.ok) {
        expect(allValid, `iteration threw ${run.error.message} for ${JSON.stringify(expected)}`).toBe(false);
        return;
      }
      // Empty batches (an empty list from a batch sampler) collate to empty tensors.
      expect(run.value).toEqual(expected.map((b) => b.map(resolve)));
      expect(allValid).toBe(true);
      if (typeof loader.length === 'number') expect(loader.length).toBe(expected.length);
    });
  });
});
