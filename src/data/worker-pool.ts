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
 *
 * NOTE [ The supervisor thread ]
 * A worker can also die without a word: heap exhaustion, `process.exit` in a `getItem`, an
 * uncaught asynchronous error, `terminate()`. Node reports that only as a Worker 'exit' event, on
 * the event loop of the thread that created the worker — which a synchronous `for…of` never lets
 * run. So the data workers are created by a small supervisor thread whose event loop is always
 * free: on a worker's 'error' and 'exit' events it posts the report (worker id, thread id, exit
 * code, cause) on a port the main thread reads with `receiveMessageOnPort`, then clears the
 * worker's alive flag and wakes the main thread. The supervisor runs no user code; it beats a
 * shared heartbeat, and a main thread that waits sees it stop if the supervisor itself is gone
 * (its workers die with it). Tasks go to each worker on its own MessagePort.
 */
import { createHash } from 'node:crypto';
import { extname, join } from 'node:path';
import { MessageChannel, type MessagePort, type ResourceLimits, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { type BatchMessage, HEADER_BYTES, decodeBatch, readHeader } from './batch-wire';
import { CONTROL_CLOSED, CONTROL_CONSUMED, CONTROL_PRODUCED, CONTROL_REBUILD_DRAWS, CONTROL_WORDS } from './worker-control';
import type { EpochStart, TaskChunk, WorkerInit } from './worker-main';
import { kernels } from '../ops/kernels';
import {
  LOADER_SLOT_BYTES as SLOT_BYTES,
  LOADER_SPIN_MS as SPIN_MS,
  LOADER_TASK_CHUNK as TASK_CHUNK,
  LOADER_WAIT_SLICE_MS as WAIT_SLICE_MS,
  LOADER_HEARTBEAT_MS as HEARTBEAT_MS,
  LOADER_SUPERVISOR_SILENCE_MS as SUPERVISOR_SILENCE_MS,
} from '../tuning';
import { hasSourceFunctions } from './worker-source';

export interface WorkerPoolOptions {
  numWorkers: number;
  prefetchFactor: number;
  /** The first epoch's base seed: the workers rebuild the dataset seeded with it + workerId. */
  baseSeed: number;
  /** The packed dataset and collate function (see worker-source.ts). */
  dataset: unknown;
  collateFn: unknown;
  autoCollation: boolean;
  /** Node's `resourceLimits` for each worker (a heap cap makes a leak fail fast and loudly). */
  resourceLimits?: ResourceLimits;
}

export interface EpochOptions {
  /** Seconds to wait for a batch before giving up; 0 waits forever (PyTorch's `timeout`). */
  timeout: number;
  baseSeed: number;
}

const WORKER_ENTRY = join(__dirname, `worker-main${extname(__filename)}`);

// Runs the entry in the worker; under ts-node/vitest the sources are .ts, so register ts-node
// (transpile only) first. Published builds run the compiled .js directly. The catch lives here,
// before anything else can fail, so that a failed start is posted as an error (an exit is
// reported by the supervisor).
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const signal = new Int32Array(workerData.signal);
const wake = () => { Atomics.add(signal, 0, 1); Atomics.notify(signal, 0); };
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

// NOTE [ The supervisor thread ]: starts the data workers and reports each one's end. The
// report is posted before the alive flag is cleared, so the main thread finds it on the port.
const SUPERVISOR = `
const { Worker, workerData } = require('node:worker_threads');
const { bootstrap, inits, resourceLimits, report, heartbeatMs } = workerData;
const signal = new Int32Array(workerData.signal);
const status = new Int32Array(workerData.status);
setInterval(() => Atomics.add(status, 0, 1), heartbeatMs);
inits.forEach((init, id) => {
  const worker = new Worker(bootstrap, { eval: true, workerData: init, transferList: [init.port, init.tasks], resourceLimits });
  const threadId = worker.threadId;
  Atomics.store(status, 1 + id, threadId);
  let cause;
  worker.on('error', (e) => { cause = e instanceof Error ? (e.code ? e.code + ': ' : '') + e.name + ': ' + e.message : String(e); });
  worker.on('exit', (exitCode) => {
    report.postMessage({ workerId: id, threadId, exitCode, cause });
    Atomics.store(signal, 1 + id, 0);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
});
`;

/** What the supervisor reports when a worker ends. */
interface ExitReport {
  workerId: number;
  threadId: number;
  exitCode: number;
  /** The worker's uncaught error or Node's reason (`ERR_WORKER_OUT_OF_MEMORY: …`), if any. */
  cause?: string;
}

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

/**
 * A DataLoader worker ended or stopped answering (PyTorch: `DataLoader worker (pid 123) exited
 * unexpectedly`): the message names the worker, its thread, the exit code and the cause.
 */
export class DataLoaderWorkerError extends WorkerError {
  override name = 'DataLoaderWorkerError';
  constructor(
    message: string,
    /** The worker's index in the DataLoader (0 … numWorkers - 1). */
    readonly workerId: number,
    /** Node's thread id of the worker (`worker.threadId`), -1 if unknown. */
    readonly threadId: number,
    /** The worker's exit code, or `null` if it did not exit (a timeout, a lost supervisor). */
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

interface Handle {
  /** Where this worker's tasks and epoch starts go. */
  tasks: MessagePort;
  port: MessagePort;
  slots: SharedArrayBuffer;
  control: Int32Array;
}

/**
 * NOTE [ Reused worker threads ]
 * A pool is the set of worker threads of one DataLoader, with their slots and counters and the
 * dataset each rebuilt. It serves one epoch at a time and, when an epoch has been read to the end,
 * the next one too (PyTorch's `persistent_workers=True`): starting threads every epoch made the
 * process grow (each new thread gets its own malloc arenas, which are not given back), and the
 * rebuild is paid once. Between two epochs every worker is idle — all its batches were consumed —
 * so the main thread resets its counters to 0 and posts an `EpochStart` (re-seed with
 * `baseSeed + workerId`, ring back to slot 0) ahead of the epoch's tasks: a reused worker produces
 * exactly the batches a fresh one would. An epoch that ends any other way (an error, a timeout, a
 * worker that exited, `break`) closes the pool — its workers may still be busy with tasks of the
 * abandoned epoch — and the next epoch starts a fresh one.
 */
export class WorkerPool {
  readonly handles: Handle[] = [];
  readonly signal: Int32Array;
  /** [0]: the supervisor's heartbeat; [1 + id]: thread id of worker `id` (0 until started). */
  readonly status: Int32Array;
  /** Starts the workers and reports their exits (NOTE [ The supervisor thread ]). */
  readonly supervisor: Worker;
  /** The supervisor's thread id (read at start: Node forgets it once the thread is gone). */
  readonly supervisorThreadId: number;
  /** The supervisor's exit reports. */
  private readonly reports: MessagePort;
  private readonly exits = new Map<number, ExitReport>();
  private lastBeat = -1;
  private lastBeatAt = 0;
  private closed = false;

  constructor(readonly options: WorkerPoolOptions) {
    const { numWorkers, prefetchFactor } = options;
    this.signal = new Int32Array(new SharedArrayBuffer(4 * (1 + numWorkers)));
    this.status = new Int32Array(new SharedArrayBuffer(4 * (1 + numWorkers)));
    const inits: WorkerInit[] = [];
    const transfer: MessagePort[] = [];
    for (let id = 0; id < numWorkers; id++) {
      const { port1, port2 } = new MessageChannel();
      const tasks = new MessageChannel();
      const slots = new SharedArrayBuffer((HEADER_BYTES + SLOT_BYTES) * prefetchFactor);
      const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
      Atomics.store(this.signal, 1 + id, 1);
      // Not rebuilt yet (an epoch without batches may end before the rebuild does).
      Atomics.store(control, CONTROL_REBUILD_DRAWS, -1);
      const init: WorkerInit = {
        entry: WORKER_ENTRY,
        workerId: id,
        baseSeed: options.baseSeed,
        dataset: options.dataset,
        collateFn: options.collateFn,
        autoCollation: options.autoCollation,
        port: port2,
        tasks: tasks.port2,
        signal: this.signal.buffer as SharedArrayBuffer,
        slots,
        slotBytes: SLOT_BYTES,
        prefetchFactor,
        control: control.buffer as SharedArrayBuffer,
      };
      inits.push(init);
      transfer.push(port2, tasks.port2);
      this.handles.push({ tasks: tasks.port1, port: port1, slots, control });
    }
    const reports = new MessageChannel();
    this.reports = reports.port1;
    this.supervisor = new Worker(SUPERVISOR, {
      eval: true,
      workerData: {
        bootstrap: BOOTSTRAP,
        inits,
        resourceLimits: options.resourceLimits,
        report: reports.port2,
        heartbeatMs: HEARTBEAT_MS,
        signal: this.signal.buffer,
        status: this.status.buffer,
      },
      transferList: [...transfer, reports.port2],
    });
    // The consumer may abandon the iterator without finishing it, and an idle pool waits for the
    // next epoch: the threads never keep the process alive on their own (an epoch waiting for a
    // batch refs the supervisor while it waits: see `WorkerBatchIterator.nextAsync`).
    this.supervisorThreadId = this.supervisor.threadId;
    this.supervisor.unref();
    // Failures are reported through the ports; this listener only keeps an error of the
    // supervisor from being re-thrown as an unhandled 'error' event in the main thread.
    this.supervisor.on('error', () => {});
  }

  /** Node's thread id of worker `id` (-1 while it is starting). */
  threadId(id: number): number {
    return Atomics.load(this.status, 1 + id) || -1;
  }

  /** The error for worker `id`, whose alive flag is cleared: the supervisor's report says why. */
  exitError(id: number): DataLoaderWorkerError {
    for (let r = receiveMessageOnPort(this.reports); r !== undefined; r = receiveMessageOnPort(this.reports)) {
      const report = r.message as ExitReport;
      this.exits.set(report.workerId, report);
    }
    const report = this.exits.get(id);
    const threadId = report?.threadId ?? this.threadId(id);
    const exitCode = report?.exitCode ?? null;
    const cause = report?.cause === undefined ? '' : `: ${report.cause}`;
    return new DataLoaderWorkerError(
      `DataLoader worker ${id} (thread ${threadId}) exited unexpectedly with exit code ${String(exitCode)}${cause}`,
      id,
      threadId,
      exitCode,
    );
  }

  /**
   * Throws if the supervisor has stopped beating for SUPERVISOR_SILENCE_MS (it was terminated or
   * crashed, and its workers with it). Called between two waits of a main thread; `now` in ms.
   */
  checkSupervisor(now: number, waitingFor: number): void {
    const beat = Atomics.load(this.status, 0);
    if (beat !== this.lastBeat || this.lastBeatAt === 0) {
      this.lastBeat = beat;
      this.lastBeatAt = now;
      return;
    }
    if (now - this.lastBeatAt > SUPERVISOR_SILENCE_MS) {
      throw new DataLoaderWorkerError(
        `DataLoader worker ${waitingFor} (thread ${this.threadId(waitingFor)}) is gone: its supervisor thread (thread ${this.supervisorThreadId}) stopped answering ${SUPERVISOR_SILENCE_MS / 1000} s ago (terminated?)`,
        waitingFor,
        this.threadId(waitingFor),
        null,
      );
    }
  }

  /**
   * Whether the pool can serve another epoch: not closed, every worker alive, and no rebuild that
   * drew random numbers (its dataset would differ from one rebuilt with the next epoch's seed).
   */
  get usable(): boolean {
    if (this.closed) return false;
    for (let id = 0; id < this.handles.length; id++) {
      if (Atomics.load(this.signal, 1 + id) === 0) return false;
      if (Atomics.load(this.handles[id].control, CONTROL_REBUILD_DRAWS) !== 0) return false;
    }
    return true;
  }

  /** Starts an epoch on idle workers: counters back to 0, then the re-seed message. */
  startEpoch(baseSeed: number): void {
    for (const h of this.handles) {
      Atomics.store(h.control, CONTROL_PRODUCED, 0);
      Atomics.store(h.control, CONTROL_CONSUMED, 0);
      const start: EpochStart = { epochSeed: baseSeed };
      h.tasks.postMessage(start);
    }
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
      h.tasks.close();
    }
    this.reports.close();
    // The workers end with their supervisor.
    void this.supervisor.terminate();
  }
}

/**
 * Yields the batches of `batches` (lists of indices), prepared by the pool's worker threads, in
 * order. When the epoch has been read to the end the pool goes to `release` (to serve the next
 * epoch); any other end closes it.
 */
export class WorkerBatchIterator<B> implements Iterator<B> {
  private readonly handles: Handle[];
  private readonly signal: Int32Array;
  private nextToYield = 0;
  private dispatched = 0;
  private exhausted = false;
  private closed = false;

  constructor(
    private readonly batches: Iterator<number[]>,
    private readonly pool: WorkerPool,
    private readonly options: EpochOptions,
    private readonly release: (pool: WorkerPool) => void = (p) => p.close(),
  ) {
    this.handles = pool.handles;
    this.signal = pool.signal;
    pool.startEpoch(options.baseSeed);
    this.dispatchAhead();
  }

  /** Dispatches the next tasks; a sampler that throws ends the epoch (and the pool). */
  private dispatchAhead(): void {
    try {
      this.dispatchChunks();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  next(): IteratorResult<B> {
    if (this.nextToYield >= this.dispatched) return this.finish();
    // The batch is usually there already: the clock is read only when it is not.
    const workerId = this.nextToYield % this.handles.length;
    const ready = this.look(workerId);
    if (ready !== undefined) return this.accept(ready);
    this.spinForBatch(workerId);
    const started = Date.now();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const message = this.poll(started);
      if (message !== undefined) return this.accept(message);
      this.wakeAwaitedWorker();
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
      this.wakeAwaitedWorker();
      const waited = waitAsync(this.signal, 0, seen, WAIT_SLICE_MS);
      if (waited.async) {
        // A pending `Atomics.waitAsync` does not keep the event loop alive: without this, a
        // `for await` loop whose process has nothing else to do would end mid-epoch.
        this.pool.supervisor.ref();
        try {
          await waited.value;
        } finally {
          this.pool.supervisor.unref();
        }
      }
    }
  }

  return(): IteratorResult<B> {
    this.close();
    return { done: true, value: undefined };
  }

  /** Ends the epoch early: terminates the workers (idempotent; no-op once the epoch is done). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.close();
  }

  /** The epoch was read to the end: every worker is idle, the pool may serve the next epoch. */
  private finish(): IteratorResult<B> {
    if (!this.closed) {
      this.closed = true;
      this.release(this.pool);
    }
    return { done: true, value: undefined };
  }

  /**
   * NOTE [ Waking the worker ]
   * A worker whose ring is full naps on its `consumed` counter (first for about the consumer's
   * pace between batches, then doubling while nothing is consumed, up to 100 ms — see
   * worker-main.ts) instead of being woken by the main thread after every batch: a
   * futex wake-up of a sleeping thread measured 36–140 µs of main-thread time per batch on the
   * loaded 2-core machine (the woken worker preempts the waker), a whole training step. The main
   * thread only wakes it when it is about to wait for that worker's batch itself, which also cuts
   * a long nap short after a slow step.
   */
  private wakeAwaitedWorker(): void {
    Atomics.notify(this.handles[this.nextToYield % this.handles.length].control, CONTROL_CONSUMED);
  }

  /**
   * Wakes the worker the next batch comes from and polls its counter for a few tens of
   * microseconds — about what producing a batch takes — before the caller sleeps: sleeping and
   * being woken again costs more than that on a busy machine.
   */
  private spinForBatch(workerId: number): void {
    this.wakeAwaitedWorker();
    const control = this.handles[workerId].control;
    const round = Math.floor(this.nextToYield / this.handles.length);
    const deadline = performance.now() + SPIN_MS;
    for (;;) {
      const produced = Atomics.load(control, CONTROL_PRODUCED);
      const left = deadline - performance.now();
      if (produced > round || left <= 0) return;
      // Yields the core between polls (native spin_wait.rs), so the worker can run on it.
      kernels.spinWhileEqualAt(control, CONTROL_PRODUCED, produced, left * 1000);
    }
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
      const error = this.pool.exitError(workerId);
      this.close();
      throw error;
    }
    const now = Date.now();
    try {
      this.pool.checkSupervisor(now, workerId);
    } catch (e) {
      this.close();
      throw e;
    }
    const { timeout } = this.options;
    if (timeout > 0 && now - started > timeout * 1000) {
      const threadId = this.pool.threadId(workerId);
      this.close();
      throw new DataLoaderWorkerError(
        `DataLoader timed out after ${timeout} seconds waiting for batch ${this.nextToYield} from worker ${workerId} (thread ${threadId})`,
        workerId,
        threadId,
        null,
      );
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
      const { dataset, collateFn } = this.pool.options;
      throw rethrown(message.error, workerId, hasSourceFunctions(dataset) || hasSourceFunctions(collateFn));
    }
    const handle = this.handles[workerId];
    const round = Math.floor(this.nextToYield / this.handles.length);
    const batch = decodeBatch(message, handle.slots, this.slotStart(round) + HEADER_BYTES) as B;
    this.nextToYield++;
    // The slot just read is free again for the worker's next batch; the worker sees it when its
    // nap ends, or at once if we come to wait for it (NOTE [ Waking the worker ]).
    Atomics.add(handle.control, CONTROL_CONSUMED, 1);
    if (this.dispatched - this.nextToYield <= this.handles.length * this.pool.options.prefetchFactor) this.dispatchAhead();
    return { done: false, value: batch };
  }

  /** Byte offset of the slot holding a worker's batch number `round` (its header first). */
  private slotStart(round: number): number {
    return (round % this.pool.options.prefetchFactor) * (HEADER_BYTES + SLOT_BYTES);
  }

  /**
   * Sends every worker its next `TASK_CHUNK` batches in one message each (batch k goes to worker
   * k % numWorkers), keeping the workers' queues ahead of their prefetch window.
   */
  private dispatchChunks(): void {
    if (this.exhausted) return;
    const n = this.handles.length;
    const perWorker: number[][][] = this.handles.map(() => []);
    const target = this.nextToYield + n * (this.pool.options.prefetchFactor + TASK_CHUNK);
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
      this.handles[workerId].tasks.postMessage(chunk, [batchIndices.buffer, indices.buffer, offsets.buffer]);
    });
  }
}

