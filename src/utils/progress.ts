/**
 * `progress(iterable, { total, desc })`: a progress bar around any iterable, in tqdm's spirit —
 * `desc: 45%|#########           | 270/600 [00:03<00:04, 85.31it/s, loss=0.512]`.
 *
 * - On a terminal it redraws one line in place (at most every `minInterval` seconds, and at the
 *   end); `bar.write(line)` and `console.log` print above it without breaking it.
 * - When the stream is not a terminal (a pipe, a file, CI logs) it prints a plain line each time
 *   another tenth of `total` is done (`plainLines` per pass), so logs stay short.
 * - It is silent when `disable` is true, and by default when the `CI` environment variable is
 *   set (as many CI systems do), so test and CI logs carry no bars.
 * - It times the loop: seconds spent waiting for the iterable's next item (`data`) and inside
 *   the loop body (`steps`) — for a DataLoader, loading versus training.
 *
 * The bar writes to `process.stderr` by default, as tqdm does, so a program's stdout stays its own.
 */
import { checkOptions } from '../options';

export interface ProgressOptions {
  /** Iterations expected; default the iterable's `length` (a DataLoader's batches), else unknown. */
  total?: number;
  /** Text before the bar (`Epoch 1/5`). */
  desc?: string;
  /** Unit of the rate: `it` (default), or e.g. `batch`. */
  unit?: string;
  /** Where to draw: default `process.stderr`. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** No output at all; default true when the `CI` environment variable is set (not '' / 'false' / '0'). */
  disable?: boolean;
  /** Seconds between redraws on a terminal (default 0.1). */
  minInterval?: number;
  /** Plain lines per pass when not a terminal (default 10). */
  plainLines?: number;
}

const OPTIONS = {
  total: 'number',
  desc: 'string',
  unit: 'string',
  stream: 'object',
  disable: 'boolean',
  minInterval: 'number',
  plainLines: 'number',
} as const;

/** Where a loop's time went, in seconds. */
export interface ProgressTimes {
  /** Waiting for the iterable's next item. */
  data: number;
  /** Inside the loop body. */
  steps: number;
}

const BAR_WIDTH = 20;

