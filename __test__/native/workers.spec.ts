import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';

/**
 * The addon must load in several worker_threads at once (each gets its own napi env) and compute
 * exactly what the main thread computes. Workers run plain CommonJS and require the generated
 * loader by absolute path.
 */
const BINDING = resolve(__dirname, '../../native/index.js');

/** Work shared verbatim by the workers and the main thread: a dropout and three Adam steps. */
const WORK = `
function work(native) {
  const n = 200003;
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const dropped = new Float32Array(n);
  native.dropout(x, dropped, 0.3, 11, 5);
  const param = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  const grad = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.5));
  const m = new Float32Array(n);
  const v = new Float32Array(n);
  for (let step = 1; step <= 3; step++) {
    native.adamStep([param], [grad], [m], [v], [], new Float64Array([step]), Float64Array.of(1e-3, 0.9, 0.999, 1e-8, 0.01, 0, 0, 1));
  }
  return { dropped, param };
}
`;

// eslint-disable-next-line @typescript-eslint/no-implied-eval
const work = new Function(`${WORK}; return work;`)() as (n: typeof native) => {
  dropped: Float32Array;
  param: Float32Array;
};

function runWorker(): Promise<{ dropped: Float32Array; param: Float32Array }> {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const native = require(${JSON.stringify(BINDING)});
    ${WORK}
    parentPort.postMessage(work(native));
  `;
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once('message', (result) => {
      resolvePromise(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with code ${code}`)));
  });
}

const sameBits = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('native addon in worker_threads', () => {
  it('four workers at once compute what the main thread computes', async () => {
    const expected = work(native);
    expect(expected.dropped.some((v) => v === 0)).toBe(true);
    const results = await Promise.all([runWorker(), runWorker(), runWorker(), runWorker()]);
    for (const r of results) {
      expect(sameBits(r.dropped, expected.dropped)).toBe(true);
      expect(sameBits(r.param, expected.param)).toBe(true);
    }
  });
});
