/**
 * `torch.nn.functional`: the stateless forms of the layers and losses. Each is a thin, checked
 * entry to the op that does the work (one native call plus its backward rule, in `src/ops/`).
 *
 * https://pytorch.org/docs/stable/nn.functional.html
 *
 * @example
 * import { nn } from 'kindling';
 * const F = nn.functional;
 * const loss = F.crossEntropy(F.linear(x, w, b), targets);
 */
import * as activation from '../ops/activation';
import * as dropoutOps from '../ops/dropout';
import * as elementwise from '../ops/elementwise';
import * as loss from '../ops/loss';
import * as binaryLoss from '../ops/loss-binary';
import * as embeddingLoss from '../ops/loss-embedding';
import * as likelihoodLoss from '../ops/loss-likelihood';
import * as regressionLoss from '../ops/loss-regression';
import * as matmul from '../ops/matmul';
import * as shape from '../ops/shape';
import * as softmaxOps from '../ops/softmax';
import type { Generator } from '../random/generator';
import { checkOptions, describeValue, positionalOptionError } from '../options';
import { Tensor } from '../tensor';

export type Reduction = 'none' | 'mean' | 'sum';

/** `x·Wᵀ + b`: input `[*, in]`, weight `[out, in]`, bias `[out]` → `[*, out]`. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return matmul.linear(input, weight, bias);
}

export function relu(input: Tensor): Tensor {
  return elementwise.relu(input);
}

export function sigmoid(input: Tensor): Tensor {
  return elementwise.sigmoid(input);
}

export function tanh(input: Tensor): Tensor {
  return elementwise.tanh(input);
}

/**
 * PyTorch's positional `inplace` of the activations: only `false` (kindling has no in-place
 * activations), so a line-for-line `F.hardtanh(x, -1, 1, True)` is not silently out of place.
 */
function refuseInplace(op: string, inplace: unknown): void {
  if (inplace !== false) {
    throw new TypeError(`${op}: argument 'inplace' ${describeValue(inplace)} is not supported by kindling yet (no in-place activations; use the returned tensor)`);
  }
}

/** `F.leaky_relu(input, negative_slope=0.01, inplace=False)`. */
export function leakyRelu(input: Tensor, negativeSlope = 0.01, inplace = false): Tensor {
  refuseInplace('leaky_relu', inplace);
  return activation.leakyRelu(input, negativeSlope);
}

/** `F.elu(input, alpha=1.0, inplace=False)`. */
export function elu(input: Tensor, alpha = 1.0, inplace = false): Tensor {
  refuseInplace('elu', inplace);
  return activation.elu(input, alpha);
}

/** `F.silu(input, inplace=False)`: `x·sigmoid(x)`. */
export function silu(input: Tensor, inplace = false): Tensor {
  refuseInplace('silu', inplace);
  return activation.silu(input);
}

export const GELU_OPTIONS = { approximate: 'string' } as const;

/** `F.gelu(input, approximate='none')`: exact (erf) or `{ approximate: 'tanh' }`. */
export function gelu(input: Tensor, options: { approximate?: activation.GeluApproximate } = {}): Tensor {
  if (typeof options === 'string') throw positionalOptionError('gelu', 'second', `F.gelu(input, { approximate: '${options}' })`);
  checkOptions('gelu', options, GELU_OPTIONS);
  return activation.gelu(input, options.approximate ?? 'none');
}

/** `F.hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False)`. */
export function hardtanh(input: Tensor, minVal = -1.0, maxVal = 1.0, inplace = false): Tensor {
  refuseInplace('hardtanh', inplace);
  return activation.hardtanh(input, minVal, maxVal);
}

/** `F.softplus(input, beta=1.0, threshold=20.0)`. */
export function softplus(input: Tensor, beta = 1.0, threshold = 20.0): Tensor {
  return activation.softplus(input, beta, threshold);
}

