/**
 * Threads and the event loop: several worker_threads train the same seeded model at once and each
 * gets exactly what the main thread gets alone; a worker whose training throws delivers its error
 * to the main thread (no hang, no crash). Runs the built package (dist/), as users' workers do.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const FIXTURE = join(__dirname, 'fixtures', 'seeded-training.cjs');
const load = createRequire(__filename);

interface Result {
  losses: number[];
  weights: Float32Array[];
  threads: number[];
}
type Torch = typeof import('../../src');
const { train } = load(FIXTURE) as { train: (torch: Torch, steps: number, options?: object) => Result };

/** Starts a worker on the fixture; resolves with its result, rejects with its error, and times out rather than hang. */
function trainInWorker(steps: number, options: object = {}): Promise<{ result: Result; exitCode: number }> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(FIXTURE, { workerData: { seededTraining: true, steps, options } });
    let result: Result | undefined;
    let failure: Error | undefined;
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error('worker did not finish within 60 s'));
    }, 60_000);
    worker.on('message', (r: Result) => (result = r));
    worker.on('error', (e) => (failure = e));
    worker.on('exit', (exitCode) => {
      clearTimeout(timer);
      if (failure) reject(Object.assign(failure, { exitCode }));
      else if (result) resolvePromise({ result, exitCode });
      else reject(new Error(`worker exited with code ${exitCode} and no result`));
    });
  });
}

function same(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('training in worker threads', () => {
  let torch: Torch;
  beforeAll(() => {
    if (!existsSync(join(repo, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (workers load the built package)');
    torch = load('kindling') as Torch;
  });

  it('gives 3 concurrent workers exactly the result of training alone in the main thread', async () => {
    const steps = 25;
    const alone = train(torch, steps);
    // The model learns something (so equal results are not equal garbage).
    expect(alone.losses[0]).toBeGreaterThan(2);
    expect(alone.losses.every(Number.isFinite)).toBe(true);
    const runs = await Promise.all([0, 1, 2].map(() => trainInWorker(steps)));
    for (const { result, exitCode } of runs) {
      expect(exitCode).toBe(0);
      expect(result.losses).toEqual(alone.losses);
      expect(result.weights).toHaveLength(alone.weights.length);
      result.weights.forEach((w, i) => expect(same(w, alone.weights[i])).toBe(true));
    }
  });

  it('delivers the error of a worker whose training throws, with its message', async () => {
    const started = Date.now();
    let caught: (Error & { exitCode?: number }) | undefined;
    try {
      await trainInWorker(10, { badInputAt: 4 });
    } catch (e) {
      caught = e as Error & { exitCode?: number };
    }
    expect(caught).toBeDefined();
    // The same error training in the main thread throws.
    let direct: Error | undefined;
    try {
      train(torch, 10, { badInputAt: 4 });
    } catch (e) {
      direct = e as Error;
    }
    expect(direct).toBeInstanceOf(RangeError);
    expect(direct?.message).toBe('linear: mat1 and mat2 shapes cannot be multiplied (64x783 and 784x64)');
    // Node's structured clone keeps the built-in class (RangeError), the name and the message.
    expect(caught).toBeInstanceOf(RangeError);
    expect(caught?.message).toBe(direct?.message);
    expect(caught?.name).toBe(direct?.name);
    expect(caught?.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    // The main thread's addon still works after a worker died mid-training.
    expect(train(torch, 2).losses).toEqual(train(torch, 2).losses);
  });

  it('turns a Rust panic inside a worker into that worker\'s error, and the process lives on', async () => {
    // Every binding is catch_unwind: a panic becomes a JS Error in the worker, which is uncaught
    // there and so reaches the main thread; nothing aborts the process.
    // The raw binding is not public API: the worker loads it the way src/native does.
    const source = `
      const native = require(${JSON.stringify(resolve(__dirname, '../../native/index.js'))});
      native.debugPanic('deliberate panic in a worker');`;
    const error = await new Promise<Error>((resolvePromise, reject) => {
      const worker = new Worker(source, { eval: true });
      worker.once('error', resolvePromise);
      worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} without an error`)));
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain('deliberate panic in a worker');
    expect(train(torch, 2).losses).toHaveLength(2);
  });

  it('shares one kernel thread pool per process: a worker\'s setNumThreads is seen by the main thread', async () => {
    const initial = torch.getNumThreads();
    const target = initial === 1 ? 2 : 1;
    try {
      const source = `
        const { parentPort, workerData } = require('node:worker_threads');
        const torch = require('kindling');
        torch.setNumThreads(workerData.target);
        parentPort.postMessage(torch.getNumThreads());`;
      const seen = await new Promise<number>((resolvePromise, reject) => {
        // eval'd workers resolve `kindling` from the working directory: the repository.
        const worker = new Worker(source, { eval: true, workerData: { target } });
        worker.once('message', resolvePromise);
        worker.once('error', reject);
      });
      expect(seen).toBe(target);
      expect(torch.getNumThreads()).toBe(target);
    } finally {
      torch.setNumThreads(initial);
    }
  });
});
