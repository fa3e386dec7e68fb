/**
 * `SummaryWriter`: PyTorch's torch.utils.tensorboard.SummaryWriter, writing TensorBoard event
 * files that `tensorboard --logdir runs` reads.
 *
 *   const writer = new SummaryWriter();            // runs/Dec04_10-15-02_myhost/
 *   writer.addScalar('Loss/train', loss.item(), step);
 *   writer.close();
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../tensor';
import { SummaryWriterError } from './errors';
import { EventFileWriter, type EventFileOptions } from './event-file';
import { makeHistogram, type Bins } from './histogram';
import { hparamsSummaries, histogramSummary, scalarSummary, textSummary, type HParamValue, type SummaryFields } from './summaries';
import { checkDict, checkScalar, checkStep, checkTag, checkValues, checkWalltime, describeValue, fail } from './validate';

export interface SummaryWriterOptions {
  /** Appended to the default log dir's name (ignored when `logDir` is given). */
  comment?: string;
  /** TensorBoard hides the events at and after this step that earlier runs wrote to the same log dir. */
  purgeStep?: number;
  /** Events kept in memory before a write to disk (default 10). */
  maxQueue?: number;
  /** Seconds between writes of pending events (default 120). */
  flushSecs?: number;
  /** Appended to every event file name. */
  filenameSuffix?: string;
}

