import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DataLoader, TensorDataset } from '../../src/data';
import { manualSeed } from '../../src/data/random';
import { Tensor } from '../../src/tensor';

/** TensorDataset of n rows: x[i] = [i, i + 0.5], y[i] = i % 10. */
function tensorData(n: number): TensorDataset {
  const x = new Tensor(Float32Array.from({ length: 2 * n }, (_, k) => (k >> 1) + (k & 1) * 0.5), [n, 2], 'float32');
  const y = new Tensor(Int32Array.from({ length: n }, (_, i) => i % 10), [n], 'int32');
  return new TensorDataset(x, y);
}

function plain(batches: Iterable<Tensor[]>): number[][][] {
  return Array.from(batches, (b) => b.map((t) => Array.from(t.data)));
}

/** Each sample: its index, the thread that loaded it, and a draw from that thread's default generator. */
const probe = {
  length: 12,
  randomModule: join(__dirname, '../../src/data/random'),
  getItem(this: { randomModule: string }, i: number): number[] {
    const { threadId: thread } = require('node:worker_threads') as { threadId: number };
    const { randint } = require(this.randomModule) as { randint(high: number, count: number): Int32Array };
    return [i, thread, randint(1_000_000, 1)[0]];
  },
};

function epochs(loader: DataLoader<number[], number[]>, n: number): number[][][] {
  return Array.from({ length: n }, () => [...loader]);
}

describe('DataLoader worker reuse across epochs', () => {
  it('serves every epoch with the same worker threads (fresh ones with persistentWorkers: false)', () => {
    const loader = new DataLoader(probe, { batchSize: null, numWorkers: 2 });
    expect(loader.persistentWorkers).toBe(true);
    const threads = epochs(loader, 4).map((epoch) => [...new Set(epoch.map((s) => s[1]))].sort());
    expect(threads[0]).toHaveLength(2);
    expect(threads[0]).not.toContain(threadId);
    for (const t of threads) expect(t).toEqual(threads[0]);

    const fresh = new DataLoader(probe, { batchSize: null, numWorkers: 2, persistentWorkers: false });
    const freshThreads = epochs(fresh, 2).map((epoch) => epoch.map((s) => s[1]));
    expect(new Set([...freshThreads[0], ...freshThreads[1]]).size).toBe(4);
  });

  it('re-seeds reused workers every epoch exactly as fresh workers are seeded', () => {
    manualSeed(11);
    const reused = epochs(new DataLoader(probe, { batchSize: null, numWorkers: 2, shuffle: true }), 3);
    manualSeed(11);
    const fresh = epochs(new DataLoader(probe, { batchSize: null, numWorkers: 2, shuffle: true, persistentWorkers: false }), 3);
    const withoutThreads = (e: number[][][]): number[][][] => e.map((epoch) => epoch.map(([i, , draw]) => [i, draw]));
    expect(withoutThreads(reused)).toEqual(withoutThreads(fresh));
    expect(withoutThreads(reused)[1]).not.toEqual(withoutThreads(reused)[0]);
  });

  it('gives, epoch after epoch, the batches of numWorkers: 0', async () => {
    const ds = tensorData(37);
    manualSeed(7);
    const inMain = new DataLoader(ds, { batchSize: 4, shuffle: true });
    const expected = [plain(inMain), plain(inMain), plain(inMain), plain(inMain)];
    manualSeed(7);
    const inWorkers = new DataLoader(ds, { batchSize: 4, shuffle: true, numWorkers: 2, prefetchFactor: 3 });
    const got = [plain(inWorkers), plain(inWorkers)];
    for (let e = 0; e < 2; e++) {
      const out: number[][][] = [];
      for await (const batch of inWorkers) out.push(batch.map((t) => Array.from(t.data)));
      got.push(out);
    }
    expect(got).toEqual(expected);
  });

  it('starts cleanly after an epoch left early, and after an epoch that failed', () => {
    const ds = tensorData(300);
    manualSeed(3);
    const inMain = new DataLoader(ds, { batchSize: 2, shuffle: true });
    const expected = [plain(inMain), plain(inMain), plain(inMain)];
    manualSeed(3);
    const loader = new DataLoader(ds, { batchSize: 2, shuffle: true, numWorkers: 2 });
    const first: number[][][] = [];
    for (const batch of loader) {
      first.push(batch.map((t) => Array.from(t.data)));
      if (first.length === 5) break;
    }
    expect(first).toEqual(expected[0].slice(0, 5));
    expect(plain(loader)).toEqual(expected[1]);
    expect(plain(loader)).toEqual(expected[2]);


    // The worker's global counts its collate calls: it lives on across epochs of a reused worker
    // (the 6th call, batch 2 of epoch 2, fails) and starts again in the fresh worker that follows.
    const flaky = new DataLoader(tensorData(8), {
      batchSize: 2,
      numWorkers: 1,
      collateFn: (samples: Tensor[][]) => {
        const g = globalThis as { collateCalls?: number };
        g.collateCalls = (g.collateCalls ?? 0) + 1;
        if (g.collateCalls === 6) throw new RangeError('sixth call');
        return samples.length;
      },
    });
    expect([...flaky]).toEqual([2, 2, 2, 2]);
    expect(() => [...flaky]).toThrow('Caught RangeError in DataLoader worker 0: sixth call');
    expect([...flaky]).toEqual([2, 2, 2, 2]);
  });

  it('rejects persistentWorkers without workers', () => {
    expect(() => new DataLoader(tensorData(4), { persistentWorkers: true })).toThrow('persistent_workers option needs num_workers > 0');
  });
});