const SOURCE_FUNCTION_HINT =
  ' (the functions of a plain-object dataset, a collateFn or a Lambda reach the worker as source text,' +
  " without the variables around them: require what they use inside them — const torch = require('kindling') —" +
  " or build the dataset in a module with datasetFromModule(require.resolve('./my-dataset'), 'makeDataset', ...args);" +
  ' see docs/DATA.md, "How a worker gets the dataset")';

/** The worker's error as one the caller can catch, PyTorch's wording, the worker's stack kept. */
function rethrown(error: NonNullable<BatchMessage['error']>, workerId: number, sourceFunctions: boolean): Error {
  const Ctor = error.name === 'TypeError' ? TypeError : error.name === 'RangeError' ? RangeError : error.name === 'ReferenceError' ? ReferenceError : Error;
  // A variable missing in the worker is, almost always, one a function sent as source text used.
  const hint = error.name === 'ReferenceError' && sourceFunctions ? SOURCE_FUNCTION_HINT : '';
  const e = new Ctor(`Caught ${error.name} in DataLoader worker ${workerId}: ${error.message}${hint}`);
  e.stack = `${e.name}: ${e.message}\nOriginal stack in the worker:\n${error.stack ?? error.message}\nRe-thrown in the main thread:\n${(e.stack ?? '').split('\n').slice(1).join('\n')}`;
  return e;
}

