import type { Tensor } from '../tensor';
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
export class CrossEntropyLoss extends Module {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  readonly labelSmoothing: number;

  constructor({ weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0.0 }: CrossEntropyLossOptions = {}) {
    super();
    checkReduction(reduction);
    this.registerBuffer('weight', weight);
    this.ignoreIndex = ignoreIndex;
    this.reduction = reduction;
    this.labelSmoothing = labelSmoothing;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
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
export class NLLLoss extends Module {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;

  constructor({ weight = null, ignoreIndex = -100, reduction = 'mean' }: Omit<CrossEntropyLossOptions, 'labelSmoothing'> = {}) {
    super();
    checkReduction(reduction);
    this.registerBuffer('weight', weight);
    this.ignoreIndex = ignoreIndex;
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
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
export class MSELoss extends Module {
  readonly reduction: Reduction;

  constructor({ reduction = 'mean' }: { reduction?: Reduction } = {}) {
    super();
    checkReduction(reduction);
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}
