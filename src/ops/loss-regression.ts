/**
 * Regression losses with PyTorch's options: `l1Loss`, `smoothL1Loss` (`beta`) and `huberLoss`
 * (`delta`). Input and target broadcast, as in PyTorch (which only warns when their sizes
 * differ). L1 is PyTorch's own composition, |input − target| reduced, so its gradient is
 * sign(d) with sign(0) = 0 and its grad_fn is `AbsBackward0`/`MeanBackward0`/`SumBackward0`.
 * Smooth L1 and Huber are one loop with PyTorch's piecewise gradient, which takes the linear
 * branch at |d| = beta (a composition through `where` would not).
 */
import { recording } from '../autograd/function';
import { Tensor } from '../tensor';
import { abs, sub } from './elementwise';
import { type ReductionMode, broadcastAll, checkFloatTensor, checkNumber, checkReduction, fusedLoss, valuesAs } from './loss-util';
import { mean, sum } from './reduce';

export interface L1LossOptions {
  reduction?: ReductionMode;
}

export interface SmoothL1LossOptions extends L1LossOptions {
  /** Where the quadratic part turns linear (≥ 0; 0 is L1). Default 1. */
  beta?: number;
}

export interface HuberLossOptions extends L1LossOptions {
  /** Where the quadratic part turns linear (> 0). Default 1. */
  delta?: number;
}

/** The reduction of an elementwise loss composed from differentiable ops. */
export function reduce(loss: Tensor, reduction: ReductionMode): Tensor {
  return reduction === 'none' ? loss : reduction === 'sum' ? sum(loss) : mean(loss);
}

/** Checks input and target and returns their broadcast shape. */
function checkPair(op: string, input: Tensor, target: Tensor): number[] {
  checkFloatTensor(op, 'input', input);
  checkFloatTensor(op, 'target', target);
  return broadcastAll(op, [input.shape, target.shape]);
}

/** `torch.nn.functional.l1_loss(input, target, { reduction })`: mean/sum/none of |input − target|. */
export function l1Loss(input: Tensor, target: Tensor, options: L1LossOptions = {}): Tensor {
  const reduction = options.reduction ?? 'mean';
  checkReduction('l1_loss', reduction);
  checkPair('l1_loss', input, target);
  return reduce(abs(sub(input, target)), reduction);
}

/**
 * The shared loop of Smooth L1 and Huber: `inner(d)` below the threshold, `outer(|d|)` at and
 * above it; the gradient is `slope·sign(d)` at and above it, `d·inside` below.
 */
function piecewise(
  op: string,
  gradFn: string,
  input: Tensor,
  target: Tensor,
  reduction: ReductionMode,
  threshold: number,
  inner: (d: number) => number,
  outer: (a: number) => number,
  slope: number,
  inside: number,
): Tensor {
  const shape = checkPair(op, input, target);
  const x = valuesAs(input, shape);
  const t = valuesAs(target, shape);
  const n = x.length;
  const d = new Float32Array(n);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    d[i] = x[i] - t[i];
    const a = Math.abs(d[i]);
    // NaN falls to the outer branch and stays NaN, as in PyTorch.
    values[i] = a < threshold ? inner(d[i]) : outer(a);
  }
  return fusedLoss({
    op,
    gradFn,
    reduction,
    shape,
    values,
    inputs: [input, target],
    saved: [input, target],
    record: recording(input, target),
    grad: (k, up, out) => {
      const sign = k === 0 ? 1 : -1;
      for (let i = 0; i < n; i++) {
        // PyTorch's kernel: d ≤ −threshold → −slope, d ≥ threshold → slope, else d·inside.
        const di = d[i];
        const local = di <= -threshold ? -slope : di >= threshold ? slope : di * inside;
        out[i] = sign * local * up(i);
      }
    },
  });
}

/**
 * `torch.nn.functional.smooth_l1_loss(input, target, { reduction, beta })`: 0.5·d²/beta where
 * |d| < beta, else |d| − 0.5·beta. beta = 0 is `l1Loss` (PyTorch calls it then).
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const op = 'smooth_l1_loss';
  const reduction = options.reduction ?? 'mean';
  const beta = checkNumber(op, 'beta', options.beta ?? 1.0);
  checkReduction(op, reduction);
  if (beta === 0) {
    checkPair(op, input, target);
    return reduce(abs(sub(input, target)), reduction);
  }
  // Negated so NaN is refused too.
  if (!(beta >= 0)) throw new RangeError(`${op}: smooth_l1_loss does not support negative values for beta. (got ${beta})`);
  return piecewise(op, 'SmoothL1LossBackward0', input, target, reduction, beta, (d) => (0.5 * d * d) / beta, (a) => a - 0.5 * beta, 1, 1 / beta);
}

/**
 * `torch.nn.functional.huber_loss(input, target, { reduction, delta })`: 0.5·d² where |d| < delta,
 * else delta·(|d| − 0.5·delta). Equals `delta · smoothL1Loss(…, beta = delta)`.
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const op = 'huber_loss';
  const reduction = options.reduction ?? 'mean';
  const delta = checkNumber(op, 'delta', options.delta ?? 1.0);
  checkReduction(op, reduction);
  // Negated so NaN is refused too.
  if (!(delta > 0)) throw new RangeError(`${op}: huber_loss does not support non-positive values for delta. (got ${delta})`);
  return piecewise(op, 'HuberLossBackward0', input, target, reduction, delta, (d) => 0.5 * d * d, (a) => delta * (a - 0.5 * delta), delta, 1);
}
