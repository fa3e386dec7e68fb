/**
 * Learning-rate schedulers, `torch.optim.lr_scheduler`: the same recursive ("chainable") formulas
 * as PyTorch, each step deriving the new rate from the group's current `lr`, so sequences match
 * torch's to rounding and schedulers can be stacked on one optimizer.
 *
 * Differences: PyTorch's warnings about calling `scheduler.step()` before `optimizer.step()` are
 * not emitted. `stateDict()` holds the scheduler's fields under camelCase names.
 *
 * https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
 */
import { type OptionSpec, checkOptions, describeValue, positionalOptionError } from '../options';
import { type BaseGroupOptions, Optimizer } from './optimizer';

type AnyOptimizer = Optimizer<BaseGroupOptions, object>;

/** The scheduler's fields (all but the optimizer), PyTorch's `scheduler.state_dict()`. */
export type SchedulerStateDict = Record<string, number | number[] | boolean | string>;

const EPOCH_DEPRECATION_WARNING =
  'The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. ' +
  'Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, ' +
  'the closed form is used instead of the new chainable form, where available. ' +
  'Please open an issue if you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.';

/**
 * A scheduler's options: `new StepLR(optimizer, 30)` (PyTorch's positional `step_size`) gets the
 * call that works; unknown, mistyped and missing required options throw (a missing `stepSize`
 * would otherwise give NaN rates).
 */
function checkSchedulerOptions(owner: string, options: unknown, spec: OptionSpec, first: string, required: readonly string[] = [first]): void {
  if (typeof options === 'number') {
    throw positionalOptionError(owner, 'second', `new optim.lrScheduler.${owner}(optimizer, { ${first}: ${options} })`);
  }
  checkOptions(owner, options, spec, required);
}

/** A scheduler's enumerable fields (all but the optimizer), copied: PyTorch's `state_dict()`. */
function fieldsOf(scheduler: object): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [key, value] of Object.entries(scheduler)) {
    out[key] = Array.isArray(value) ? [...(value as number[])] : (value as number | boolean | string);
  }
  return out;
}

/** Restores fields saved by `fieldsOf`, refusing keys that are not fields of the scheduler. */
function loadFields(scheduler: object, stateDict: SchedulerStateDict): void {
  const owner = scheduler.constructor.name;
  if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
    throw new TypeError(`${owner}.loadStateDict: expected an object from scheduler.stateDict(), got ${describeValue(stateDict)}`);
  }
  for (const key of Object.keys(stateDict)) {
    if (!(key in scheduler) || key === 'optimizer') throw new TypeError(`${owner}.loadStateDict: unexpected key '${key}' (not a field of ${owner})`);
  }
  for (const [key, value] of Object.entries(stateDict)) {
    (scheduler as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
  }
}

const STEP_LR_OPTIONS = { stepSize: 'integer', gamma: 'number', lastEpoch: 'integer' } as const;
const EXPONENTIAL_LR_OPTIONS = { gamma: 'number', lastEpoch: 'integer' } as const;
const COSINE_ANNEALING_LR_OPTIONS = { tMax: 'number', etaMin: 'number', lastEpoch: 'integer' } as const;

/** Python's `%`: the result has the divisor's sign (the cosine schedule's restart test relies on it). */
function pyMod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * Base class: remembers each group's starting rate (`initialLr`), counts epochs, and on `step()`
 * writes the rates from `getLr()` into the optimizer's groups.
 */
export abstract class LRScheduler {
  baseLrs: number[];
  lastEpoch: number;
  /** Calls of `step()`, including the one made on construction (PyTorch's `_step_count`). */
  _stepCount = 0;
  /** The rates set by the last `step()` (PyTorch's `_last_lr`); read them with `getLastLr()`. */
  _lastLr: number[] = [];
  #isInitial = false;

