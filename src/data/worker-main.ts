/**
 * Entry point of a DataLoader worker thread (the counterpart of PyTorch's `_worker_loop`).
 * It rebuilds the dataset and collate function from their recipes once; the same thread then
 * serves every epoch of its DataLoader (see NOTE [ Reused worker threads ] in worker-pool.ts):
 * each epoch starts with an `EpochStart` that seeds the default generator with
 * `baseSeed + workerId` as PyTorch does, then the worker answers tasks `{ batchIndex, indices, slot }`
 * (sent in chunks of many batches) in order: wait for a free slot of its ring, fetch the samples,
 * collate them, write the batch and its description into the slot (or post the description when
 * it is not plain JSON), bump its produced counter and wake the main thread.
 * Every failure is caught and posted as an error message for that batch, so the main thread never
 * waits for a batch that will not come.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { type BatchMessage, HEADER_BYTES, encodeBatch, writeHeader } from './batch-wire';
import { withBatchArena } from './batch-arena';
import { defaultCollate } from './collate';
import { CONTROL_CLOSED, CONTROL_CONSUMED, CONTROL_PRODUCED, CONTROL_REBUILD_DRAWS } from './worker-control';
import type { Dataset } from './dataset';
import { manualSeed } from './random';
import { defaultGenerator } from '../random/generator';
import { unpack } from './worker-source';
import { kernels } from '../ops/kernels';
import {
  WORKER_LONGEST_NAP_MS as WAIT_SLICE_MS,
  WORKER_MAX_POLL_US as MAX_POLL_US,
  WORKER_MIN_POLL_US as MIN_POLL_US,
  WORKER_PACE_WEIGHT as PACE_WEIGHT,
  WORKER_POLL_US_PER_PACE_MS as POLL_US_PER_PACE_MS,
  WORKER_SHORTEST_NAP_MS as SHORTEST_NAP_MS,
} from '../tuning';

export interface WorkerInit {
  entry: string;
  workerId: number;
  baseSeed: number;
  dataset: unknown;
  /** Packed custom collate function, or `null` for `defaultCollate`. */
  collateFn: unknown;
  autoCollation: boolean;
  port: MessagePort;
  /** Where the main thread posts this worker's tasks and epoch starts. */
  tasks: MessagePort;
  /** [0]: messages posted (all workers); [1 + id]: 1 while worker `id` is alive. */
  signal: SharedArrayBuffer;
  slots: SharedArrayBuffer;
  /** Bytes of tensor data per slot (each slot is a HEADER_BYTES header, then this). */
  slotBytes: number;
  prefetchFactor: number;
  /** This worker's counters: see worker-control.ts. */
  control: SharedArrayBuffer;
}

/**
 * Starts an epoch (the first message of every epoch, also the first one): re-seeds the default
 * generator with `baseSeed + workerId` and restarts the ring at slot 0 (the main thread has reset
 * this worker's counters, the worker being idle).
 */
export interface EpochStart {
  epochSeed: number;
}

/**
 * Many batches in one message (no message per batch on the hot path): batch `batchIndices[i]`
 * has the sample indices `indices[offsets[i]..offsets[i + 1]]`.
 */
export interface TaskChunk {
  batchIndices: Int32Array;
  indices: Int32Array;
  offsets: Int32Array;
}

const init = workerData as WorkerInit;
const signal = new Int32Array(init.signal);
const port = init.port;
const control = new Int32Array(init.control);
/**
 * How long a worker with a full ring sleeps before looking again (NOTE [ Waking the worker ] in
 * worker-pool.ts: the main thread does not wake it after every batch, only when it is itself about
 * to wait for it). The first nap is about the consumer's pace — the time between two batches
 * produced, averaged — so that in steady state the worker wakes about once per batch; naps then
 * double while nothing is consumed, from at least `SHORTEST_NAP_MS` up to `WAIT_SLICE_MS` (when
 * the closed flag is looked at again too).
 */