export interface AddHparamsOptions {
  /** For each hyperparameter, the discrete values it can take (shown as its domain). */
  hparamDomainDiscrete?: Record<string, HParamValue[]>;
  /** The sub-directory of the log dir the run is written to (default: the current time in seconds). */
  runName?: string;
  globalStep?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * PyTorch's default log dir, `runs/<Mon><DD>_<HH-MM-SS>_<hostname><comment>` in local time
 * (`datetime.now().strftime("%b%d_%H-%M-%S")`), e.g. `runs/May04_22-14-54_s-MacBook-Pro.local`.
 */
export function defaultLogDir(comment = '', now: Date = new Date(), host: string = hostname()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${MONTHS[now.getMonth()]}${two(now.getDate())}_${two(now.getHours())}-${two(now.getMinutes())}-${two(now.getSeconds())}`;
  return join('runs', `${time}_${host}${comment}`);
}

function checkOptions(logDir: unknown, options: unknown): { logDir: string; purgeStep: number | undefined; file: EventFileOptions } {
  const m = 'constructor';
  if (logDir !== undefined && logDir !== null && typeof logDir !== 'string') fail('type', m, 'logDir', 'a string', logDir);
  const o = checkDict(m, 'options', options ?? {}) as SummaryWriterOptions;
  const comment = o.comment ?? '';
  if (typeof comment !== 'string') fail('type', m, 'comment', 'a string', comment);
  const filenameSuffix = o.filenameSuffix ?? '';
  if (typeof filenameSuffix !== 'string') fail('type', m, 'filenameSuffix', 'a string', filenameSuffix);
  const maxQueue = o.maxQueue ?? 10;
  if (typeof maxQueue !== 'number' || !Number.isInteger(maxQueue) || maxQueue < 1) fail('range', m, 'maxQueue', 'a positive integer', maxQueue);
  const flushSecs = o.flushSecs ?? 120;
  // setInterval's limit is 2^31 - 1 ms; a longer period would fire at once.
  if (typeof flushSecs !== 'number' || !(flushSecs > 0 && flushSecs * 1000 <= 0x7fffffff)) fail('range', m, 'flushSecs', 'a positive number of seconds (at most 2147483)', flushSecs);
  const purgeStep = o.purgeStep;
  if (purgeStep !== undefined && (typeof purgeStep !== 'number' || !Number.isSafeInteger(purgeStep))) fail('type', m, 'purgeStep', 'an integer', purgeStep);
  // PyTorch: `if not log_dir` — an empty string also means the default.
  return { logDir: logDir ? (logDir as string) : defaultLogDir(comment), purgeStep, file: { maxQueue, flushSecs, filenameSuffix } };
}

export class SummaryWriter {
  /** The directory this writer's event file is in. */
  readonly logDir: string;
  /** The path of the main event file (the one addScalar, addHistogram and addText write to). */
  readonly eventFile: string;
  private readonly fileOptions: EventFileOptions;
  /** The main event file, then one per `addScalars` sub-directory, by directory. */
  private writers: Map<string, EventFileWriter> | null;

  constructor(logDir?: string, options: SummaryWriterOptions = {}) {
    const checked = checkOptions(logDir, options);
    this.logDir = checked.logDir;
    this.fileOptions = checked.file;
    const main = new EventFileWriter(this.logDir, this.fileOptions, 'constructor');
    this.eventFile = main.path;
    this.writers = new Map([[this.logDir, main]]);
    if (checked.purgeStep !== undefined) {
      // What PyTorch writes for purge_step: a file_version event and a SessionLog START at that step.
      const step = checked.purgeStep;
      main.add({ wall_time: Date.now() / 1000, step, file_version: 'brain.Event:2' }, 'constructor');
      main.add({ wall_time: Date.now() / 1000, step, session_log: { status: 'START' } }, 'constructor');
    }
  }

  /** PyTorch's `get_logdir()`. */
  getLogdir(): string {
    return this.logDir;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.writers === null;
  }


  /** Adds one scalar (`scalarValue` is stored as a float32, as PyTorch's `simple_value`). */
  addScalar(tag: string, scalarValue: number | Tensor, globalStep?: number, walltime?: number): void {
    const m = 'addScalar';
    this.mainWriter(m);
    checkTag(m, 'tag', tag);
    const value = checkScalar(m, 'scalarValue', scalarValue);
    this.write(this.mainWriter(m), m, scalarSummary(tag, value), checkStep(m, globalStep), checkWalltime(m, walltime));
  }

  /**
   * Adds several scalars to one chart: each goes, under the tag `mainTag`, to its own sub-writer
   * in `<logDir>/<mainTag with '/' as '_'>_<tag>`, which TensorBoard shows as separate runs.
   */
  addScalars(mainTag: string, tagScalarDict: Record<string, number | Tensor>, globalStep?: number, walltime?: number): void {
    const m = 'addScalars';
    this.mainWriter(m);
    checkTag(m, 'mainTag', mainTag);
    const dict = checkDict(m, 'tagScalarDict', tagScalarDict);
    const step = checkStep(m, globalStep);
    const time = checkWalltime(m, walltime);
    // Check every value before writing any, so that a bad entry leaves no partial record.
    const entries = Object.entries(dict).map(([tag, v]) => {
      checkTag(m, 'tagScalarDict key', tag);
      return [tag, checkScalar(m, `tagScalarDict['${tag}']`, v)] as const;
    });
    const writers = this.mainWriterMap(m);
    for (const [tag, value] of entries) {
      const dir = join(this.logDir, `${mainTag.replace(/\//g, '_')}_${tag}`);
      let writer = writers.get(dir);
      if (writer === undefined) {
        writer = new EventFileWriter(dir, this.fileOptions, m);
        writers.set(dir, writer);
      }
      this.write(writer, m, scalarSummary(mainTag, value), step, time);
    }
  }

  /**
   * Adds a histogram of `values`, with PyTorch's bucketing: `bins` is `'tensorflow'` (TensorBoard's
   * default exponential edges), a number of equal-width bins, or the bin edges; `maxBins` merges
   * neighbouring bins down to at most that many.
   */
  addHistogram(tag: string, values: Tensor | ArrayLike<number>, globalStep?: number, bins: Bins = 'tensorflow', walltime?: number, maxBins?: number): void {
    const m = 'addHistogram';
    this.mainWriter(m);
    checkTag(m, 'tag', tag);
    const data = checkValues(m, values);
    checkBins(m, bins);
    if (maxBins !== undefined && (typeof maxBins !== 'number' || !Number.isInteger(maxBins) || maxBins < 1)) fail('range', m, 'maxBins', 'a positive integer', maxBins);
    const histogram = makeHistogram(data, bins, maxBins);
    if (histogram === null) fail('range', m, 'values', 'inside the bin edges for a non-empty histogram', 'none of them inside', true);
    this.write(this.mainWriter(m), m, histogramSummary(tag, histogram), checkStep(m, globalStep), checkWalltime(m, walltime));
  }

  /** Adds text (Markdown in TensorBoard's Text tab), under the tag `<tag>/text_summary` as PyTorch. */
  addText(tag: string, textString: string, globalStep?: number, walltime?: number): void {
    const m = 'addText';
    this.mainWriter(m);
    checkTag(m, 'tag', tag);
    if (typeof textString !== 'string') fail('type', m, 'textString', 'a string', textString);
    this.write(this.mainWriter(m), m, textSummary(tag, textString), checkStep(m, globalStep), checkWalltime(m, walltime));
  }

  /**
   * Adds a run to TensorBoard's HParams tab: the hyperparameters (numbers, strings, booleans or
   * one-element Tensors; null/undefined are left out) and the metrics, written as PyTorch's
   * `add_hparams` does to a new writer in `<logDir>/<runName>`. The metrics are also written there
   * as scalars under their own tags, which is where the HParams tab reads them.
   *
   * One difference from PyTorch: a boolean is written as a boolean (DATA_TYPE_BOOL). PyTorch
   * writes Python's `True` as the number 1.0, because it tests `isinstance(v, (int, float))`
   * before `bool`, and `bool` is a subclass of `int`.
   */
  addHparams(hparamDict: Record<string, HParamValue | Tensor | null | undefined>, metricDict: Record<string, number | Tensor>, options: AddHparamsOptions = {}): void {
    const m = 'addHparams';
    this.mainWriter(m);
    const hp = checkDict(m, 'hparamDict', hparamDict);
    const metrics = checkDict(m, 'metricDict', metricDict);
    const o = checkDict(m, 'options', options) as AddHparamsOptions;
    const hparams: Record<string, HParamValue | null> = {};
    for (const [k, v] of Object.entries(hp)) {
      checkTag(m, 'hparamDict key', k);
      if (v === null || v === undefined) hparams[k] = null;
      else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') hparams[k] = v;
      else if (v instanceof Tensor) hparams[k] = checkScalar(m, `hparamDict['${k}']`, v);
      else fail('type', m, `hparamDict['${k}']`, 'a number, string, boolean, one-element Tensor, null or undefined', v);
    }
    const metricValues = Object.entries(metrics).map(([k, v]) => {
      checkTag(m, 'metricDict key', k);
      return [k, checkScalar(m, `metricDict['${k}']`, v)] as const;
    });
    const domains = checkDict(m, 'hparamDomainDiscrete', o.hparamDomainDiscrete ?? {}) as Record<string, HParamValue[]>;
    for (const [k, list] of Object.entries(domains)) {
      const v = hparams[k];
      if (!(k in hparams) || v === null) fail('range', m, 'hparamDomainDiscrete', `to name hyperparameters of hparamDict`, `'${k}', which is not one`, true);
      if (!Array.isArray(list) || !list.every((d) => typeof d === typeof v)) {
        fail('type', m, `hparamDomainDiscrete['${k}']`, `an array of ${typeof v}s, the type of hparamDict['${k}']`, list);
      }
    }
    const runName = o.runName ?? String(Date.now() / 1000);
    if (typeof runName !== 'string' || runName.length === 0) fail('type', m, 'runName', 'a non-empty string', runName);
    const step = checkStep(m, o.globalStep);

    const summaries = hparamsSummaries(hparams, metricValues.map(([k]) => k), domains);
    const run = new SummaryWriter(join(this.logDir, runName), this.fileOptions);
    try {
      const writer = run.mainWriter(m);
      for (const summary of summaries) this.write(writer, m, summary, step, Date.now() / 1000);
      for (const [k, v] of metricValues) run.addScalar(k, v, step);
    } finally {
      run.close();
    }
  }

  /** Writes every pending event of this writer and its sub-writers to disk. */
  flush(): void {
    if (this.writers === null) return;
    for (const writer of this.writers.values()) writer.flush('flush');
  }

  /** Flushes and closes every event file; add* methods throw afterwards. A second call does nothing. */
  close(): void {
    if (this.writers === null) return;
    const writers = [...this.writers.values()];
    this.writers = null;
    let first: unknown;
    // Close them all even if one fails (a full disk), then report the first failure.
    for (const writer of writers) {
      try {
        writer.close('close');
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  private mainWriterMap(method: string): Map<string, EventFileWriter> {
    if (this.writers === null) {
      throw new SummaryWriterError(method, `the writer of '${this.logDir}' is closed; create a new SummaryWriter to write more`, { path: this.logDir });
    }
    return this.writers;
  }

  private mainWriter(method: string): EventFileWriter {
    return this.mainWriterMap(method).get(this.logDir) as EventFileWriter;
  }

  private write(writer: EventFileWriter, method: string, summary: SummaryFields, step: number | undefined, walltime: number): void {
    writer.add(step === undefined ? { wall_time: walltime, summary } : { wall_time: walltime, step, summary }, method);
  }
}

function checkBins(method: string, bins: unknown): void {
  if (bins === 'tensorflow') return;
  if (typeof bins === 'number') {
    if (!Number.isInteger(bins) || bins < 1) fail('range', method, 'bins', "'tensorflow', a positive integer or an increasing array of edges", bins);
    return;
  }
  if (Array.isArray(bins)) {
    const ok = bins.length >= 2 && bins.every((e, i) => typeof e === 'number' && Number.isFinite(e) && (i === 0 || e >= bins[i - 1]));
    if (!ok) fail('range', method, 'bins', 'an array of at least 2 finite, non-decreasing edges', `[${bins.map(describeValue).join(', ')}]`, true);
    return;
  }
  // numpy's estimators ('auto', 'fd', 'sturges', ...) are not implemented: name what is.
  fail(typeof bins === 'string' ? 'range' : 'type', method, 'bins', "'tensorflow', a positive integer or an array of edges", bins);
}
