/**
 * `setNumThreads` between training steps: each change is reported by `getNumThreads` and takes
 * effect for the next step, and because kernels split work in a thread-count-independent order,
 * training with 1, then 2, then 1 thread gives bit-identical results to training on 1 thread.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';

const load = createRequire(__filename);
interface Result {
  losses: number[];
  weights: Float32Array[];
  threads: number[];
}
const { train } = load(join(__dirname, 'fixtures', 'seeded-training.cjs')) as {
  train: (t: typeof torch, steps: number, options?: object) => Result;
};

function bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe('setNumThreads between steps', () => {
  const initial = torch.getNumThreads();
  afterAll(() => torch.setNumThreads(initial));

  it('reports each change and trains identically on 1 → 2 → 1 threads as on 1', () => {
    const oneThread = train(torch, 15, { batch: 128, threadsAt: { 0: 1 } });
    expect(oneThread.threads).toEqual(Array(15).fill(1));
    const switching = train(torch, 15, { batch: 128, threadsAt: { 0: 1, 5: 2, 10: 1 } });
    expect(switching.threads).toEqual([...Array(5).fill(1), ...Array(5).fill(2), ...Array(5).fill(1)]);
    expect(torch.getNumThreads()).toBe(1);
    expect(switching.losses).toEqual(oneThread.losses);
    switching.weights.forEach((w, i) => expect(bytes(w).equals(bytes(oneThread.weights[i]))).toBe(true));
    // And all-2 as well: the result does not depend on the thread count at all.
    const twoThreads = train(torch, 15, { batch: 128, threadsAt: { 0: 2 } });
    expect(twoThreads.losses).toEqual(oneThread.losses);
    twoThreads.weights.forEach((w, i) => expect(bytes(w).equals(bytes(oneThread.weights[i]))).toBe(true));
  });

  it('rejects a bad thread count with a RangeError naming it', () => {
    expect(() => torch.setNumThreads(0)).toThrow(new RangeError('setNumThreads: expected a positive integer, got 0'));
    expect(() => torch.setNumThreads(1.5)).toThrow(new RangeError('setNumThreads: expected a positive integer, got 1.5'));
  });
});
