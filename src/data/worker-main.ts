/**
 * Entry point of a DataLoader worker thread (the counterpart of PyTorch's `_worker_loop`).
 * It rebuilds the dataset and collate function from their recipes, seeds the default generator
 * with `baseSeed + workerId` as PyTorch does, then answers tasks `{ batchIndex, indices, slot }`
 * in the order they arrive: fetch the samples, collate them, write the batch into the task's
 * shared slot, post its description and wake the main thread through the shared signal.
 * Every failure is caught and posted as an error message for that batch, so the main thread never
 * waits for a batch that will not come.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { type BatchMessage, encodeBatch } from './batch-wire';
import { defaultCollate } from './collate';
import type { Dataset } from './dataset';
import { manualSeed } from './random';
import { unpack } from './worker-source';

export interface WorkerInit {
  entry: string;
  workerId: number;
  baseSeed: number;
  dataset: unknown;
  /** Packed custom collate function, or `null` for `defaultCollate`. */
  collateFn: unknown;
  autoCollation: boolean;
  port: MessagePort;
  /** [0]: messages posted (all workers); [1 + id]: 1 while worker `id` is alive. */
  signal: SharedArrayBuffer;
  slots: SharedArrayBuffer;
  slotBytes: number;
  prefetchFactor: number;
}

export interface Task {
  batchIndex: number;
  indices: Int32Array;
}

const init = workerData as WorkerInit;
const signal = new Int32Array(init.signal);
const port = init.port;

function wake(): void {
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function describeError(e: unknown): NonNullable<BatchMessage['error']> {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

// (The bootstrap in worker-pool.ts clears this worker's alive flag when it exits, for any reason.)

let fetchBatch: ((indices: Int32Array) => unknown) | undefined;
let setupError: unknown;
try {
  manualSeed(init.baseSeed + init.workerId);
  const dataset = unpack(init.dataset as never) as Dataset;
  const custom = init.collateFn === null ? undefined : (unpack(init.collateFn as never) as (samples: unknown) => unknown);
  const collate = custom ?? defaultCollate;
  fetchBatch = (indices) => {
    // Without automatic batching each sample is passed on alone (through collateFn if given).
    if (!init.autoCollation) return custom ? custom(dataset.getItem(indices[0])) : dataset.getItem(indices[0]);
    const samples = dataset.getItems ? dataset.getItems(indices) : Array.from(indices, (i) => dataset.getItem(i));
    return collate(samples);
  };
} catch (e) {
  setupError = e;
}

let tasksDone = 0;
parentPort?.on('message', (task: Task) => {
  const slotIndex = tasksDone % init.prefetchFactor;
  tasksDone++;
  try {
    if (fetchBatch === undefined) throw setupError;
    const batch = fetchBatch(task.indices);
    const slot = new Uint8Array(init.slots, slotIndex * init.slotBytes, init.slotBytes);
    const { message, transfer } = encodeBatch(task.batchIndex, batch, slot);
    port.postMessage(message, transfer);
  } catch (e) {
    port.postMessage({ batchIndex: task.batchIndex, error: describeError(e) } satisfies BatchMessage);
  }
  wake();
});