/** PyTorch's deprecated implicit softmax dim: 0 for 0-, 1- and 3-d inputs, else 1, with a warning. */
function implicitSoftmaxDim(name: string, ndim: number): number {
  process.emitWarning(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** Softmax along `dim` (required in practice; `null` applies PyTorch's deprecated implicit choice). */
export function softmax(input: Tensor, dim: number | null): Tensor {
  return softmaxOps.softmax(input, dim ?? implicitSoftmaxDim('softmax', input.shape.length));
}

export function logSoftmax(input: Tensor, dim: number | null): Tensor {
  return softmaxOps.logSoftmax(input, dim ?? implicitSoftmaxDim('log_softmax', input.shape.length));
}

/** `torch.flatten`: merges dims `startDim` … `endDim` (a view). Note the default startDim 0, unlike `nn.Flatten`. */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  return shape.flatten(input, startDim, endDim);
}

/** PyTorch's check in `nn.Dropout`'s constructor (the dropout op repeats it at each call). */
export const checkDropoutProbability = dropoutOps.checkDropoutProbability;

/**
 * Inverted dropout: zeroes elements with probability `p` and scales the rest by 1/(1−p) when
 * `training`, else returns the input. Note the default `training = true`, as in PyTorch.
 */
export function dropout(input: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  return dropoutOps.dropout(input, p, training, generator);
}

const tensorOrNull = (value: unknown): string | null => (value === null || value instanceof Tensor ? null : 'a Tensor or null');

/**
 * The options of `crossEntropy` and `nn.CrossEntropyLoss` (the others' are subsets). The values
 * of `ignoreIndex`, `reduction` and `labelSmoothing` are checked by the ops in PyTorch's words
 * (`cross_entropy(): argument 'ignore_index' must be int …`), so here only their names are.
 */
export const CROSS_ENTROPY_OPTIONS = { weight: tensorOrNull, ignoreIndex: 'any', reduction: 'any', labelSmoothing: 'any' } as const;
export const NLL_LOSS_OPTIONS = { weight: tensorOrNull, ignoreIndex: 'any', reduction: 'any' } as const;
export const MSE_LOSS_OPTIONS = { reduction: 'any' } as const;

export interface CrossEntropyOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  labelSmoothing?: number;
}

/** Softmax cross-entropy of logits `[N, C]` against int32 class indices `[N]` or probabilities `[N, C]`. */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkOptions('crossEntropy', options, CROSS_ENTROPY_OPTIONS);
  return loss.crossEntropy(input, target, options);
}

/** Negative log-likelihood of int32 class targets `[N]` under log-probabilities `[N, C]`. */
export function nllLoss(input: Tensor, target: Tensor, options: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): Tensor {
  checkOptions('nllLoss', options, NLL_LOSS_OPTIONS);
  return loss.nllLoss(input, target, options);
}

/** Mean squared error between same-shaped tensors. */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('mseLoss', options, MSE_LOSS_OPTIONS);
  return loss.mseLoss(input, target, options);
}
export { conv1d, conv2d, type ConvOptions } from '../ops/conv';
export { pad, type PadMode } from '../ops/pad';
export { embedding, type EmbeddingOptions } from '../ops/embedding';
export { oneHot } from '../ops/one-hot';
export { layerNorm, rmsNorm } from '../ops/layer-norm';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from '../ops/attention';
export { batchNorm, type BatchNormFunctionalOptions } from '../ops/batch-norm';
export { dropout1d, dropout2d } from '../ops/channel-dropout';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool2d } from '../ops/pool';

// ---- PyTorch's other common losses (src/ops/loss-binary.ts, loss-regression.ts, loss-likelihood.ts, loss-embedding.ts) ----

/** The option names of each loss; their values are checked by the ops, in PyTorch's words. */
export const BCE_OPTIONS = { weight: tensorOrNull, reduction: 'any' } as const;
export const BCE_WITH_LOGITS_OPTIONS = { weight: tensorOrNull, reduction: 'any', posWeight: tensorOrNull } as const;
export const L1_LOSS_OPTIONS = { reduction: 'any' } as const;
export const SMOOTH_L1_LOSS_OPTIONS = { reduction: 'any', beta: 'any' } as const;
export const HUBER_LOSS_OPTIONS = { reduction: 'any', delta: 'any' } as const;
export const KL_DIV_OPTIONS = { reduction: 'any', logTarget: 'any' } as const;
export const MARGIN_LOSS_OPTIONS = { margin: 'any', reduction: 'any' } as const;
export const TRIPLET_MARGIN_LOSS_OPTIONS = { margin: 'any', p: 'any', eps: 'any', swap: 'any', reduction: 'any' } as const;
export const POISSON_NLL_LOSS_OPTIONS = { logInput: 'any', full: 'any', eps: 'any', reduction: 'any' } as const;
export const GAUSSIAN_NLL_LOSS_OPTIONS = { full: 'any', eps: 'any', reduction: 'any' } as const;

