/**
 * Likelihood losses with PyTorch's options: `klDiv` (`logTarget`, reduction 'batchmean'),
 * `poissonNllLoss` (`logInput`, `full`, `eps`) and `gaussianNllLoss` (`full`, `eps`).
 *
 * Poisson and Gaussian NLL are PyTorch's own compositions of differentiable ops, so their values,
 * gradients (for the input, the target and the variance) and grad_fn names are PyTorch's. KL's
 * pointwise term is one loop: PyTorch's `xlogy(t, t)` has a gradient a composition cannot give
 * without NaN leaking through `where` (log 0 · 0); its reduction is composed, as PyTorch's is.
 */
import { attach, recording } from '../autograd/function';
import { ShapeError } from '../errors';
import { Tensor } from '../tensor';
import { sameShape } from './broadcast';
import { le } from './compare';
import { add, div, exp, log, mul, pow, sub } from './elementwise';
import { type ReductionMode, broadcastAll, checkBoolean, checkFloatTensor, checkNumber, checkReduction, fusedLoss, valuesAs } from './loss-util';
import { reduce } from './loss-regression';
import { sum } from './reduce';
import { unsqueeze } from './shape';
import { maskedFill } from './where';

export type KLDivReduction = ReductionMode | 'batchmean';

export interface KLDivOptions {
  /** 'mean' (default, averages over every element, as PyTorch's), 'batchmean' (the KL divergence: sum / batch size), 'sum', 'none'. */
  reduction?: KLDivReduction;
  /** Whether the target holds log-probabilities. Default false. */
  logTarget?: boolean;
}

let klMeanWarned = false;

/**
 * `torch.nn.functional.kl_div(input, target, { reduction, logTarget })` with `input` holding
 * log-probabilities: t·(log t − input) pointwise (or e^t·(t − input) with `logTarget`).
 */
