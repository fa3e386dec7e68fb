/**
 * issue 11: a DataLoader worker that dies — heap exhausted, `process.exit` in `getItem`, an
 * uncaught asynchronous error, its thread terminated — used to leave the main thread waiting for
 * ever (unless `timeout` was set, and then the message named nothing). Each must surface, without
 * a `timeout`, as a `DataLoaderWorkerError` naming the worker, its thread, the exit code and the
 * cause, within a bounded time.
 */
import { describe, expect, it } from 'vitest';
import { DataLoader, DataLoaderWorkerError, type Dataset, WorkerError } from '../../src/data';
import type { WorkerBatchIterator } from '../../src/data/worker-pool';

/** Runs an epoch to its end; returns the batches seen before the error, the error and the time. */
function drain(loader: Iterable<unknown>): { batches: number; error: unknown; ms: number } {
  const started = Date.now();
  let batches = 0;
  try {
    for (const _ of loader) {
      void _;
      batches++;
    }
  } catch (error) {
    return { batches, error, ms: Date.now() - started };
  }
  return { batches, error: undefined, ms: Date.now() - started };
}

/** `drain` with `for await`: the event loop runs while the loop waits (the async path). */
async function drainAsync(loader: AsyncIterable<unknown>): Promise<{ batches: number; error: unknown; ms: number }> {
  const started = Date.now();
  let batches = 0;
  try {
    for await (const _ of loader) {
      void _;
      batches++;
    }
  } catch (error) {
    return { batches, error, ms: Date.now() - started };
  }
  return { batches, error: undefined, ms: Date.now() - started };
}

function expectWorkerError(error: unknown, message: RegExp, exitCode: number | null): void {
  expect(error).toBeInstanceOf(DataLoaderWorkerError);
  expect(error).toBeInstanceOf(WorkerError);
  const e = error as DataLoaderWorkerError;
  expect(e.message).toMatch(message);
  expect(e.workerId).toBe(0);
  expect(e.threadId).toBeGreaterThan(0);
  expect(e.exitCode).toBe(exitCode);
}

describe('a DataLoader worker that dies fails the loop loudly (issue 11: the loader hung)', () => {
  it('heap exhaustion in getItem (ERR_WORKER_OUT_OF_MEMORY), under for await', async () => {
    const dataset: Dataset<number> = {
      length: 4,
      getItem(i: number): number {
        if (i < 2) return i;
        const hoard: number[][] = [];
        for (;;) hoard.push(new Array<number>(1 << 20).fill(i));
      },
    };
    const loader = new DataLoader(dataset, { batchSize: 2, numWorkers: 1, workerResourceLimits: { maxOldGenerationSizeMb: 256 } });
    const { batches, error, ms } = await drainAsync(loader);
    expect(batches).toBe(1);
    expectWorkerError(
      error,
      /^DataLoader worker 0 \(thread \d+\) exited unexpectedly with exit code 1: ERR_WORKER_OUT_OF_MEMORY: Error: Worker terminated due to reaching memory limit: JS heap out of memory$/,
      1,
    );
    expect(ms).toBeLessThan(45_000);
  }, 60_000);

  it('process.exit in getItem', () => {
    const dataset = { length: 6, getItem: (i: number) => (i === 4 ? process.exit(7) : i) };
    const { batches, error } = drain(new DataLoader(dataset, { batchSize: 2, numWorkers: 1 }));
    expect(batches).toBe(2);
    expectWorkerError(error, /^DataLoader worker 0 \(thread \d+\) exited unexpectedly with exit code 7$/, 7);
  });

  it('an uncaught asynchronous error in the worker', () => {
    // The microtask runs when the worker's task handler returns, after its first chunk of tasks
    // (64 batches and the prefetched ones); the last batch never comes.
    const dataset = {
      length: 1000,
      getItem(i: number): number {
        if (i === 0) {
          queueMicrotask(() => {
            throw new RangeError('async boom');
          });
        }
        return i;
      },
    };
    const { batches, error } = drain(new DataLoader(dataset, { numWorkers: 1 }));
    expect(batches).toBeLessThan(1000);
    expectWorkerError(error, /^DataLoader worker 0 \(thread \d+\) exited unexpectedly with exit code 1: RangeError: async boom$/, 1);
  });

  it("the workers' threads terminated from outside (their supervisor thread), under for await", async () => {
    // Many batches: the worker is at most prefetchFactor (2) batches ahead of the consumer.
    const loader = new DataLoader({ length: 400, getItem: (i: number) => i }, { batchSize: 2, numWorkers: 1 });
    const epoch = loader[Symbol.iterator]() as WorkerBatchIterator<unknown>;
    expect((await epoch.nextAsync()).done).toBe(false);
    const { pool } = epoch as unknown as { pool: { supervisor: { terminate(): Promise<number> } } };
    void pool.supervisor.terminate();
    const { error, ms } = await drainAsync({ [Symbol.asyncIterator]: () => ({ next: () => epoch.nextAsync() }) });
    expectWorkerError(
      error,
      /^DataLoader worker 0 \(thread \d+\) is gone: its supervisor thread \(thread \d+\) stopped answering 3 s ago \(terminated\?\)$/,
      null,
    );
    expect(ms).toBeLessThan(10_000);
  });

  it('the timeout message names the worker and the batch it waited for', () => {
    // Worker 1 makes batch 1 (samples 2 and 3) and never finishes it. The wait for batch 0
    // includes starting the workers (up to ~10 s on a loaded 2-core machine), so the test
    // checks that the message names the batch that did not come and the worker it was due from.
    const dataset = {
      length: 6,
      getItem(i: number): number {
        if (i === 2) for (;;);
        return i;
      },
    };
    const { batches, error } = drain(new DataLoader(dataset, { batchSize: 2, numWorkers: 2, timeout: 3 }));
    expect(batches).toBeLessThanOrEqual(1);
    expect(error).toBeInstanceOf(DataLoaderWorkerError);
    const match = /^DataLoader timed out after 3 seconds waiting for batch (\d+) from worker (\d+) \(thread (\d+)\)$/.exec((error as Error).message);
    expect(match).not.toBeNull();
    const [batch, worker, thread] = (match ?? []).slice(1).map(Number);
    expect(batch).toBe(batches);
    expect(worker).toBe(batch % 2);
    expect((error as DataLoaderWorkerError).workerId).toBe(worker);
    expect((error as DataLoaderWorkerError).threadId).toBe(thread);
    expect((error as DataLoaderWorkerError).exitCode).toBe(null);
  });

  it('a loader whose worker died serves the next epoch with fresh workers', () => {
    const loader = new DataLoader({ length: 400, getItem: (i: number) => i }, { batchSize: 2, numWorkers: 1 });
    const epoch = loader[Symbol.iterator]() as WorkerBatchIterator<unknown>;
    epoch.next();
    const { pool } = epoch as unknown as { pool: { supervisor: { terminate(): Promise<number> } } };
    void pool.supervisor.terminate();
    expect(drain({ [Symbol.iterator]: () => epoch }).error).toBeInstanceOf(DataLoaderWorkerError);
    expect(drain(loader)).toMatchObject({ batches: 200, error: undefined });
  });
});