function ciIsSet(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** Seconds as mm:ss or h:mm:ss, as tqdm prints them. */
export function formatInterval(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function formatValue(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/** A progress bar over an iterable; iterate it as you would the iterable. */
export class Progress<T> implements Iterable<T> {
  /** Iterations done. */
  n = 0;
  readonly total: number | null;
  private readonly desc: string;
  private readonly unit: string;
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly disabled: boolean;
  private readonly tty: boolean;
  private readonly minInterval: number;
  private readonly plainLines: number;
  private readonly started = process.hrtime.bigint();
  private lastDraw = -Infinity;
  private nextPlain = 1;
  private drawn = false;
  private closed = false;
  private postfix = '';
  private readonly times: ProgressTimes = { data: 0, steps: 0 };
  private readonly originalLog = console.log;

  constructor(
    private readonly iterable: Iterable<T>,
    options: ProgressOptions = {},
  ) {
    checkOptions('progress', options, OPTIONS);
    if (iterable === null || typeof (iterable as Iterable<T>)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(`progress(): expected an iterable, got ${iterable === null ? 'null' : typeof iterable}`);
    }
    const length = (iterable as { length?: unknown }).length;
    const total = options.total ?? (typeof length === 'number' ? length : undefined);
    if (total !== undefined && !(Number.isInteger(total) && total >= 0)) {
      throw new RangeError(`progress(): total must be a non-negative integer, got ${total}`);
    }
    const { plainLines = 10, minInterval = 0.1 } = options;
    if (!(Number.isInteger(plainLines) && plainLines > 0)) throw new RangeError(`progress(): plainLines must be a positive integer, got ${plainLines}`);
    if (!(minInterval >= 0)) throw new RangeError(`progress(): minInterval must be >= 0, got ${minInterval}`);
    this.total = total ?? null;
    this.desc = options.desc ?? '';
    this.unit = options.unit ?? 'it';
    this.stream = options.stream ?? process.stderr;
    this.disabled = options.disable ?? ciIsSet();
    this.tty = !this.disabled && this.stream.isTTY === true;
    this.minInterval = minInterval;
    this.plainLines = plainLines;
    if (this.tty) {
      // Lines the program logs while the bar is up go above it.
      console.log = (...args: unknown[]) => {
        this.erase();
        this.originalLog(...args);
        this.redraw(true);
      };
    }
  }

  *[Symbol.iterator](): Iterator<T> {
    const it = this.iterable[Symbol.iterator]();
    // Set while the caller's loop body runs: a `break` returns from the `yield`, and the item
    // it broke on still counts (its body ran).
    let bodyStarted: bigint | null = null;
    const bodyDone = (): void => {
      if (bodyStarted === null) return;
      this.times.steps += Number(process.hrtime.bigint() - bodyStarted) / 1e9;
      bodyStarted = null;
      this.update(1);
    };
    try {
      for (;;) {
        const asked = process.hrtime.bigint();
        const next = it.next();
        const got = process.hrtime.bigint();
        this.times.data += Number(got - asked) / 1e9;
        if (next.done) break;
        bodyStarted = got;
        yield next.value;
        bodyDone();
      }
    } finally {
      bodyDone();
      this.close();
    }
  }

  /** Shows `key=value` pairs after the rate (`bar.setPostfix({ loss: 0.512 })`). */
  setPostfix(values: Record<string, number | string>): void {
    this.postfix = Object.entries(values)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(', ');
  }

  /** Counts `n` more iterations (for loops that drive the bar by hand). */
  update(n = 1): void {
    this.n += n;
    if (this.disabled) return;
    if (this.tty) {
      this.redraw(this.total !== null && this.n >= this.total);
    } else if (this.total !== null && this.total > 0) {
      if (this.n * this.plainLines >= this.nextPlain * this.total) {
        while (this.n * this.plainLines >= this.nextPlain * this.total) this.nextPlain++;
        this.stream.write(`${this.line()}\n`);
      }
    }
  }

  /** Prints a line above the bar (tqdm's `write`). */
  write(line: string): void {
    this.erase();
    this.stream.write(`${line}\n`);
    this.redraw(true);
  }

  /** Ends the bar (also done when the loop ends or breaks): restores console.log, returns the times. */
  close(): ProgressTimes {
    if (!this.closed) {
      this.closed = true;
      if (this.tty) {
        this.redraw(true);
        this.stream.write('\n');
        this.drawn = false;
        console.log = this.originalLog;
      } else if (!this.disabled && this.n > 0 && (this.total === null || this.nextPlain === 1)) {
        // An unsized pass, or one that ended before a tenth of its total, still leaves one line.
        this.stream.write(`${this.line()}\n`);
      }
    }
    return { ...this.times };
  }

  /** The current line: `desc: 45%|####      | 270/600 [00:03<00:04, 85.31it/s, loss=0.512]`. */
  line(): string {
    const elapsed = Number(process.hrtime.bigint() - this.started) / 1e9;
    const rate = elapsed > 0 ? this.n / elapsed : 0;
    const rateText = rate > 0 ? (rate >= 1 ? `${rate.toFixed(2)}${this.unit}/s` : `${(1 / rate).toFixed(2)}s/${this.unit}`) : `?${this.unit}/s`;
    const post = this.postfix === '' ? '' : `, ${this.postfix}`;
    const prefix = this.desc === '' ? '' : `${this.desc}: `;
    if (this.total === null) return `${prefix}${this.n}${this.unit} [${formatInterval(elapsed)}, ${rateText}${post}]`;
    const frac = this.total > 0 ? Math.min(this.n / this.total, 1) : 1;
    const filled = Math.floor(frac * BAR_WIDTH);
    const bar = '#'.repeat(filled) + ' '.repeat(BAR_WIDTH - filled);
    const remaining = rate > 0 ? (this.total - this.n) / rate : NaN;
    const percent = String(Math.floor(frac * 100)).padStart(3);
    return `${prefix}${percent}%|${bar}| ${this.n}/${this.total} [${formatInterval(elapsed)}<${formatInterval(remaining)}, ${rateText}${post}]`;
  }

  private redraw(force: boolean): void {
    if (!this.tty || this.closed) return;
    const now = Number(process.hrtime.bigint()) / 1e9;
    if (!force && now - this.lastDraw < this.minInterval) return;
    this.lastDraw = now;
    this.stream.write(`\r\x1b[K${this.line()}`);
    this.drawn = true;
  }

  private erase(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** `tqdm(iterable, total=..., desc=...)`: wraps `iterable` in a progress bar. */
export function progress<T>(iterable: Iterable<T>, options?: ProgressOptions): Progress<T> {
  return new Progress(iterable, options);
}