export function klDiv(input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor {
  const op = 'kl_div';
  const reduction = options.reduction ?? 'mean';
  const logTarget = checkBoolean(op, 'log_target', options.logTarget ?? false);
  checkReduction(op, reduction, ['none', 'mean', 'sum', 'batchmean']);
  checkFloatTensor(op, 'input', input);
  checkFloatTensor(op, 'target', target);
  // PyTorch's xlogy(target, target) − target·input names the target as tensor a.
  const shape = broadcastAll(op, [target.shape, input.shape]);
  if (reduction === 'mean' && !klMeanWarned) {
    klMeanWarned = true;
    process.emitWarning(
      "kl_div: reduction: 'mean' divides the total loss by both the batch size and the support size. 'batchmean' divides only by the batch size, and aligns with the KL div math definition. 'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  const x = valuesAs(input, shape);
  const t = valuesAs(target, shape);
  const n = x.length;
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // xlogy(t, t) is 0 at t = 0 (and NaN for a NaN t), where t·log t would be NaN.
    values[i] = logTarget ? Math.exp(t[i]) * (t[i] - x[i]) : (t[i] === 0 ? 0 : t[i] * Math.log(t[i])) - t[i] * x[i];
  }
  const pointwise = fusedLoss({
    op,
    // PyTorch's outermost op of the pointwise term.
    gradFn: logTarget ? 'MulBackward0' : 'SubBackward0',
    reduction: 'none',
    shape,
    values,
    inputs: [input, target],
    saved: [input, target],
    record: recording(input, target),
    grad: (k, up, out) => {
      for (let i = 0; i < n; i++) {
        let d: number;
        if (logTarget) {
          const e = Math.exp(t[i]);
          d = k === 0 ? -e : e * (t[i] - x[i]) + e;
        } else if (k === 0) {
          d = -t[i];
        } else {
          // xlogy's two partials, xlogy(t ≠ 0, t) + t/t (NaN at t = 0, as PyTorch's), minus the input.
          d = (t[i] !== 0 ? Math.log(t[i]) : 0) + t[i] / t[i] - x[i];
        }
        out[i] = up(i) * d;
      }
    },
  });
  if (reduction === 'batchmean') {
    const total = sum(pointwise);
    return input.shape.length === 0 ? total : div(total, input.shape[0]);
  }
  return reduce(pointwise, reduction);
}

export interface PoissonNLLLossOptions {
  /** Whether the input is log(rate) (default true) or the rate itself. */
  logInput?: boolean;
  /** Adds Stirling's approximation of log(target!) for targets > 1. Default false. */
  full?: boolean;
  /** Added to a rate input before its log. Default 1e-8. */
  eps?: number;
  reduction?: ReductionMode;
}

/**
 * `torch.nn.functional.poisson_nll_loss(input, target, { logInput, full, eps, reduction })`:
 * e^input − target·input (logInput), else input − target·log(input + eps).
 */
export function poissonNllLoss(input: Tensor, target: Tensor, options: PoissonNLLLossOptions = {}): Tensor {
  const op = 'poisson_nll_loss';
  const logInput = checkBoolean(op, 'log_input', options.logInput ?? true);
  const full = checkBoolean(op, 'full', options.full ?? false);
  const eps = checkNumber(op, 'eps', options.eps ?? 1e-8);
  const reduction = options.reduction ?? 'mean';
  checkReduction(op, reduction);
  checkFloatTensor(op, 'input', input);
  checkFloatTensor(op, 'target', target);
  broadcastAll(op, [target.shape, input.shape]);
  let loss = logInput ? sub(exp(input), mul(target, input)) : sub(input, mul(target, log(add(input, eps))));
  if (full) {
    // Stirling's term t·log t − t + ½·log(2πt), masked (not skipped) where t ≤ 1, as PyTorch's is.
    const stirling = add(sub(mul(target, log(target)), target), mul(log(mul(target, 2 * Math.PI)), 0.5));
    loss = add(loss, maskedFill(stirling, le(target, 1), 0));
  }
  return reduce(loss, reduction);
}

export interface GaussianNLLLossOptions {
  /** Adds the constant ½·log(2π). Default false. */
  full?: boolean;
  /** The variance's lower clamp (the gradient passes through it). Default 1e-6. */
  eps?: number;
  reduction?: ReductionMode;
}

/**
 * `var` with its values clamped to ≥ eps and an identity gradient: PyTorch clones var and clamps
 * the clone in place under no_grad, so the clamp is invisible to autograd (`CloneBackward0`).
 */
function clampKeepingGrad(v: Tensor, eps: number): Tensor {
  const src = v.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] < eps ? eps : src[i];
  const result = Tensor._make(out, v.shape, 'float32');
  if (recording(v)) attach(result, 'CloneBackward0', [v], (g) => [g], []);
  return result;
}

/**
 * `torch.nn.functional.gaussian_nll_loss(input, target, var, { full, eps, reduction })`:
 * ½·(log(max(var, eps)) + (input − target)² / max(var, eps)) (+ ½·log(2π) when `full`). `var`
 * has the input's shape, or one dimension of size 1 (or one dimension fewer) for a shared
 * variance, or is a number.
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor | number, options: GaussianNLLLossOptions = {}): Tensor {
  const op = 'gaussian_nll_loss';
  const full = checkBoolean(op, 'full', options.full ?? false);
  const eps = checkNumber(op, 'eps', options.eps ?? 1e-6);
  const reduction = options.reduction ?? 'mean';
  checkFloatTensor(op, 'input', input);
  checkFloatTensor(op, 'target', target);
  let v: Tensor;
  if (typeof variance === 'number') {
    if (variance < 0) throw new RangeError(`${op}: var has negative entry/entries (got ${variance})`);
    v = Tensor._make(new Float32Array(input.numel()).fill(variance), input.shape, 'float32');
  } else {
    v = checkFloatTensor(op, 'var', variance);
    const values = v.data as Float32Array;
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0) throw new RangeError(`${op}: var has negative entry/entries (got ${values[i]} at flat index ${i})`);
    }
  }
  const xs = input.shape;
  const vs = v.shape;
  if (!sameShape(vs, xs)) {
    if (sameShape(vs, xs.slice(0, -1))) {
      // One dimension short: a variance shared across the last dimension.
      v = unsqueeze(v, -1);
    } else if (!(vs.length === xs.length && xs.reduce((acc, x, i) => acc + (x !== vs[i] ? vs[i] : 0), 0) === 1)) {
      // PyTorch's test: same rank, and the sizes of var where it differs from the input sum to 1.
      throw new ShapeError(`${op}: var is of incorrect size (got [${vs.join(', ')}] for an input of [${xs.join(', ')}])`);
    }
  }
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new RangeError(`${op}: ${String(reduction)} is not valid (expected one of 'none', 'mean', 'sum')`);
  }
  broadcastAll(op, [input.shape, target.shape, v.shape]);
  const clamped = clampKeepingGrad(v, eps);
  let loss = mul(add(log(clamped), div(pow(sub(input, target), 2), clamped)), 0.5);
  if (full) loss = add(loss, 0.5 * Math.log(2 * Math.PI));
  return reduce(loss, reduction);
}