  constructor(
    readonly optimizer: AnyOptimizer,
    lastEpoch = -1,
  ) {
    if (!(optimizer instanceof Optimizer)) {
      throw new TypeError(`${(optimizer as object)?.constructor?.name ?? typeof optimizer} is not an Optimizer`);
    }
    Object.defineProperty(this, 'optimizer', { enumerable: false }); // not part of stateDict()
    if (lastEpoch === -1) {
      for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    } else {
      optimizer.paramGroups.forEach((group, i) => {
        if (group.initialLr === undefined) {
          throw new RangeError(
            `param 'initial_lr' is not specified in param_groups[${i}] when resuming scheduler with last_epoch >= 0.\n` +
              'This typically happens when:\n' +
              "1. You're trying to resume training from a checkpoint but haven't properly loaded the optimizer state\n" +
              "2. You're using last_epoch >= 0 for a fresh training run (not recommended)",
          );
        }
      });
    }
    this.baseLrs = optimizer.paramGroups.map((group) => group.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /**
   * The first step, which sets `lastEpoch` to 0 and records the starting rates. Subclasses call it
   * at the end of their constructor (PyTorch's base constructor does, but a TypeScript base
   * constructor runs before the subclass's fields exist).
   */
  protected initialStep(): void {
    this._stepCount = 0;
    this.#isInitial = true;
    try {
      this.step();
    } finally {
      this.#isInitial = false;
    }
  }

  /** The constructor's first step again (PyTorch's `_initial_step`, for `SequentialLR`). */
  _initialStep(): void {
    this.initialStep();
  }

  /** True during the constructor's first step. */
  protected get isInitial(): boolean {
    return this.#isInitial;
  }

  /** The new rates, computed from the groups' current ones (the chainable form). */
  protected abstract getLr(): number[];

  /** The rates as a function of `lastEpoch` alone, used by the deprecated `step(epoch)`. */
  protected abstract getClosedFormLr(): number[];

  /** Advances one epoch (call after `optimizer.step()`). Passing `epoch` is deprecated, as in PyTorch. */
  step(epoch?: number): void {
    if (epoch !== undefined && (typeof epoch !== 'number' || !Number.isInteger(epoch))) {
      throw new TypeError(`${this.constructor.name}.step: epoch must be an integer, got ${describeValue(epoch)}`);
    }
    this._stepCount += 1;
    if (epoch !== undefined) process.emitWarning(EPOCH_DEPRECATION_WARNING);
    this._updateLr(epoch);
  }

  /**
   * The rates of the next epoch (or, given `epoch`, of that epoch in closed form) written into the
   * groups — `step()` without its checks and warning (PyTorch's `_update_lr`, which `SequentialLR`
   * calls at a milestone).
   */
  _updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.getClosedFormLr();
    }
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = values[i];
    });
    this._lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  /** The learning rate of each group after the last `step()`. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** Every field but the optimizer (PyTorch's `__dict__` minus `optimizer`). */
  stateDict(): SchedulerStateDict {
    return fieldsOf(this);
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    loadFields(this, stateDict);
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }
}

