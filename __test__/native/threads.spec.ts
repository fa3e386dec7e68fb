import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../src/native';
import { kernels } from '../../src/ops/kernels';

function data(len: number, seed: number): Float32Array {
  const out = new Float32Array(len);
  let s = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A product large enough to take the blocked, multithreaded path. */
function bigProduct(transA: boolean, transB: boolean): Float32Array {
  const [m, n, k] = [300, 257, 301];
  const c = data(m * n, 3);
  kernels.sgemm(data(m * k, 1), data(k * n, 2), c, data(n, 4), { transA, transB, m, n, k, alpha: 0.75, beta: 0.5 });
  return c;
}

describe('threads', () => {
  const initial = native.getNumThreads();
  afterAll(() => native.setNumThreads(initial));

  it('sets and gets the thread count', () => {
    native.setNumThreads(1);
    expect(native.getNumThreads()).toBe(1);
    native.setNumThreads(2);
    expect(native.getNumThreads()).toBe(2);
  });

  it('rejects 0 threads with a RangeError', () => {
    let caught: unknown;
    try {
      native.setNumThreads(0);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as RangeError).message).toBe('set_num_threads: number of threads must be positive, got 0');
    expect((caught as { code?: string }).code).toBe('ERR_KINDLING_VALUE');
  });

  it('gives bit-identical GEMM results on 1 and 2 threads', () => {
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      native.setNumThreads(1);
      const one = bigProduct(ta, tb);
      native.setNumThreads(2);
      const two = bigProduct(ta, tb);
      expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    }
  });

  it('loads and computes in several worker threads at once', async () => {
    const addon = path.resolve(__dirname, '../../native/index.js');
    // Each worker multiplies its own matrices and sends back the result; the main thread checks it.
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const native = require(workerData.addon);
      const { m, n, k, a, b } = workerData;
      const c = new Float32Array(m * n);
      for (let r = 0; r < 20; r++) native.sgemm(a, b, c, null, Float64Array.of(0, 0, m, n, k, 1, 0));
      parentPort.postMessage(c);
    `;
    const [m, n, k] = [64, 96, 80];
    const jobs = [0, 1, 2, 3].map((w) => {
      const a = data(m * k, 10 + w);
      const b = data(k * n, 20 + w);
      const result = new Promise<Float32Array>((resolve, reject) => {
        const worker = new Worker(source, { eval: true, workerData: { addon, m, n, k, a, b } });
        worker.once('message', (c: Float32Array) => {
          resolve(c);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
      return { a, b, result };
    });
    for (const { a, b, result } of jobs) {
      const got = await result;
      const want = new Float32Array(m * n);
      kernels.sgemm(a, b, want, null, { transA: false, transB: false, m, n, k, alpha: 1, beta: 0 });
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      // And against plain loops, so a worker computing garbage identically would still fail.
      for (let i = 0; i < m; i += 13) {
        for (let j = 0; j < n; j += 7) {
          let acc = 0;
          for (let p = 0; p < k; p++) acc += a[i * k + p] * b[p * n + j];
          expect(Math.abs(got[i * n + j] - acc)).toBeLessThan(1e-4);
        }
      }
    }
  });
});