const sharedIds = new WeakMap<ArrayBufferLike, number>();
let nextSharedId = 0;

/**
 * A string that changes whenever a worker rebuilding `packed` could build something different:
 * a pool is reused only by epochs whose dataset and collate function have the same key. Data in
 * shared memory is seen live by the workers (its identity is the key); other typed arrays were
 * copied into the workers, so their bytes count (a SHA-1, computed natively).
 */
export function recipeKey(packed: unknown): string {
  return JSON.stringify(packed, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = key === '' ? packed : this[key];
    if (raw === undefined) return { $u: 1 };
    if (typeof raw === 'number' && (!Number.isFinite(raw) || Object.is(raw, -0))) return { $n: String(Object.is(raw, -0) ? '-0' : raw) };
    if (typeof raw === 'bigint') return { $b: raw.toString() };
    if (ArrayBuffer.isView(raw)) {
      const view = { $v: raw.constructor.name, offset: raw.byteOffset, length: raw.byteLength };
      if (typeof SharedArrayBuffer !== 'undefined' && raw.buffer instanceof SharedArrayBuffer) {
        let id = sharedIds.get(raw.buffer);
        if (id === undefined) sharedIds.set(raw.buffer, (id = nextSharedId++));
        return { ...view, shared: id };
      }
      return { ...view, sha1: createHash('sha1').update(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)).digest('hex') };
    }
    return value;
  });
}