/**
 * Multiplies each group's rate by `gamma` every `stepSize` epochs.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
 *
 * @example
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); scheduler.step(); }
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    checkSchedulerOptions('StepLR', options, STEP_LR_OPTIONS, 'stepSize');
    const { stepSize, gamma = 0.1, lastEpoch = -1 } = options;
    super(optimizer, lastEpoch);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || pyMod(this.lastEpoch, this.stepSize) !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected getClosedFormLr(): number[] {
    return this.baseLrs.map((baseLr) => baseLr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies each group's rate by `gamma` every epoch.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ExponentialLR.html
 *
 * @example
 * const scheduler = new optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.9 });
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: { gamma: number; lastEpoch?: number }) {
    checkSchedulerOptions('ExponentialLR', options, EXPONENTIAL_LR_OPTIONS, 'gamma');
    const { gamma, lastEpoch = -1 } = options;
    super(optimizer, lastEpoch);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    // Loading from a checkpoint must not move the rate one step ahead on construction.
    if (this.isInitial) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected getClosedFormLr(): number[] {
    return this.baseLrs.map((baseLr) => baseLr * this.gamma ** this.lastEpoch);
  }
}

/**
 * Anneals each group's rate from its initial value to `etaMin` along half a cosine over `tMax`
 * epochs (and back up over the next `tMax`, as PyTorch's recursive form does).
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
 *
 * @example
 * const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: 50 });
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    checkSchedulerOptions('CosineAnnealingLR', options, COSINE_ANNEALING_LR_OPTIONS, 'tMax');
    const { tMax, etaMin = 0.0, lastEpoch = -1 } = options;
    super(optimizer, lastEpoch);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch, tMax, etaMin } = this;
    if (this.isInitial) return this.groupLrs();
    if (this._stepCount === 1 && lastEpoch > 0) {
      return this.baseLrs.map((baseLr) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((lastEpoch * Math.PI) / tMax))) / 2);
    }
    if (pyMod(lastEpoch - 1 - tMax, 2 * tMax) === 0) {
      return this.optimizer.paramGroups.map(
        (group, i) => group.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    return this.groupLrs().map(
      (lr) =>
        ((1 + Math.cos((Math.PI * lastEpoch) / tMax)) / (1 + Math.cos((Math.PI * (lastEpoch - 1)) / tMax))) *
          (lr - etaMin) +
        etaMin,
    );
  }

  protected getClosedFormLr(): number[] {
    return this.baseLrs.map(
      (baseLr) => this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2,
    );
  }
}

const LINEAR_LR_OPTIONS = { startFactor: 'number', endFactor: 'number', totalIters: 'integer', lastEpoch: 'integer' } as const;

/**
 * Scales each group's rate by a factor moving linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs, then keeps it (a warm-up, usually followed by another schedule through
 * `SequentialLR`).
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html
 *
 * @example
 * const warmup = new optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.01, totalIters: 100 });
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: AnyOptimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    checkSchedulerOptions('LinearLR', options, LINEAR_LR_OPTIONS, 'startFactor', []);
    const { startFactor = 1.0 / 3, endFactor = 1.0, totalIters = 5, lastEpoch = -1 } = options;
    if (startFactor > 1.0 || startFactor <= 0) {
      throw new RangeError('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    }
    if (endFactor > 1.0 || endFactor < 0) throw new RangeError('Ending multiplicative factor expected to be between 0 and 1.');
    super(optimizer, lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch, startFactor, endFactor, totalIters } = this;
    if (lastEpoch === 0) return this.groupLrs().map((lr) => lr * startFactor);
    if (this.isInitial || lastEpoch > totalIters) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1.0 + (endFactor - startFactor) / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor))));
  }

  protected getClosedFormLr(): number[] {
    const { startFactor, endFactor, totalIters, lastEpoch } = this;
    return this.baseLrs.map((baseLr) => baseLr * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, lastEpoch)) / totalIters));
  }
}

/**
 * Runs `schedulers` one after another: `schedulers[i]` from epoch `milestones[i − 1]` on (the
 * next one restarts from its epoch 0 at its milestone). The usual warm-up + cosine schedule.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html
 *
 * @example
 * const scheduler = new optim.lrScheduler.SequentialLR(optimizer, {
 *   schedulers: [new LinearLR(optimizer, { startFactor: 0.01, totalIters: 100 }), new CosineAnnealingLR(optimizer, { tMax: 900 })],
 *   milestones: [100],
 * });
 */
export class SequentialLR {
  lastEpoch: number;
  _milestones: number[];
  _lastLr: number[];
  readonly optimizer!: AnyOptimizer;
  readonly _schedulers!: LRScheduler[];

