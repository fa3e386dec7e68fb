/**
 * PyTorch's other common loss modules: BCELoss, BCEWithLogitsLoss, L1Loss, SmoothL1Loss,
 * HuberLoss, KLDivLoss, CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss,
 * PoissonNLLLoss and GaussianNLLLoss. Each holds its options (checked for type and reduction at
 * construction) and calls its op in `src/ops/loss-*.ts`; tensor options are buffers, as in
 * PyTorch's `_WeightedLoss`. Their `toString()` is PyTorch's repr: the bare class name.
 */
import * as binaryLoss from '../ops/loss-binary';
import * as embeddingLoss from '../ops/loss-embedding';
import * as likelihoodLoss from '../ops/loss-likelihood';
import * as regressionLoss from '../ops/loss-regression';
import { checkBoolean, checkNumber, checkReduction } from '../ops/loss-util';
import { positionalOptionError } from '../options';
import type { Tensor } from '../tensor';
import * as F from './functional';
import { checkLossOptions } from './loss';
import { Module } from './module';
import type { Reduction } from './loss';

/**
 * A loss module's options checked (unknown names, PyTorch's positional habits) and its
 * `reduction` (default 'mean') validated against `allowed`.
 */
function reductionOf(owner: string, options: { reduction?: string }, spec: Parameters<typeof checkLossOptions>[2], allowed?: readonly string[]): Reduction {
  checkLossOptions(owner, options, spec);
  const { reduction = 'mean' } = options;
  checkReduction(owner, reduction, allowed);
  return reduction as Reduction;
}

/** PyTorch's first positional argument of the margin losses is `margin`; kindling takes an options object. */
function refusePositionalMargin(owner: string, options: unknown): void {
  if (typeof options === 'number') throw positionalOptionError(owner, 'first', `new nn.${owner}({ margin: ${options} })`);
}

/**
 * Binary cross-entropy between probabilities and targets in [0, 1] (apply `Sigmoid` first, or
 * use `BCEWithLogitsLoss` on logits, which is more stable).
 *
 * Shape: input `[*]`, target the same shape → scalar, or `[*]` with `reduction: 'none'`.
 * https://pytorch.org/docs/stable/generated/torch.nn.BCELoss.html
 *
 * @example
 * const loss = new nn.BCELoss().forward(torch.sigmoid(logits), targets);
 */
export class BCELoss extends Module<[Tensor, Tensor]> {
  declare weight: Tensor | null;
  readonly reduction: Reduction;

  constructor(options: binaryLoss.BinaryCrossEntropyOptions = {}) {
    super();
    this.reduction = reductionOf('BCELoss', options, F.BCE_OPTIONS);
    const { weight = null } = options;
    this.registerBuffer('weight', weight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryLoss.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Sigmoid and binary cross-entropy in one numerically stable loss on logits; `posWeight` (one
 * per class, broadcast along the last dims) trades recall for precision.
 *
 * Shape: input `[*]`, target the same shape → scalar, or `[*]` with `reduction: 'none'`.
 * https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
 *
 * @example
 * const loss = new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([3]) }).forward(logits, targets);
 */
export class BCEWithLogitsLoss extends Module<[Tensor, Tensor]> {
  declare weight: Tensor | null;
  /** PyTorch's buffer name, so state dicts load across. */
  declare pos_weight: Tensor | null;
  readonly reduction: Reduction;

  constructor(options: binaryLoss.BinaryCrossEntropyWithLogitsOptions = {}) {
    super();
    this.reduction = reductionOf('BCEWithLogitsLoss', options, F.BCE_WITH_LOGITS_OPTIONS);
    const { weight = null, posWeight = null } = options;
    this.registerBuffer('weight', weight);
    this.registerBuffer('pos_weight', posWeight);
  }

  /** `posWeight` under kindling's option name. */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryLoss.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}

/**
 * Mean absolute error |input − target| (broadcasting, as PyTorch).
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.L1Loss.html
 *
 * @example
 * const loss = new nn.L1Loss().forward(prediction, target);
 */
export class L1Loss extends Module<[Tensor, Tensor]> {
  readonly reduction: Reduction;