function wake(): void {
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function describeError(e: unknown): NonNullable<BatchMessage['error']> {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

// (The supervisor in worker-pool.ts clears this worker's alive flag when it exits, for any reason.)

let fetchBatch: ((indices: Int32Array, slot: Uint8Array) => unknown) | undefined;
let setupError: unknown;
/**
 * Draws the rebuild took from the default generator (normally 0): every epoch's re-seed skips them
 * too, so an epoch served by a reused worker sees exactly the draws a freshly started one would.
 */
let rebuildDraws = 0;
try {
  manualSeed(init.baseSeed + init.workerId);
  const dataset = unpack(init.dataset as never) as Dataset;
  const custom = init.collateFn === null ? undefined : (unpack(init.collateFn as never) as (samples: unknown) => unknown);
  const collate = custom ?? defaultCollate;
  const fetchSamples = (indices: Int32Array): unknown[] =>
    dataset.getItems ? dataset.getItems(indices) : Array.from(indices, (i) => dataset.getItem(i));
  fetchBatch = (indices, slot) => {
    // Without automatic batching each sample is passed on alone (through collateFn if given).
    if (!init.autoCollation) return custom ? custom(dataset.getItem(indices[0])) : dataset.getItem(indices[0]);
    // The default collate passes a one-pass batch on untouched, so it may be built in the slot
    // (NOTE [ Batches built in the worker's slot ]); a custom one could keep it, so it may not.
    if (custom === undefined) return withBatchArena(slot, () => defaultCollate(fetchSamples(indices)));
    return collate(fetchSamples(indices));
  };
  rebuildDraws = defaultGenerator.getState().offset;
  Atomics.store(control, CONTROL_REBUILD_DRAWS, Math.min(rebuildDraws, 2 ** 31 - 1));
} catch (e) {
  setupError = e;
}

let tasksDone = 0;
/** The consumer's pace: milliseconds between two batches produced (0 until measured). */
let pace = 0;
let lastProducedAt = 0;

/** Folds the time since the previous batch into `pace` (capped, so that a pause is not the pace). */
function notePace(): void {
  const now = performance.now();
  if (lastProducedAt > 0) {
    const interval = Math.min(now - lastProducedAt, WAIT_SLICE_MS);
    pace = pace === 0 ? interval : pace + PACE_WEIGHT * (interval - pace);
  }
  lastProducedAt = now;
}


/**
 * Waits until the main thread has copied out the batch in the slot `tasksDone` reuses. A slot is
 * expected within about one consumer step (`pace`), so the worker first polls for it, yielding its
 * core between polls (native spin_wait.rs: sleeping and being woken costs ~50 µs each way on a VM
 * whose idle vCPU halts — a whole seed step), for up to twice the pace; only then does it nap.
 */
function waitForFreeSlot(): boolean {
  const consumed = Atomics.load(control, CONTROL_CONSUMED);
  if (tasksDone - consumed >= init.prefetchFactor && Atomics.load(control, CONTROL_CLOSED) === 0) {
    const pollUs = Math.min(Math.max(POLL_US_PER_PACE_MS * pace, MIN_POLL_US), MAX_POLL_US);
    kernels.spinWhileEqualAt(control, CONTROL_CONSUMED, consumed, pollUs);
  }
  for (let nap = Math.max(pace, SHORTEST_NAP_MS); ; nap = Math.min(nap * 2, WAIT_SLICE_MS)) {
    if (Atomics.load(control, CONTROL_CLOSED) !== 0) return false;
    const consumed = Atomics.load(control, CONTROL_CONSUMED);
    if (tasksDone - consumed < init.prefetchFactor) return true;
    Atomics.wait(control, CONTROL_CONSUMED, consumed, nap);
  }
}

function produce(batchIndex: number, indices: Int32Array): void {
  const slotStart = (tasksDone % init.prefetchFactor) * (HEADER_BYTES + init.slotBytes);
  const header = new Uint8Array(init.slots, slotStart, HEADER_BYTES);
  try {
    if (fetchBatch === undefined) throw setupError;
    const slot = new Uint8Array(init.slots, slotStart + HEADER_BYTES, init.slotBytes);
    const batch = fetchBatch(indices, slot);
    const { message, transfer } = encodeBatch(batchIndex, batch, slot);
    if (!writeHeader(header, message)) port.postMessage(message, transfer);
  } catch (e) {
    const message: BatchMessage = { batchIndex, error: describeError(e) };
    writeHeader(header, message);
    port.postMessage(message);
  }
  tasksDone++;
  notePace();
  // Publishes the slot (and orders every write above before the main thread's reads).
  Atomics.store(control, CONTROL_PRODUCED, tasksDone);
  wake();
}

init.tasks.on('message', (message: TaskChunk | EpochStart) => {
  if ('epochSeed' in message) {
    defaultGenerator.setState({ seed: message.epochSeed + init.workerId, offset: rebuildDraws });
    tasksDone = 0;
    pace = 0;
    lastProducedAt = 0;
    return;
  }
  const chunk = message;
  for (let i = 0; i < chunk.batchIndices.length; i++) {
    if (!waitForFreeSlot()) return;
    produce(chunk.batchIndices[i], chunk.indices.subarray(chunk.offsets[i], chunk.offsets[i + 1]));
  }
});