/** `F.binary_cross_entropy`: BCE of probabilities in [0, 1] against same-shaped targets in [0, 1]. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: binaryLoss.BinaryCrossEntropyOptions = {}): Tensor {
  checkOptions('binaryCrossEntropy', options, BCE_OPTIONS);
  return binaryLoss.binaryCrossEntropy(input, target, options);
}

/** `F.binary_cross_entropy_with_logits`: sigmoid + BCE in one numerically stable form, with `posWeight`. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: binaryLoss.BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  checkOptions('binaryCrossEntropyWithLogits', options, BCE_WITH_LOGITS_OPTIONS);
  return binaryLoss.binaryCrossEntropyWithLogits(input, target, options);
}

/** `F.l1_loss`: mean absolute error (broadcasting input and target). */
export function l1Loss(input: Tensor, target: Tensor, options: regressionLoss.L1LossOptions = {}): Tensor {
  checkOptions('l1Loss', options, L1_LOSS_OPTIONS);
  return regressionLoss.l1Loss(input, target, options);
}

/** `F.smooth_l1_loss`: quadratic below `beta`, linear above (beta = 0 is L1). */
export function smoothL1Loss(input: Tensor, target: Tensor, options: regressionLoss.SmoothL1LossOptions = {}): Tensor {
  checkOptions('smoothL1Loss', options, SMOOTH_L1_LOSS_OPTIONS);
  return regressionLoss.smoothL1Loss(input, target, options);
}

/** `F.huber_loss`: quadratic below `delta`, delta-sloped linear above. */
export function huberLoss(input: Tensor, target: Tensor, options: regressionLoss.HuberLossOptions = {}): Tensor {
  checkOptions('huberLoss', options, HUBER_LOSS_OPTIONS);
  return regressionLoss.huberLoss(input, target, options);
}

/** `F.kl_div`: KL divergence of the target from log-probabilities `input` ('batchmean' is the true KL). */
export function klDiv(input: Tensor, target: Tensor, options: likelihoodLoss.KLDivOptions = {}): Tensor {
  checkOptions('klDiv', options, KL_DIV_OPTIONS);
  return likelihoodLoss.klDiv(input, target, options);
}

/** `F.poisson_nll_loss`: Poisson negative log-likelihood of counts `target` given a (log) rate. */
export function poissonNllLoss(input: Tensor, target: Tensor, options: likelihoodLoss.PoissonNLLLossOptions = {}): Tensor {
  checkOptions('poissonNllLoss', options, POISSON_NLL_LOSS_OPTIONS);
  return likelihoodLoss.poissonNllLoss(input, target, options);
}

/** `F.gaussian_nll_loss`: Gaussian negative log-likelihood with predicted mean `input` and variance `variance`. */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor | number, options: likelihoodLoss.GaussianNLLLossOptions = {}): Tensor {
  checkOptions('gaussianNllLoss', options, GAUSSIAN_NLL_LOSS_OPTIONS);
  return likelihoodLoss.gaussianNllLoss(input, target, variance, options);
}

/** `F.cosine_embedding_loss`: pulls pairs with target 1 together, pushes target −1 apart past `margin`. */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: embeddingLoss.MarginOptions = {}): Tensor {
  checkOptions('cosineEmbeddingLoss', options, MARGIN_LOSS_OPTIONS);
  return embeddingLoss.cosineEmbeddingLoss(input1, input2, target, options);
}

/** `F.margin_ranking_loss`: max(0, −target·(input1 − input2) + margin). */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: embeddingLoss.MarginOptions = {}): Tensor {
  checkOptions('marginRankingLoss', options, MARGIN_LOSS_OPTIONS);
  return embeddingLoss.marginRankingLoss(input1, input2, target, options);
}

/** `F.triplet_margin_loss`: max(0, margin + d(anchor, positive) − d(anchor, negative)). */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: embeddingLoss.TripletMarginLossOptions = {}): Tensor {
  checkOptions('tripletMarginLoss', options, TRIPLET_MARGIN_LOSS_OPTIONS);
  return embeddingLoss.tripletMarginLoss(anchor, positive, negative, options);
}
