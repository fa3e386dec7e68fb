/**
 * Binary classification losses with PyTorch's options: `binaryCrossEntropy` (on probabilities)
 * and `binaryCrossEntropyWithLogits` (on logits, the numerically stable form). Both are one loop
 * with the closed-form gradients PyTorch's kernels use (`BinaryCrossEntropyBackward0`,
 * `BinaryCrossEntropyWithLogitsBackward0`) for the input and the target; `weight` and
 * `posWeight` are constants, as in PyTorch (which refuses them requiring grad).
 */
import { recording } from '../autograd/function';
import { isGradEnabled } from '../autograd/grad_mode';
import { AutogradError, ShapeError } from '../errors';
import { Tensor } from '../tensor';
import { sameShape } from './broadcast';
import { type ReductionMode, broadcastAll, checkBroadcastsTo, checkFloatTensor, checkReduction, fusedLoss, valuesAs } from './loss-util';

export interface BinaryCrossEntropyOptions {
  /** Rescales each element's loss; broadcast to the target's shape. */
  weight?: Tensor | null;
  reduction?: ReductionMode;
}

export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of the positive term, broadcast along the input's trailing dims (e.g. one per class). */
  posWeight?: Tensor | null;
}

/** PyTorch's refusal of a constant argument that requires grad (its derivative is not defined). */
function checkConstant(op: string, name: string, t: Tensor): void {
  if (t.requiresGrad && isGradEnabled()) {
    throw new AutogradError(`The function '${op}' is not differentiable with respect to argument '${name}'. This input cannot have requires_grad True.`);
  }
}

/** PyTorch clamps each log at −100 so a probability of exactly 0 or 1 gives a finite loss. */
const LOG_FLOOR = -100;
/** PyTorch's floor for (1 − x)·x in the input gradient's denominator. */
const GRAD_EPSILON = 1e-12;

/**
 * `torch.nn.functional.binary_cross_entropy(input, target, { weight, reduction })`:
 * −w·(t·log(x) + (1 − t)·log(1 − x)) with each log clamped to ≥ −100. Input and target must have
 * the same shape, with every element in [0, 1].
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  const op = 'binary_cross_entropy';
  const reduction = options.reduction ?? 'mean';
  checkReduction(op, reduction);
  checkFloatTensor(op, 'input', input);
  checkFloatTensor(op, 'target', target);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `${op}: Using a target size ([${target.shape.join(', ')}]) that is different to the input size ([${input.shape.join(', ')}]) is deprecated. Please ensure they have the same size.`,
    );
  }
  const shape = input.shape;
  const weightT = options.weight ?? null;
  let w: Float32Array | null = null;
  if (weightT !== null) {
    checkFloatTensor(op, 'weight', weightT);
    checkBroadcastsTo(op, 'weight', weightT, shape, "the target's shape");
    checkConstant(op, 'weight', weightT);
    w = valuesAs(weightT, shape);
  }
  const x = input.data as Float32Array;
  const t = target.data as Float32Array;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    // Negated so NaN fails too, as PyTorch's check does.
    if (!(x[i] >= 0 && x[i] <= 1)) throw new RangeError(`${op}: all elements of input should be between 0 and 1, but got ${x[i]}`);
    if (!(t[i] >= 0 && t[i] <= 1)) throw new RangeError(`${op}: all elements of target should be between 0 and 1, but got ${t[i]}`);
  }
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const l = (t[i] - 1) * Math.max(Math.log1p(-x[i]), LOG_FLOOR) - t[i] * Math.max(Math.log(x[i]), LOG_FLOOR);
    values[i] = w === null ? l : l * w[i];
  }
  return fusedLoss({
    op,
    gradFn: 'BinaryCrossEntropyBackward0',
    reduction,
    shape,
    values,
    inputs: [input, target],
    saved: [input, target],
    record: recording(input, target),
    grad: (k, up, out) => {
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        // ∂/∂x = (x − t) / max((1 − x)·x, ε); ∂/∂t = −logit(x) (unclamped, as PyTorch's).
        const d = k === 0 ? (xi - t[i]) / Math.max((1 - xi) * xi, GRAD_EPSILON) : -Math.log(xi / (1 - xi));
        const v = up(i) * d;
        out[i] = w === null ? v : v * w[i];
      }
    },
  });
}

/** −log σ(z) = log(1 + e^(−|z|)) + max(−z, 0), which neither overflows nor loses the small tail. */
function softplusNeg(z: number): number {
  return Math.log1p(Math.exp(-Math.abs(z))) + Math.max(-z, 0);
}

/**
 * `torch.nn.functional.binary_cross_entropy_with_logits(input, target, { weight, reduction,
 * posWeight })`: w·((1 − t)·x + (1 + (pw − 1)·t)·(log(1 + e^(−|x|)) + max(−x, 0))).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  const op = 'binary_cross_entropy_with_logits';
  const reduction = options.reduction ?? 'mean';
  checkReduction(op, reduction);
  checkFloatTensor(op, 'input', input);
  checkFloatTensor(op, 'target', target);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${op}: Target size ([${target.shape.join(', ')}]) must be the same as input size ([${input.shape.join(', ')}])`);
  }
  const shape = input.shape;
  const weightT = options.weight ?? null;
  const posWeightT = options.posWeight ?? null;
  let pw: Float32Array | null = null;
  let w: Float32Array | null = null;
  if (posWeightT !== null) {
    checkFloatTensor(op, 'pos_weight', posWeightT);
    // PyTorch's (pos_weight − 1)·target names pos_weight as tensor a.
    broadcastAll(op, [posWeightT.shape, shape]);
    checkBroadcastsTo(op, 'pos_weight', posWeightT, shape, "the input's shape");
    checkConstant(op, 'pos_weight', posWeightT);
    pw = valuesAs(posWeightT, shape);
  }
  if (weightT !== null) {
    checkFloatTensor(op, 'weight', weightT);
    broadcastAll(op, [shape, weightT.shape]);
    checkBroadcastsTo(op, 'weight', weightT, shape, "the input's shape");
    checkConstant(op, 'weight', weightT);
    w = valuesAs(weightT, shape);
  }
  const x = input.data as Float32Array;
  const t = target.data as Float32Array;
  const n = x.length;
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const logWeight = pw === null ? 1 : 1 + (pw[i] - 1) * t[i];
    const l = (1 - t[i]) * x[i] + logWeight * softplusNeg(x[i]);
    values[i] = w === null ? l : l * w[i];
  }
  return fusedLoss({
    op,
    gradFn: 'BinaryCrossEntropyWithLogitsBackward0',
    reduction,
    shape,
    values,
    inputs: [input, target],
    saved: [input, target],
    record: recording(input, target),
    grad: (k, up, out) => {
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        let d: number;
        if (k === 0) {
          const s = 1 / (1 + Math.exp(-xi));
          // PyTorch's (pw·t + 1 − t)·σ(x) − pw·t, which is σ(x) − t without pos_weight.
          d = pw === null ? s - t[i] : (pw[i] * t[i] + 1 - t[i]) * s - pw[i] * t[i];
        } else {
          // log σ(−x) − pw·log σ(x), which is −x without pos_weight.
          d = pw === null ? -xi : -softplusNeg(-xi) + pw[i] * softplusNeg(xi);
        }
        const v = up(i) * d;
        out[i] = w === null ? v : v * w[i];
      }
    },
  });
}
