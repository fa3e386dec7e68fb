/**
 * One event file: `<logDir>/events.out.tfevents.<seconds>.<host>.<pid>.<n><suffix>`, a sequence of
 * TFRecord-framed `Event` protobufs whose first record is `file_version: "brain.Event:2"`.
 *
 * Records wait in memory until `maxQueue` of them are pending, `flushSecs` have passed, or
 * `flush()`/`close()` is called, as in TensorBoard's EventFileWriter; the writes themselves are
 * synchronous, so a full disk or a removed directory is an error at the call that flushed, not
 * a lost background write. Pending records are also written when the process exits normally.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SummaryWriterError } from './errors';
import { encode, Event } from './proto';
import { frameRecord } from './record-writer';

/** The writer name in each file's first record (TensorBoard shows it in its debug views). */
const SOURCE = 'kindling.utils.tensorboard';

/**
 * Counts the event files this process opened: the `<n>` in their names, so that two files opened
 * in the same second by one process get different names (TensorBoard's `_global_uid`).
 */
let fileCount = 0;

/** The event file name TensorBoard's EventFileWriter would pick for a file opened at `seconds`. */
export function eventFileName(seconds: number, host: string, pid: number, n: number, suffix: string): string {
  // Python's "%010d" % time.time(): the whole seconds, zero-padded to ten digits.
  return `events.out.tfevents.${String(Math.floor(seconds)).padStart(10, '0')}.${host}.${pid}.${n}${suffix}`;
}

/** An `Event` as a plain object: field names as in event.proto. */
export interface EventFields {
  wall_time?: number;
  step?: number;
  file_version?: string;
  summary?: Record<string, unknown>;
  session_log?: Record<string, unknown>;
  source_metadata?: { writer: string };
}

/** Writers with records not yet on disk, flushed by the exit hook. */
const open = new Set<EventFileWriter>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers may only do synchronous work, which is what flush() does. Errors are not
  // thrown from here: the process is already on its way out with its own exit code.
  process.on('exit', () => {
    for (const writer of open) {
      try {
        writer.close('close');
      } catch {
        // Nothing left to report to.
      }
    }
  });
}

export interface EventFileOptions {
  maxQueue: number;
  flushSecs: number;
  filenameSuffix: string;
}

export class EventFileWriter {
  /** The directory the file is in. */
  readonly logDir: string;
  /** The event file's full path. */
  readonly path: string;
  private fd: number | null;
  private pending: Buffer[] = [];
  private readonly maxQueue: number;
  private readonly timer: NodeJS.Timeout;

  /** Creates `logDir` (and parents) and the event file, and writes its first record. `method` names the caller in errors. */
  constructor(logDir: string, options: EventFileOptions, method: string) {
    this.logDir = logDir;
    this.maxQueue = options.maxQueue;
    try {
      mkdirSync(logDir, { recursive: true });
    } catch (cause) {
      throw new SummaryWriterError(method, `cannot create the log directory '${logDir}': ${(cause as Error).message}`, { path: logDir, cause });
    }
    const seconds = Date.now() / 1000;
    this.path = join(logDir, eventFileName(seconds, hostname(), process.pid, fileCount++, options.filenameSuffix));
    try {
      this.fd = openSync(this.path, 'w');
    } catch (cause) {
      throw new SummaryWriterError(method, `cannot create the event file '${this.path}': ${(cause as Error).message}`, { path: this.path, cause });
    }
    open.add(this);
    installExitHook();
    // unref: a writer the user forgot to close must not keep the process alive.
    this.timer = setInterval(() => this.flushFromTimer(), options.flushSecs * 1000).unref();
    this.add({ wall_time: seconds, file_version: 'brain.Event:2', source_metadata: { writer: SOURCE } }, method);
    this.flush(method);
  }

  get closed(): boolean {
    return this.fd === null;
  }

  /** Queues one event; writes the queue when it holds `maxQueue` records. */
  add(event: EventFields, method: string): void {
    if (this.fd === null) throw new SummaryWriterError(method, `the event file '${this.path}' is closed`, { path: this.path });
    this.pending.push(frameRecord(encode(Event, event as Record<string, unknown>)));
    if (this.pending.length >= this.maxQueue) this.flush(method);
  }

  /** Writes the pending records to the file. */
  flush(method: string): void {
    if (this.fd === null || this.pending.length === 0) return;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
    } catch (cause) {
      throw new SummaryWriterError(method, `cannot write to the event file '${this.path}': ${(cause as Error).message}`, { path: this.path, cause });
    }
  }

  /** Flushes and closes the file; a second call does nothing. */
  close(method: string): void {
    if (this.fd === null) return;
    clearInterval(this.timer);
    open.delete(this);
    const fd = this.fd;
    try {
      this.flush(method);
    } finally {
      this.fd = null;
      closeSync(fd);
    }
  }

  private flushFromTimer(): void {
    try {
      this.flush('flush');
    } catch (error) {
      // A timer has no caller to throw to: report it as Node reports other background failures,
      // and stop the timer so a full disk does not warn every flushSecs.
      clearInterval(this.timer);
      process.emitWarning(error as Error);
    }
  }
}
