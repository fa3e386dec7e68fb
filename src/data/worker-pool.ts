/**
 * The main-thread side of DataLoader workers (PyTorch's `_MultiProcessingDataLoaderIter`).
 *
 * NOTE [ Synchronous iteration over worker threads ]
 * The seed iterates `for (const batch of loader)` — synchronously — with `numWorkers: 1`. While
 * that loop runs, the main thread's event loop does not, so no 'message' event can ever fire.
 * This iterator therefore never relies on the event loop: it pulls each worker's reply with
 * `receiveMessageOnPort` and, when nothing has arrived yet, blocks in `Atomics.wait` on a shared
 * counter that every worker increments (and `Atomics.notify`s) after posting. Workers prepare up
 * to `prefetchFactor` batches each ahead of the consumer; batch k goes to worker k % numWorkers,
 * so batches come back in sampler order. `for await` uses the same protocol with
 * `Atomics.waitAsync`, leaving the event loop free while waiting.
 *
 * Errors: a worker posts every failure (dataset rebuild, `getItem`, `collateFn`) as the reply to
 * the batch concerned; the iterator terminates all workers and throws it with the worker's stack.
 * A worker that exits clears its alive flag, so a wait never outlives it.
 */
import { extname, join } from 'node:path';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { type BatchMessage, HEADER_BYTES, decodeBatch, readHeader } from './batch-wire';
import { CONTROL_CLOSED, CONTROL_CONSUMED, CONTROL_PRODUCED, CONTROL_WORDS } from './worker-control';
import type { TaskChunk, WorkerInit } from './worker-main';

export interface WorkerPoolOptions {
  numWorkers: number;
  prefetchFactor: number;
  /** Seconds to wait for a batch before giving up; 0 waits forever (PyTorch's `timeout`). */
  timeout: number;
  baseSeed: number;
  dataset: unknown;
  collateFn: unknown;
  autoCollation: boolean;
}

/** Bytes of shared memory per prefetched batch; larger batches are transferred instead. */
const SLOT_BYTES = 1 << 20;
/** How long one wait lasts before the alive flags and the timeout are checked again. */
const WAIT_SLICE_MS = 200;
/**
 * Batches per task message and worker: tasks travel in bulk so that no message crosses per batch
 * (each worker still fills at most `prefetchFactor` slots ahead of the consumer).
 */
const TASK_CHUNK = 64;

const WORKER_ENTRY = join(__dirname, `worker-main${extname(__filename)}`);