  constructor(options: regressionLoss.L1LossOptions = {}) {
    super();
    this.reduction = reductionOf('L1Loss', options, F.L1_LOSS_OPTIONS);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return regressionLoss.l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * 0.5·d²/beta where |d| < beta, else |d| − 0.5·beta (d = input − target); beta = 0 is L1.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html
 *
 * @example
 * const loss = new nn.SmoothL1Loss({ beta: 0.5 }).forward(boxes, targetBoxes);
 */
export class SmoothL1Loss extends Module<[Tensor, Tensor]> {
  readonly reduction: Reduction;
  readonly beta: number;

  constructor(options: regressionLoss.SmoothL1LossOptions = {}) {
    super();
    this.reduction = reductionOf('SmoothL1Loss', options, F.SMOOTH_L1_LOSS_OPTIONS);
    const { beta = 1.0 } = options;
    this.beta = checkNumber('SmoothL1Loss', 'beta', beta);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return regressionLoss.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/**
 * 0.5·d² where |d| < delta, else delta·(|d| − 0.5·delta) (d = input − target).
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.HuberLoss.html
 *
 * @example
 * const loss = new nn.HuberLoss({ delta: 2 }).forward(prediction, target);
 */
export class HuberLoss extends Module<[Tensor, Tensor]> {
  readonly reduction: Reduction;
  readonly delta: number;

  constructor(options: regressionLoss.HuberLossOptions = {}) {
    super();
    this.reduction = reductionOf('HuberLoss', options, F.HUBER_LOSS_OPTIONS);
    const { delta = 1.0 } = options;
    this.delta = checkNumber('HuberLoss', 'delta', delta);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return regressionLoss.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/**
 * Kullback-Leibler divergence of the target distribution from the input's log-probabilities.
 * `reduction: 'batchmean'` gives the mathematical KL; 'mean' (the default, as PyTorch's) also
 * divides by the number of classes.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html
 *
 * @example
 * const loss = new nn.KLDivLoss({ reduction: 'batchmean' }).forward(logits.logSoftmax(1), targetProbs);
 */
export class KLDivLoss extends Module<[Tensor, Tensor]> {
  readonly reduction: likelihoodLoss.KLDivReduction;
  readonly logTarget: boolean;

  constructor(options: likelihoodLoss.KLDivOptions = {}) {
    super();
    this.reduction = reductionOf('KLDivLoss', options, F.KL_DIV_OPTIONS, ['none', 'mean', 'sum', 'batchmean']);
    const { logTarget = false } = options;
    this.logTarget = checkBoolean('KLDivLoss', 'log_target', logTarget);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return likelihoodLoss.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/**
 * 1 − cos(x1, x2) for target 1, max(0, cos(x1, x2) − margin) for target −1.
 *
 * Shape: inputs `[N, D]` with target `[N]`, or `[D]` with a 0-d target.
 * https://pytorch.org/docs/stable/generated/torch.nn.CosineEmbeddingLoss.html
 *
 * @example
 * const loss = new nn.CosineEmbeddingLoss({ margin: 0.5 }).forward(a, b, torch.tensor([1, -1]));
 */
export class CosineEmbeddingLoss extends Module<[Tensor, Tensor, Tensor]> {
  readonly reduction: Reduction;
  readonly margin: number;

  constructor(options: embeddingLoss.MarginOptions = {}) {
    super();
    refusePositionalMargin('CosineEmbeddingLoss', options);
    this.reduction = reductionOf('CosineEmbeddingLoss', options, F.MARGIN_LOSS_OPTIONS);
    const { margin = 0 } = options;
    this.margin = checkNumber('CosineEmbeddingLoss', 'margin', margin);
  }

  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return embeddingLoss.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/**
 * max(0, −target·(input1 − input2) + margin): input1 should rank higher where target = 1.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.MarginRankingLoss.html
 *
 * @example
 * const loss = new nn.MarginRankingLoss({ margin: 1 }).forward(scoresA, scoresB, torch.ones(n));
 */
export class MarginRankingLoss extends Module<[Tensor, Tensor, Tensor]> {
  readonly reduction: Reduction;
  readonly margin: number;

  constructor(options: embeddingLoss.MarginOptions = {}) {
    super();
    refusePositionalMargin('MarginRankingLoss', options);
    this.reduction = reductionOf('MarginRankingLoss', options, F.MARGIN_LOSS_OPTIONS);
    const { margin = 0 } = options;
    this.margin = checkNumber('MarginRankingLoss', 'margin', margin);
  }

  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return embeddingLoss.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/**
 * max(0, margin + d(anchor, positive) − d(anchor, negative)) with the p-norm distance over the
 * last dimension; `swap` also tries d(positive, negative).
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.TripletMarginLoss.html
 *
 * @example
 * const loss = new nn.TripletMarginLoss({ margin: 1, p: 2 }).forward(anchor, positive, negative);
 */
export class TripletMarginLoss extends Module<[Tensor, Tensor, Tensor]> {
  readonly reduction: Reduction;
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;

  constructor(options: embeddingLoss.TripletMarginLossOptions = {}) {
    super();
    refusePositionalMargin('TripletMarginLoss', options);
    this.reduction = reductionOf('TripletMarginLoss', options, F.TRIPLET_MARGIN_LOSS_OPTIONS);
    const { margin = 1.0, p = 2.0, eps = 1e-6, swap = false } = options;
    this.margin = checkNumber('TripletMarginLoss', 'margin', margin);
    this.p = checkNumber('TripletMarginLoss', 'p', p);
    this.eps = checkNumber('TripletMarginLoss', 'eps', eps);
    this.swap = checkBoolean('TripletMarginLoss', 'swap', swap);
  }

  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return embeddingLoss.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

/**
 * Poisson negative log-likelihood of counts given a log-rate (`logInput`, default) or a rate.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.PoissonNLLLoss.html
 *
 * @example
 * const loss = new nn.PoissonNLLLoss().forward(logRate, counts);
 */
export class PoissonNLLLoss extends Module<[Tensor, Tensor]> {
  readonly reduction: Reduction;
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;

  constructor(options: likelihoodLoss.PoissonNLLLossOptions = {}) {
    super();
    this.reduction = reductionOf('PoissonNLLLoss', options, F.POISSON_NLL_LOSS_OPTIONS);
    const { logInput = true, full = false, eps = 1e-8 } = options;
    this.logInput = checkBoolean('PoissonNLLLoss', 'log_input', logInput);
    this.full = checkBoolean('PoissonNLLLoss', 'full', full);
    this.eps = checkNumber('PoissonNLLLoss', 'eps', eps);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return likelihoodLoss.poissonNllLoss(input, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/**
 * Gaussian negative log-likelihood of the target under mean `input` and variance `var`
 * (clamped to ≥ eps).
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.GaussianNLLLoss.html
 *
 * @example
 * const loss = new nn.GaussianNLLLoss().forward(mean, target, variance);
 */
export class GaussianNLLLoss extends Module<[Tensor, Tensor, Tensor | number]> {
  readonly reduction: Reduction;
  readonly full: boolean;
  readonly eps: number;

  constructor(options: likelihoodLoss.GaussianNLLLossOptions = {}) {
    super();
    this.reduction = reductionOf('GaussianNLLLoss', options, F.GAUSSIAN_NLL_LOSS_OPTIONS);
    const { full = false, eps = 1e-6 } = options;
    this.full = checkBoolean('GaussianNLLLoss', 'full', full);
    this.eps = checkNumber('GaussianNLLLoss', 'eps', eps);
  }

  forward(input: Tensor, target: Tensor, variance: Tensor | number): Tensor {
    return likelihoodLoss.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}
