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
export type SchedulerStateDict = Record<string, number | number[] | boolean>;

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
function checkSchedulerOptions(owner: string, options: unknown, spec: OptionSpec, first: string): void {
  if (typeof options === 'number') {
    throw positionalOptionError(owner, 'second', `new optim.lrScheduler.${owner}(optimizer, { ${first}: ${options} })`);
  }
  checkOptions(owner, options, spec, [first]);
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
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      process.emitWarning(EPOCH_DEPRECATION_WARNING);
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
    const out: SchedulerStateDict = {};
    for (const [key, value] of Object.entries(this)) {
      out[key] = Array.isArray(value) ? [...(value as number[])] : (value as number | boolean);
    }
    return out;
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      throw new TypeError(`${this.constructor.name}.loadStateDict: expected an object from scheduler.stateDict(), got ${describeValue(stateDict)}`);
    }
    for (const key of Object.keys(stateDict)) {
      if (!(key in this) || key === 'optimizer') throw new TypeError(`${this.constructor.name}.loadStateDict: unexpected key '${key}' (not a field of ${this.constructor.name})`);
    }
    for (const [key, value] of Object.entries(stateDict)) {
      (this as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
    }
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
