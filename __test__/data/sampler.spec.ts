import { describe, expect, it } from 'vitest';
import { BatchSampler, RandomSampler, SequentialSampler } from '../../src/data';
import { manualSeed, seededGenerator } from '../../src/data/random';

const ten = { length: 10 };

describe('SequentialSampler', () => {
  it('yields 0..n-1', () => {
    expect([...new SequentialSampler(ten)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new SequentialSampler(ten).length).toBe(10);
  });
});

describe('RandomSampler', () => {
  it('yields a permutation, a new one each pass', () => {
    manualSeed(0);
    const sampler = new RandomSampler(ten);
    const first = [...sampler];
    const second = [...sampler];
    expect([...first].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(second).not.toEqual(first);
  });

  it('follows manualSeed when no generator is given (a seed per pass from the global generator)', () => {
    manualSeed(42);
    const a = [[...new RandomSampler(ten)], [...new RandomSampler(ten)]];
    manualSeed(42);
    const b = [[...new RandomSampler(ten)], [...new RandomSampler(ten)]];
    expect(a).toEqual(b);
  });

  it('uses the given generator', () => {
    expect([...new RandomSampler(ten, { generator: seededGenerator(5) })]).toEqual([
      ...new RandomSampler(ten, { generator: seededGenerator(5) }),
    ]);
  });

  it('draws numSamples indices, with or without replacement', () => {
    const withReplacement = [...new RandomSampler(ten, { replacement: true, numSamples: 70 })];
    expect(withReplacement).toHaveLength(70);
    expect(withReplacement.every((i) => i >= 0 && i < 10)).toBe(true);
    const more = [...new RandomSampler(ten, { numSamples: 25 })];
    expect(more).toHaveLength(25);
    // Two full permutations, then five more indices.
    expect([...more.slice(0, 10)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new RandomSampler(ten, { numSamples: 25 }).length).toBe(25);
  });

  it('rejects bad options with PyTorch messages', () => {
    expect(() => new RandomSampler(ten, { numSamples: 0 })).toThrow(
      'num_samples should be a positive integer value, but got num_samples=0',
    );
    expect(() => new RandomSampler(ten, { replacement: 1 as unknown as boolean })).toThrow(
      'replacement should be a boolean value, but got replacement=1',
    );
  });
});

describe('BatchSampler', () => {
  it('groups indices, keeping or dropping the last short batch', () => {
    const seq = new SequentialSampler({ length: 5 });
    expect([...new BatchSampler(seq, 2, false)]).toEqual([[0, 1], [2, 3], [4]]);
    expect([...new BatchSampler(seq, 2, true)]).toEqual([[0, 1], [2, 3]]);
    expect(new BatchSampler(seq, 2, false).length).toBe(3);
    expect(new BatchSampler(seq, 2, true).length).toBe(2);
  });

  it('rejects a batch size that is not a positive integer', () => {
    const seq = new SequentialSampler(ten);
    expect(() => new BatchSampler(seq, 0, false)).toThrow('batch_size should be a positive integer value, but got batch_size=0');
    expect(() => new BatchSampler(seq, 2.5, false)).toThrow('batch_size=2.5');
  });
});
