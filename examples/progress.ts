/**
 * A per-epoch progress bar for the examples: batches done, running loss, samples/s and ETA.
 * On a terminal it redraws one line in place (and clears it before any `console.log`, so the
 * program's own lines stay intact); when stdout is not a TTY (CI, a pipe, a file) it prints a
 * plain line every tenth of the epoch instead.
 */

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

export interface EpochTimes {
  /** Seconds spent waiting for the loader. */
  data: number;
  /** Seconds spent in training steps (the loop body). */
  steps: number;
}

export class ProgressBar {
  private readonly tty: boolean;
  private readonly started = process.hrtime.bigint();
  private lastDraw = 0;
  private nextPlainLine = 1;
  private drawn = false;
  private readonly originalLog = console.log;
  private bodyStarted = this.started;
  private bodyEnded = this.started;
  private readonly times: EpochTimes = { data: 0, steps: 0 };
  private lastDone = 0;
  private lastLoss = NaN;

  constructor(
    private readonly label: string,
    private readonly totalBatches: number,
    private readonly batchSize: number,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {
    this.tty = stream.isTTY === true;
    if (this.tty) {
      console.log = (...args: unknown[]) => {
        this.erase();
        this.originalLog(...args);
        this.draw(this.lastDone, this.lastLoss);
      };
    }
  }

  /** Marks the start of a loop body: the time since the last body ended was data loading. */
  batchStarted(): void {
    this.bodyStarted = process.hrtime.bigint();
    this.times.data += Number(this.bodyStarted - this.bodyEnded) / 1e9;
  }

  /** Marks the end of a loop body after `done` batches, with the running mean loss. */
  batchDone(done: number, runningLoss: number): void {
    this.bodyEnded = process.hrtime.bigint();
    this.times.steps += Number(this.bodyEnded - this.bodyStarted) / 1e9;
    this.lastDone = done;
    this.lastLoss = runningLoss;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw >= REDRAW_MS || done === this.totalBatches) this.draw(done, runningLoss);
    } else if (done * 10 >= this.nextPlainLine * this.totalBatches) {
      while (done * 10 >= this.nextPlainLine * this.totalBatches) this.nextPlainLine++;
      this.stream.write(`${this.line(done, runningLoss)}\n`);
    }
  }

  /** Ends the epoch: restores console.log and returns where the time went. */
  finish(): EpochTimes {
    if (this.tty) {
      this.erase();
      console.log = this.originalLog;
    }
    return this.times;
  }

  private line(done: number, loss: number): string {
    const elapsed = Number(process.hrtime.bigint() - this.started) / 1e9;
    const rate = elapsed > 0 ? (done * this.batchSize) / elapsed : 0;
    const eta = rate > 0 ? ((this.totalBatches - done) * this.batchSize) / rate : 0;
    const filled = Math.round((BAR_WIDTH * done) / this.totalBatches);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    const lossText = Number.isFinite(loss) ? loss.toFixed(3) : '-';
    return `${this.label} ${bar} ${done}/${this.totalBatches} loss ${lossText} ${Math.round(rate)} samples/s ETA ${clock(eta)}`;
  }

  private draw(done: number, loss: number): void {
    this.lastDraw = Date.now();
    this.stream.write(`\r\x1b[K${this.line(done, loss)}`);
    this.drawn = true;
  }

  private erase(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** Seconds as m:ss (or h:mm:ss). */
function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
