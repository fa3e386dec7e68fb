import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';

/** `spinWhileEqualAt`: the DataLoader's poll of a shared counter (kindling-core and kindling-node spin_wait.rs). */
describe('spinWhileEqualAt', () => {
  it('returns true at once when the counter already differs, false after the time limit otherwise', () => {
    const counters = new Int32Array(new SharedArrayBuffer(16));
    counters[2] = 7;
    expect(native.spinWhileEqualAt(counters, 2, 6, 1e6)).toBe(true);
    const start = process.hrtime.bigint();
    expect(native.spinWhileEqualAt(counters, 2, 7, 2000)).toBe(false);
    expect(Number(process.hrtime.bigint() - start) / 1e3).toBeGreaterThanOrEqual(2000);
  });

  it('sees another thread move the counter', async () => {
    const counters = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const c = new Int32Array(workerData);
       setTimeout(() => { Atomics.store(c, 1, 1); }, 20);`,
      { eval: true, workerData: counters.buffer },
    );
    const started = new Promise((ok) => worker.once('online', ok));
    await started;
    expect(native.spinWhileEqualAt(counters, 1, 0, 5e6)).toBe(true);
    expect(Atomics.load(counters, 1)).toBe(1);
    await worker.terminate();
  });

  it('refuses an index outside the array and a bad time limit with a RangeError naming it', () => {
    const counters = new Int32Array(4);
    const outOfBounds = (): boolean => native.spinWhileEqualAt(counters, 4, 0, 10);
    expect(outOfBounds).toThrow(RangeError);
    expect(outOfBounds).toThrow('spin_while_equal: index 4 is out of bounds for 4 counters');
    expect(() => native.spinWhileEqualAt(counters, 0, 0, -1)).toThrow(RangeError);
    expect(() => native.spinWhileEqualAt(counters, 0, 0, Number.NaN)).toThrow(/maxMicros must be a finite number >= 0, got NaN/);
  });
});
