/**
 * Runs an async function to completion in a worker thread while the calling thread blocks.
 *
 * NOTE [ Why downloads block ]
 * torchvision's `MNIST(root, download=True)` returns with the files in place; the seed then
 * iterates synchronously. A JavaScript constructor cannot await, and Node's HTTP client only runs
 * on an event loop — so the download runs on the event loop of a worker thread while the
 * constructor waits in `Atomics.wait` for the worker's "done" flag, then reads the outcome with
 * `receiveMessageOnPort`. Errors keep their message. The price: while downloading, the calling
 * thread's own event loop (timers, servers) is paused, exactly as in a blocking Python call.
 */
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const state = new Int32Array(workerData.state);
const finish = (message) => {
  workerData.port.postMessage(message);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
};
process.on('exit', () => { if (Atomics.load(state, 0) === 0) finish({ error: 'the worker thread exited early' }); });
try {
  if (workerData.module.endsWith('.ts')) {
    require(require.resolve('ts-node', { paths: [workerData.module] })).register({ transpileOnly: true });
  }
  Promise.resolve(require(workerData.module)[workerData.exportName](...workerData.args)).then(
    (value) => finish({ value }),
    (e) => finish({ error: e instanceof Error ? e.message : String(e) }),
  );
} catch (e) {
  finish({ error: e instanceof Error ? e.message : String(e) });
}
`;

/** Calls `require(module)[exportName](...args)` in a worker thread and returns its result. */
export function runSync(module: string, exportName: string, args: readonly unknown[]): unknown {
  const state = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { module, exportName, args, state: state.buffer, port: port2 },
    transferList: [port2],
  });
  worker.unref();
  try {
    while (Atomics.load(state, 0) === 0) Atomics.wait(state, 0, 0);
    const outcome = receiveMessageOnPort(port1)?.message as { value?: unknown; error?: string } | undefined;
    if (outcome === undefined) throw new Error(`${exportName}: the worker thread ended without an answer`);
    if (outcome.error !== undefined) throw new Error(outcome.error);
    return outcome.value;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
