import { describe, expect, it } from 'vitest';
import { type Dataset, randomSplit } from '../../src/data';
import { manualSeed, seededGenerator } from '../../src/data/random';

function range(n: number): Dataset<number> {
  return { length: n, getItem: (i) => i };
}

function items<T>(ds: Dataset<T>): T[] {
  return Array.from({ length: ds.length }, (_, i) => ds.getItem(i));
}

describe('randomSplit', () => {
  it('splits into disjoint subsets covering the dataset', () => {
    const parts = randomSplit(range(10), [3, 7], seededGenerator(42));
    expect(parts.map((p) => p.length)).toEqual([3, 7]);
    const all = parts.flatMap(items).sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('turns fractions into lengths, handing out the remainder round robin', () => {
    // floor(0.3 * 31) = 9, floor(0.3 * 31) = 9, floor(0.4 * 31) = 12; 1 left -> first split.
    expect(randomSplit(range(31), [0.3, 0.3, 0.4], seededGenerator(1)).map((p) => p.length)).toEqual([10, 9, 12]);
  });

  it('is reproducible with a generator and follows manualSeed without one', () => {
    const a = randomSplit(range(20), [10, 10], seededGenerator(7)).map(items);
    const b = randomSplit(range(20), [10, 10], seededGenerator(7)).map(items);
    expect(a).toEqual(b);
    manualSeed(3);
    const c = randomSplit(range(20), [10, 10]).map(items);
    manualSeed(3);
    const d = randomSplit(range(20), [10, 10]).map(items);
    expect(c).toEqual(d);
    expect(c[0]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("rejects lengths that don't add up, with PyTorch message", () => {
    expect(() => randomSplit(range(10), [3, 6])).toThrow(RangeError);
    expect(() => randomSplit(range(10), [3, 6])).toThrow('Sum of input lengths does not equal the length of the input dataset!');
    expect(() => randomSplit(range(10), [1.2, -0.2])).toThrow('Fraction at index 0 is not between 0 and 1');
  });
});