// Runs the entry in the worker; under ts-node/vitest the sources are .ts, so register ts-node
// (transpile only) first. Published builds run the compiled .js directly. The exit handler and the
// catch live here, before anything else can fail, so that no failure leaves the main thread
// waiting: an exit clears the worker's alive flag; a failed start is posted as an error.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const signal = new Int32Array(workerData.signal);
const wake = () => { Atomics.add(signal, 0, 1); Atomics.notify(signal, 0); };
process.on('exit', () => { Atomics.store(signal, 1 + workerData.workerId, 0); wake(); });
try {
  if (workerData.entry.endsWith('.ts')) {
    require(require.resolve('ts-node', { paths: [workerData.entry] })).register({ transpileOnly: true });
  }
  require(workerData.entry);
} catch (e) {
  const error = e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { name: 'Error', message: String(e) };
  workerData.port.postMessage({ batchIndex: -1, error });
  wake();
}
`;

/** `Atomics.waitAsync` (Node >= 16; typed in lib es2024, newer than this project's lib). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, index: number, value: number, ms: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** Error thrown in a DataLoader worker, re-thrown in the main thread with the worker's stack. */
export class WorkerError extends Error {
  override name = 'WorkerError';
}

interface Handle {
  worker: Worker;
  port: MessagePort;
  slots: SharedArrayBuffer;
  control: Int32Array;
}

/** Yields the batches of `batches` (lists of indices), prepared by worker threads, in order. */
export class WorkerBatchIterator<B> implements Iterator<B> {
  private readonly handles: Handle[] = [];
  private readonly signal: Int32Array;
  private nextToYield = 0;
  private dispatched = 0;
  private exhausted = false;
  private closed = false;

  constructor(
    private readonly batches: Iterator<number[]>,
    private readonly options: WorkerPoolOptions,
  ) {
    const { numWorkers, prefetchFactor } = options;
    this.signal = new Int32Array(new SharedArrayBuffer(4 * (1 + numWorkers)));
    for (let id = 0; id < numWorkers; id++) {
      const { port1, port2 } = new MessageChannel();
      const slots = new SharedArrayBuffer((HEADER_BYTES + SLOT_BYTES) * prefetchFactor);
      const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
      Atomics.store(this.signal, 1 + id, 1);
      const init: WorkerInit = {
        entry: WORKER_ENTRY,
        workerId: id,
        baseSeed: options.baseSeed,
        dataset: options.dataset,
        collateFn: options.collateFn,
        autoCollation: options.autoCollation,
        port: port2,
        signal: this.signal.buffer as SharedArrayBuffer,
        slots,
        slotBytes: SLOT_BYTES,
        prefetchFactor,
        control: control.buffer as SharedArrayBuffer,
      };
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: init, transferList: [port2] });
      // The consumer may abandon the iterator without finishing it; workers must never keep the
      // process alive on their own.
      worker.unref();
      // Errors are reported through the port; this listener only keeps an uncaught worker error
      // from being re-thrown as an unhandled 'error' event in the main thread.
      worker.on('error', () => {});
      this.handles.push({ worker, port: port1, slots, control });
    }
    this.dispatchAhead();
  }

  next(): IteratorResult<B> {
    if (this.nextToYield >= this.dispatched) return this.finish();
    const started = Date.now();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const message = this.poll(started);
      if (message !== undefined) return this.accept(message);
      Atomics.wait(this.signal, 0, seen, WAIT_SLICE_MS);
    }
  }

  async nextAsync(): Promise<IteratorResult<B>> {
    if (this.nextToYield >= this.dispatched) return this.finish();
    const started = Date.now();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const message = this.poll(started);
      if (message !== undefined) return this.accept(message);
      const waited = waitAsync(this.signal, 0, seen, WAIT_SLICE_MS);
      if (waited.async) await waited.value;
    }
  }

  return(): IteratorResult<B> {
    this.close();
    return { done: true, value: undefined };
  }

  /** Terminates the workers (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.handles) {
      // A worker waiting for a free slot gives up (terminate() does not interrupt Atomics.wait).
      Atomics.store(h.control, CONTROL_CLOSED, 1);
      Atomics.notify(h.control, CONTROL_CONSUMED);
      h.port.close();
      void h.worker.terminate();
    }
  }

  private finish(): IteratorResult<B> {
    this.close();
    return { done: true, value: undefined };
  }

  /** The reply for the next batch in order, if its worker has posted it; throws on failures. */
  private poll(started: number): BatchMessage | undefined {
    const workerId = this.nextToYield % this.handles.length;
    const ready = this.look(workerId);
    if (ready !== undefined) return ready;
    if (Atomics.load(this.signal, 1 + workerId) === 0) {
      // The flag is cleared after the worker's last batch was published: look once more.
      const last = this.look(workerId);
      if (last !== undefined) return last;
      this.close();
      throw new WorkerError(`DataLoader worker ${workerId} exited unexpectedly`);
    }
    const { timeout } = this.options;
    if (timeout > 0 && Date.now() - started > timeout * 1000) {
      this.close();
      throw new WorkerError(`DataLoader timed out after ${timeout} seconds`);
    }
    return undefined;
  }

  /** The description of the next batch if worker `workerId` has published it. */
  private look(workerId: number): BatchMessage | undefined {
    const handle = this.handles[workerId];
    const round = Math.floor(this.nextToYield / this.handles.length);
    if (Atomics.load(handle.control, CONTROL_PRODUCED) > round) {
      const described = readHeader(handle.slots, this.slotStart(round));
      if (described !== undefined) return described;
    }
    // A posted description (or a failure to start) is on the port: it is posted before the
    // produced counter moves.
    const received = receiveMessageOnPort(handle.port);
    return received === undefined ? undefined : (received.message as BatchMessage);
  }

  private accept(message: BatchMessage): IteratorResult<B> {
    const workerId = this.nextToYield % this.handles.length;
    if (message.error !== undefined) {
      this.close();
      throw rethrown(message.error, workerId);
    }
    const handle = this.handles[workerId];
    const round = Math.floor(this.nextToYield / this.handles.length);
    const batch = decodeBatch(message, handle.slots, this.slotStart(round) + HEADER_BYTES) as B;
    this.nextToYield++;
    // The slot just read is free again for the worker's next batch.
    Atomics.add(handle.control, CONTROL_CONSUMED, 1);
    Atomics.notify(handle.control, CONTROL_CONSUMED);
    if (this.dispatched - this.nextToYield <= this.handles.length * this.options.prefetchFactor) this.dispatchAhead();
    return { done: false, value: batch };
  }

  /** Byte offset of the slot holding a worker's batch number `round` (its header first). */
  private slotStart(round: number): number {
    return (round % this.options.prefetchFactor) * (HEADER_BYTES + SLOT_BYTES);
  }

  /**
   * Sends every worker its next `TASK_CHUNK` batches in one message each (batch k goes to worker
   * k % numWorkers), keeping the workers' queues ahead of their prefetch window.
   */
  private dispatchAhead(): void {
    if (this.exhausted) return;
    const n = this.handles.length;
    const perWorker: number[][][] = this.handles.map(() => []);
    const target = this.nextToYield + n * (this.options.prefetchFactor + TASK_CHUNK);
    while (this.dispatched < target) {
      const step = this.batches.next();
      if (step.done) {
        this.exhausted = true;
        break;
      }
      perWorker[this.dispatched % n].push(step.value);
      this.dispatched++;
    }
    const firstRound = this.dispatched - perWorker.reduce((sum, list) => sum + list.length, 0);
    perWorker.forEach((batches, workerId) => {
      if (batches.length === 0) return;
      const offsets = new Int32Array(batches.length + 1);
      batches.forEach((b, i) => (offsets[i + 1] = offsets[i] + b.length));
      const indices = new Int32Array(offsets[batches.length]);
      batches.forEach((b, i) => indices.set(b, offsets[i]));
      // The first batch of this chunk for `workerId` is the first index ≥ firstRound ≡ workerId (mod n).
      const first = firstRound + ((workerId - (firstRound % n) + n) % n);
      const batchIndices = Int32Array.from(batches, (_, i) => first + i * n);
      const chunk: TaskChunk = { batchIndices, indices, offsets };
      this.handles[workerId].worker.postMessage(chunk, [batchIndices.buffer, indices.buffer, offsets.buffer]);
    });
  }
}

/** The worker's error as one the caller can catch, PyTorch's wording, the worker's stack kept. */
function rethrown(error: NonNullable<BatchMessage['error']>, workerId: number): Error {
  const Ctor = error.name === 'TypeError' ? TypeError : error.name === 'RangeError' ? RangeError : Error;
  const e = new Ctor(`Caught ${error.name} in DataLoader worker ${workerId}: ${error.message}`);
  e.stack = `${e.name}: ${e.message}\nOriginal stack in the worker:\n${error.stack ?? error.message}\nRe-thrown in the main thread:\n${(e.stack ?? '').split('\n').slice(1).join('\n')}`;
  return e;
}
