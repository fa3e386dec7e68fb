import * as lossOps from '../ops/loss';
import { checkOptions, positionalOptionError } from '../options';
import { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';

export type Reduction = 'none' | 'mean' | 'sum';

export interface CrossEntropyLossOptions {
  /** Per-class rescaling, a float32 tensor of C elements (registered as the buffer `weight`). */
  weight?: Tensor | null;
  /** Targets equal to this class index add nothing to the loss or its gradient. Default −100. */
  ignoreIndex?: number;
  /** `'mean'` (default; weighted mean over non-ignored targets), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** In [0, 1]: mixes the target with the uniform distribution. Default 0. */
  labelSmoothing?: number;
}

/**
 * PyTorch's first positional argument of the class losses is `weight` (CrossEntropyLoss, NLLLoss)
 * or the deprecated `size_average` (MSELoss); kindling takes one options object. A tensor or a
 * reduction string in its place gets the call that works.
 */
export function checkLossOptions(owner: string, options: unknown, spec: Parameters<typeof checkOptions>[2]): void {
  if (options instanceof Tensor) throw positionalOptionError(owner, 'first', `new nn.${owner}({ weight })`);
  if (typeof options === 'string') throw positionalOptionError(owner, 'first', `new nn.${owner}({ reduction: '${options}' })`);
  checkOptions(owner, options, spec);
}

function checkReduction(reduction: string): void {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new RangeError(`${String(reduction)} is not a valid value for reduction`);
  }
}

/**
 * Softmax cross-entropy between logits and targets, fused into one native pass (log-sum-exp,
 * loss and gradient). Targets are int32 class indices (`[N]`) or class probabilities (`[N, C]`).
 *
 * Shape: input `[N, C]` (or `[C]`, or `[N, C, d1, …]`), target `[N]` int32 or `[N, C]` float32 →
 * scalar, or `[N]` with `reduction: 'none'`.
 * https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
 *
 * @example
 * const lossFunction = new nn.CrossEntropyLoss();
 * const loss = lossFunction.forward(logits, targets);
 * loss.backward();
 */
export class CrossEntropyLoss extends Module<[Tensor, Tensor]> {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    super();
    checkLossOptions('CrossEntropyLoss', options, F.CROSS_ENTROPY_OPTIONS);
    const { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0.0 } = options;
    checkReduction(reduction);
    lossOps.checkLossOptions('cross_entropy', ignoreIndex, labelSmoothing);
    this.registerBuffer('weight', weight);
    this.ignoreIndex = ignoreIndex;
    this.reduction = reduction;
    this.labelSmoothing = labelSmoothing;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    // The ops' entry, not F's: the options were checked once, in the constructor.
    return lossOps.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/**
 * Negative log-likelihood of int32 class targets under log-probabilities (e.g. from `LogSoftmax`).
 *
 * Shape: input `[N, C]` (or `[C]`, or `[N, C, d1, …]`), target `[N]` int32 → scalar, or `[N]` with
 * `reduction: 'none'`.
 * https://pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html
 *
 * @example
 * const loss = new nn.NLLLoss().forward(new nn.LogSoftmax(1).forward(logits), targets);
 */
export class NLLLoss extends Module<[Tensor, Tensor]> {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;

  constructor(options: Omit<CrossEntropyLossOptions, 'labelSmoothing'> = {}) {
    super();
    checkLossOptions('NLLLoss', options, F.NLL_LOSS_OPTIONS);
    const { weight = null, ignoreIndex = -100, reduction = 'mean' } = options;
    checkReduction(reduction);
    lossOps.checkLossOptions('nll_loss', ignoreIndex);
    this.registerBuffer('weight', weight);
    this.ignoreIndex = ignoreIndex;
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return lossOps.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * Mean squared error `(input − target)²`, averaged (default), summed or kept per element.
 *
 * Shape: input `[*]`, target the same shape → scalar, or `[*]` with `reduction: 'none'`.
 * https://pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
 *
 * @example
 * const loss = new nn.MSELoss().forward(prediction, target);
 */
export class MSELoss extends Module<[Tensor, Tensor]> {
  readonly reduction: Reduction;

  constructor(options: { reduction?: Reduction } = {}) {
    super();
    checkLossOptions('MSELoss', options, F.MSE_LOSS_OPTIONS);
    const { reduction = 'mean' } = options;
    checkReduction(reduction);
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return lossOps.mseLoss(input, target, { reduction: this.reduction });
  }
}