  constructor(optimizer: AnyOptimizer, options: { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number }) {
    checkOptions('SequentialLR', options, { schedulers: 'object', milestones: 'object', lastEpoch: 'integer' }, ['schedulers', 'milestones']);
    const { schedulers, milestones, lastEpoch = -1 } = options;
    if (!Array.isArray(schedulers) || schedulers.length < 1) {
      throw new RangeError('SequentialLR expects at least one scheduler, but got no scheduler.');
    }
    schedulers.forEach((scheduler, i) => {
      if (!(scheduler instanceof LRScheduler)) {
        throw new TypeError(`SequentialLR at index ${i} should have \`optimizer\` as its attribute (a scheduler of optim.lrScheduler; ReduceLROnPlateau is not supported).`);
      }
      if (scheduler.optimizer !== optimizer) {
        throw new RangeError(
          `SequentialLR expects all schedulers to belong to the same optimizer, but got scheduler ${scheduler.constructor.name} at index ${i} has ${scheduler.optimizer.constructor.name}, which is different from ${optimizer.constructor.name}.`,
        );
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${Array.isArray(milestones) ? milestones.length : String(milestones)}`,
      );
    }
    Object.defineProperty(this, 'optimizer', { value: optimizer, enumerable: false });
    Object.defineProperty(this, '_schedulers', { value: [...schedulers], enumerable: false });
    this._milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    // Back to the initial rates, each scheduler's own first step undone, then the first one's redone.
    for (const group of optimizer.paramGroups) group.lr = group.initialLr as number;
    for (const scheduler of schedulers) scheduler.lastEpoch -= 1;
    const idx = bisectRight(this._milestones, 0);
    schedulers[idx]._initialStep();
    this._lastLr = schedulers[idx].getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this._milestones, this.lastEpoch);
    const scheduler = this._schedulers[idx];
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) scheduler._updateLr(0);
    else scheduler.step();
    this._lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** Its fields and each scheduler's, the latter under `schedulers.<i>.<field>`. */
  stateDict(): SchedulerStateDict {
    const out = fieldsOf(this);
    this._schedulers.forEach((s, i) => {
      for (const [k, v] of Object.entries(s.stateDict())) out[`schedulers.${i}.${k}`] = v;
    });
    return out;
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    const own: SchedulerStateDict = {};
    const nested: SchedulerStateDict[] = this._schedulers.map(() => ({}));
    for (const [k, v] of Object.entries(stateDict)) {
      const m = /^schedulers\.(\d+)\.(.+)$/.exec(k);
      if (m !== null && Number(m[1]) < nested.length) nested[Number(m[1])][m[2]] = v;
      else own[k] = v;
    }
    loadFields(this, own);
    this._schedulers.forEach((s, i) => s.loadStateDict(nested[i]));
  }
}

const MULTI_STEP_LR_OPTIONS = { milestones: 'any', gamma: 'number', lastEpoch: 'integer' } as const;

/** How many of the sorted `values` are <= `x` (Python's `bisect_right`). */
function bisectRight(values: readonly number[], x: number): number {
  let count = 0;
  while (count < values.length && values[count] <= x) count++;
  return count;
}

/**
 * Multiplies each group's rate by `gamma` at every milestone epoch (by `gamma^n` when a milestone
 * is listed `n` times).
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html
 *
 * @example
 * const scheduler = new optim.lrScheduler.MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  /** The milestones, sorted, repeats kept (PyTorch keeps a `Counter`). */
  milestones: number[];
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: { milestones: Iterable<number>; gamma?: number; lastEpoch?: number }) {
    checkSchedulerOptions('MultiStepLR', options, MULTI_STEP_LR_OPTIONS, 'milestones');
    const { milestones, gamma = 0.1, lastEpoch = -1 } = options;
    const list = milestones !== null && typeof milestones === 'object' && Symbol.iterator in milestones ? [...milestones] : null;
    if (list === null || !list.every((m) => Number.isInteger(m))) {
      throw new TypeError(`MultiStepLR: milestones must be an iterable of integers, got ${describeValue(milestones)}`);
    }
    super(optimizer, lastEpoch);
    this.milestones = list.sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    let count = 0;
    for (const m of this.milestones) if (m === this.lastEpoch) count++;
    if (count === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** count);
  }

  protected getClosedFormLr(): number[] {
    return this.baseLrs.map((baseLr) => baseLr * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

const LAMBDA_LR_OPTIONS = { lrLambda: 'any', lastEpoch: 'integer' } as const;

/**
 * Sets each group's rate to its initial rate times `lrLambda(epoch)`: one function for every
 * group, or one per group. The functions are not part of `stateDict()` (PyTorch saves only the
 * state of callable objects; kindling saves none).
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html
 *
 * @example
 * const scheduler = new optim.lrScheduler.LambdaLR(optimizer, { lrLambda: (epoch) => 0.95 ** epoch });
 */
export class LambdaLR extends LRScheduler {
  declare readonly lrLambdas: ((epoch: number) => number)[];

  constructor(
    optimizer: AnyOptimizer,
    options: { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]; lastEpoch?: number },
  ) {
    checkSchedulerOptions('LambdaLR', options, LAMBDA_LR_OPTIONS, 'lrLambda');
    const { lrLambda, lastEpoch = -1 } = options;
    const groups = (optimizer as AnyOptimizer | undefined)?.paramGroups?.length ?? 0;
    let lambdas: ((epoch: number) => number)[];
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== groups) throw new RangeError(`Expected ${groups} lr_lambdas, but got ${lrLambda.length}`);
      lambdas = [...lrLambda];
    } else {
      lambdas = Array.from({ length: groups }, () => lrLambda);
    }
    if (!lambdas.every((f) => typeof f === 'function')) {
      throw new TypeError(`LambdaLR: lrLambda must be a function or an array of one function per group, got ${describeValue(lrLambda)}`);
    }
    super(optimizer, lastEpoch);
    // Functions cannot be saved: kept out of stateDict() (not enumerable).
    Object.defineProperty(this, 'lrLambdas', { value: lambdas, enumerable: false });
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((baseLr, i) => baseLr * this.lrLambdas[i](this.lastEpoch));
  }

  protected getClosedFormLr(): number[] {
    return this.getLr();
  }
}

const ONE_CYCLE_LR_OPTIONS = {
  maxLr: (v: unknown) =>
    typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')) ? null : 'a number or an array of numbers (one per group)',
  totalSteps: 'integer|null',
  epochs: 'integer|null',
  stepsPerEpoch: 'integer|null',
  pctStart: 'number',
  annealStrategy: 'string',
  cycleMomentum: 'boolean',
  baseMomentum: (v: unknown) =>
    typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')) ? null : 'a number or an array of numbers (one per group)',
  maxMomentum: (v: unknown) =>
    typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')) ? null : 'a number or an array of numbers (one per group)',
  divFactor: 'number',
  finalDivFactor: 'number',
  threePhase: 'boolean',
  lastEpoch: 'integer',
} as const;

/** One value per group: PyTorch's `_format_param`. */
function perGroup(name: string, optimizer: AnyOptimizer, value: number | number[]): number[] {
  const groups = optimizer.paramGroups.length;
  if (!Array.isArray(value)) return Array.from({ length: groups }, () => value);
  if (value.length !== groups) {
    throw new RangeError(
      `${name} must have the same length as optimizer.param_groups. ${name} has ${value.length} values, param_groups has ${groups}.`,
    );
  }
  return [...value];
}

export interface OneCycleLROptions {
  /** The peak rate, one for every group or one per group. */
  maxLr: number | number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  /** Fraction of the cycle spent increasing the rate. Default 0.3. */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (SGD's `momentum`, Adam's `betas[0]`) inversely to the rate. Default true. */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** The initial rate is `maxLr / divFactor`. Default 25. */
  divFactor?: number;
  /** The final rate is the initial one `/ finalDivFactor`. Default 1e4. */
  finalDivFactor?: number;
  /** Use a third phase that anneals to the final rate after returning to the initial one. Default false. */
  threePhase?: boolean;
  lastEpoch?: number;
}

/**
 * The 1cycle policy (Smith & Topin): the rate rises from `maxLr / divFactor` to `maxLr` over
 * `pctStart` of the steps, then anneals to `initial / finalDivFactor`; the momentum moves the
 * opposite way between `maxMomentum` and `baseMomentum`. Step it after every batch.
 *
 * Difference: PyTorch keeps `max_lr`, `min_lr`, `max_momentum` and `base_momentum` in the
 * optimizer's groups; kindling's groups hold only the optimizer's options, so these live on the
 * scheduler (`maxLrs`, `minLrs`, `maxMomentums`, `baseMomentums`, saved in its `stateDict()`).
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html
 *
 * @example
 * const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, { maxLr: 0.01, totalSteps: 1000 });
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  pctStart: number;
  annealStrategy: 'cos' | 'linear';
  threePhase: boolean;
  cycleMomentum: boolean;
  /** Whether the momentum is Adam's `betas[0]` rather than SGD's `momentum`. */
  useBeta1: boolean;
  maxLrs: number[];
  minLrs: number[];
  maxMomentums: number[];
  baseMomentums: number[];

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    checkSchedulerOptions('OneCycleLR', options, ONE_CYCLE_LR_OPTIONS, 'maxLr');
    const {
      maxLr,
      totalSteps = null,
      epochs = null,
      stepsPerEpoch = null,
      pctStart = 0.3,
      annealStrategy = 'cos',
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25.0,
      finalDivFactor = 1e4,
      threePhase = false,
      lastEpoch = -1,
    } = options;
    if (!(optimizer instanceof Optimizer)) {
      throw new TypeError(`${(optimizer as object)?.constructor?.name ?? typeof optimizer} is not an Optimizer`);
    }
    let steps: number;
    if (totalSteps !== null) {
      if (totalSteps <= 0) throw new RangeError(`Expected positive integer total_steps, but got ${totalSteps}`);
      steps = totalSteps;
    } else if (epochs !== null && stepsPerEpoch !== null) {
      if (epochs <= 0) throw new RangeError(`Expected positive integer epochs, but got ${epochs}`);
      if (stepsPerEpoch <= 0) throw new RangeError(`Expected positive integer steps_per_epoch, but got ${stepsPerEpoch}`);
      steps = epochs * stepsPerEpoch;
    } else {
      throw new TypeError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    }
    if (!(pctStart >= 0 && pctStart <= 1)) throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${pctStart}`);
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') {
      throw new RangeError(`anneal_strategy must be one of 'cos' or 'linear', instead got ${String(annealStrategy)}`);
    }
    const maxLrs = perGroup('max_lr', optimizer, maxLr);
    const groups = optimizer.paramGroups as (BaseGroupOptions & { betas?: number[]; momentum?: number })[];
    if (lastEpoch === -1) groups.forEach((group, i) => (group.initialLr = maxLrs[i] / divFactor));
    let useBeta1 = false;
    let maxMomentums: number[] = [];
    let baseMomentums: number[] = [];
    if (cycleMomentum) {
      const defaults = optimizer.defaults as object;
      if (!('momentum' in defaults) && !('betas' in defaults)) {
        throw new TypeError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      useBeta1 = 'betas' in defaults;
      maxMomentums = perGroup('max_momentum', optimizer, maxMomentum);
      baseMomentums = perGroup('base_momentum', optimizer, baseMomentum);
    }
    super(optimizer, lastEpoch);
    this.totalSteps = steps;
    this.pctStart = pctStart;
    this.annealStrategy = annealStrategy;
    this.threePhase = threePhase;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.maxLrs = maxLrs;
    this.minLrs = groups.map((group) => (group.initialLr as number) / finalDivFactor);
    this.maxMomentums = maxMomentums;
    this.baseMomentums = baseMomentums;
    if (cycleMomentum && lastEpoch === -1) groups.forEach((_, i) => this.#setMomentum(i, maxMomentums[i]));
    this.initialStep();
  }

  #setMomentum(i: number, value: number): void {
    const group = this.optimizer.paramGroups[i] as BaseGroupOptions & { betas?: number[]; momentum?: number };
    if (this.useBeta1) group.betas = [value, ...(group.betas as number[]).slice(1)]; // a new array: saved state dicts keep theirs
    else group.momentum = value;
  }

  #anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  /** PyTorch's `_schedule_phases`: [end step, start and end rate, start and end momentum] (0 initial, 1 max, 2 min). */
  #phases(): [number, 0 | 1 | 2, 0 | 1 | 2, 'max' | 'base', 'max' | 'base'][] {
    const { pctStart, totalSteps } = this;
    if (this.threePhase) {
      return [
        [pctStart * totalSteps - 1, 0, 1, 'max', 'base'],
        [2 * pctStart * totalSteps - 2, 1, 0, 'base', 'max'],
        [totalSteps - 1, 0, 2, 'max', 'max'],
      ];
    }
    return [
      [pctStart * totalSteps - 1, 0, 1, 'max', 'base'],
      [totalSteps - 1, 1, 2, 'base', 'max'],
    ];
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(`Tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const phases = this.#phases();
    return this.optimizer.paramGroups.map((group, i) => {
      const rates = [group.initialLr ?? this.baseLrs[i], this.maxLrs[i], this.minLrs[i]];
      let startStep = 0;
      for (let k = 0; k < phases.length; k++) {
        const [endStep, startLr, endLr, startMomentum, endMomentum] = phases[k];
        if (stepNum <= endStep || k === phases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          if (this.cycleMomentum) {
            const momentum = (which: 'max' | 'base') => (which === 'max' ? this.maxMomentums[i] : this.baseMomentums[i]);
            this.#setMomentum(i, this.#anneal(momentum(startMomentum), momentum(endMomentum), pct));
          }
          return this.#anneal(rates[startLr], rates[endLr], pct);
        }
        startStep = endStep;
      }
      throw new Error('unreachable: the last phase always matches');
    });
  }

  protected getClosedFormLr(): number[] {
    return this.getLr();
  }
}

const REDUCE_LR_ON_PLATEAU_OPTIONS = {
  mode: 'string',
  factor: 'number',
  patience: 'integer',
  threshold: 'number',
  thresholdMode: 'string',
  cooldown: 'integer',
  minLr: (v: unknown) =>
    typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')) ? null : 'a number or an array of numbers (one per group)',
  eps: 'number',
} as const;

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): reduce when the metric stops decreasing; 'max': when it stops increasing. */
  mode?: 'min' | 'max';
  /** The rate is multiplied by `factor` on a plateau. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** The least change that counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** 'rel' (default): relative to the best value; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** A lower bound on the rate, for every group or one per group. Default 0. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/**
 * Reduces each group's rate by `factor` when a metric has stopped improving for `patience`
 * epochs: call `step(metric)` after each validation.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
 *
 * @example
 * const scheduler = new optim.lrScheduler.ReduceLROnPlateau(optimizer, { patience: 5 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); scheduler.step(validate()); }
 */
export class ReduceLROnPlateau {
  factor: number;
  minLrs: number[];
  /** The single `minLr` given (null when one per group was): used again if groups are added. */
  defaultMinLr: number | null;
  patience: number;
  cooldown: number;
  eps: number;
  lastEpoch = 0;
  _lastLr: number[];
  mode: 'min' | 'max';
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  best = Infinity;
  cooldownCounter = 0;
  numBadEpochs = 0;
  modeWorse = Infinity;

  constructor(
    readonly optimizer: AnyOptimizer,
    options: ReduceLROnPlateauOptions = {},
  ) {
    checkSchedulerOptions('ReduceLROnPlateau', options, REDUCE_LR_ON_PLATEAU_OPTIONS, 'mode', []);
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    if (factor >= 1.0) throw new RangeError('Factor should be < 1.0.');
    if (!(optimizer instanceof Optimizer)) {
      throw new TypeError(`${(optimizer as object)?.constructor?.name ?? typeof optimizer} is not an Optimizer`);
    }
    Object.defineProperty(this, 'optimizer', { enumerable: false }); // not part of stateDict()
    this.factor = factor;
    if (Array.isArray(minLr)) {
      if (minLr.length !== optimizer.paramGroups.length) {
        throw new RangeError(`expected ${optimizer.paramGroups.length} min_lrs, got ${minLr.length}`);
      }
      this.defaultMinLr = null;
      this.minLrs = [...minLr];
    } else {
      this.defaultMinLr = minLr;
      this.minLrs = optimizer.paramGroups.map(() => minLr);
    }
    this.patience = patience;
    this.cooldown = cooldown;
    this.eps = eps;
    this._lastLr = optimizer.paramGroups.map((group) => group.lr);
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.#initIsBetter();
    this.#reset();
  }

  #initIsBetter(): void {
    if (this.mode !== 'min' && this.mode !== 'max') throw new RangeError(`mode ${String(this.mode)} is unknown!`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      throw new RangeError(`threshold mode ${String(this.thresholdMode)} is unknown!`);
    }
    this.modeWorse = this.mode === 'min' ? Infinity : -Infinity;
  }

  #reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  #isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1.0 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  /** Records one epoch's metric (a number, or a one-element tensor such as a loss); reduces the rates on a plateau. */
  step(metric: number | { item(): number }): void {
    if (typeof metric !== 'number' && typeof metric?.item !== 'function') {
      throw new TypeError(`ReduceLROnPlateau.step: expected the metric as a number, got ${describeValue(metric)}`);
    }
    const current = typeof metric === 'number' ? metric : Number(metric.item());
    this.lastEpoch += 1;
    if (this.#isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown are ignored
    }
    if (this.numBadEpochs > this.patience) {
      this.#reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  #reduceLr(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new RangeError(
          `The number of param groups in the \`optimizer\` (${groups.length}) differs from when \`ReduceLROnPlateau\` was ` +
            `initialized (${this.minLrs.length}), usually due to a new param group being added to the optimizer. Please modify ` +
            'the `min_lrs` field to match the length of the `optimizer` param groups.',
        );
      }
      this.minLrs = groups.map(() => this.defaultMinLr as number);
    }
    groups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) group.lr = newLr;
    });
  }

  /** True while the scheduler waits after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** The learning rate of each group after the last `step()`. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** Every field but the optimizer. */
  stateDict(): SchedulerStateDict {
    return fieldsOf(this) as SchedulerStateDict;
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    loadFields(this, stateDict);
    this.#initIsBetter();
  }
}
