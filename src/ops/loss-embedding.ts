/**
 * Embedding and ranking losses with PyTorch's options: `cosineEmbeddingLoss`,
 * `marginRankingLoss` and `tripletMarginLoss`. Each is PyTorch's own composition of
 * differentiable ops (so the gradients, including the hinge's 0 at its edge, and the grad_fn
 * names are PyTorch's); the p-norm of the triplet distances is one node with PyTorch's
 * `norm_backward` (0 where the norm is 0, which sqrt(Σd²) composed would make NaN).
 */
import { attach, recording } from '../autograd/function';
import { ShapeError } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { eq } from './compare';
import { add, div, mul, neg, sqrt, sub } from './elementwise';
import { type ReductionMode, broadcastAll, checkBoolean, checkFloatTensor, checkNumber, checkReduction, valuesAs } from './loss-util';
import { reduce } from './loss-regression';
import { clampMin, minimum } from './minmax';
import { sum } from './reduce';
import { sumTo } from './shape';
import { where } from './where';

export interface MarginOptions {
  /** Default 0. */
  margin?: number;
  reduction?: ReductionMode;
}

/** PyTorch prints a float argument with a decimal point (`0.0`, `1.5`). */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** The ATen cosine_embedding_loss epsilon added to each squared magnitude. */
const COSINE_EPSILON = 1e-12;

/**
 * `torch.nn.functional.cosine_embedding_loss(input1, input2, target, { margin, reduction })`:
 * 1 − cos(x1, x2) where target = 1, max(0, cos(x1, x2) − margin) where target = −1 (0 for any
 * other target). Inputs `[N, D]` with target `[N]`, or `[D]` with a 0-d target.
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const op = 'cosine_embedding_loss';
  const margin = checkNumber(op, 'margin', options.margin ?? 0);
  const reduction = options.reduction ?? 'mean';
  checkReduction(op, reduction);
  checkFloatTensor(op, 'input1', input1);
  checkFloatTensor(op, 'input2', input2);
  if (!(target instanceof Tensor)) throw new TypeError(`${op}(): argument 'target' must be Tensor, not ${typeof target}`);
  const targetDim = target.shape.length;
  if (targetDim !== 0 && targetDim !== 1) {
    throw new ShapeError(`${op}: 0D or 1D target tensor expected, multi-target not supported (got a target of shape [${target.shape.join(', ')}])`);
  }
  if (targetDim === 1 && (input1.shape.length !== 2 || input2.shape.length !== 2)) {
    throw new ShapeError(`${op}: 1D target tensor expects 2D input tensors, but found inputs with sizes [${input1.shape.join(', ')}] and [${input2.shape.join(', ')}].`);
  }
  if (targetDim === 0 && (input1.shape.length !== 1 || input2.shape.length !== 1)) {
    throw new ShapeError(`${op}: 0D target tensor expects 1D input tensors, but found inputs with sizes [${input1.shape.join(', ')}] and [${input2.shape.join(', ')}].`);
  }
  broadcastAll(op, [input1.shape, input2.shape]);
  const prodSum = sum(mul(input1, input2), targetDim);
  const mag1 = add(sum(mul(input1, input1), targetDim), COSINE_EPSILON);
  const mag2 = add(sum(mul(input2, input2), targetDim), COSINE_EPSILON);
  const cos = div(prodSum, sqrt(mul(mag1, mag2)));
  broadcastAll(op, [target.shape, cos.shape]);
  const pos = add(neg(cos), 1);
  const negative = clampMin(sub(cos, margin), 0);
  const output = add(where(eq(target, 1), pos, 0), where(eq(target, -1), negative, 0));
  return reduce(output, reduction);
}

/**
 * `torch.nn.functional.margin_ranking_loss(input1, input2, target, { margin, reduction })`:
 * max(0, −target·(input1 − input2) + margin). All three must have the same number of dims.
 */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const op = 'margin_ranking_loss';
  const margin = checkNumber(op, 'margin', options.margin ?? 0);
  const reduction = options.reduction ?? 'mean';
  checkReduction(op, reduction);
  checkFloatTensor(op, 'input1', input1);
  checkFloatTensor(op, 'input2', input2);
  checkFloatTensor(op, 'target', target);
  const d1 = input1.shape.length;
  if (d1 !== input2.shape.length || d1 !== target.shape.length) {
    throw new ShapeError(
      `${op} : All input tensors should have same dimension but got sizes: input1: [${input1.shape.join(', ')}], input2: [${input2.shape.join(', ')}], target: [${target.shape.join(', ')}] `,
    );
  }
  broadcastAll(op, [input1.shape, input2.shape, target.shape]);
  return reduce(clampMin(add(mul(neg(target), sub(input1, input2)), margin), 0), reduction);
}

/**
 * ‖x1 − x2 + eps‖_p over the last dimension (PyTorch's `pairwise_distance`), with PyTorch's norm
 * gradient: sign(d)·|d|^(p−1) / ‖d‖^(p−1), masked to 0 where the norm is 0; sign(d) for p = 1;
 * 0 for p = 0; split among the maxima for p = ∞.
 */
function pairwiseDistance(x1: Tensor, x2: Tensor, p: number, eps: number): Tensor {
  const shape = broadcastAll('pairwise_distance', [x1.shape, x2.shape]);
  const a = valuesAs(x1, shape);
  const b = valuesAs(x2, shape);
  const width = shape.length === 0 ? 1 : shape[shape.length - 1];
  const outShape = shape.slice(0, -1);
  const rows = numelOf(outShape);
  const d = new Float32Array(a.length);
  for (let i = 0; i < d.length; i++) d[i] = a[i] - b[i] + eps;
  const norms = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let j = 0; j < width; j++) {
      const v = Math.abs(d[r * width + j]);
      if (p === Infinity) acc = Math.max(acc, v);
      else if (p === 0) acc += v !== 0 ? 1 : 0;
      else acc += p === 1 ? v : p === 2 ? v * v : v ** p;
    }
    norms[r] = p === Infinity || p === 0 || p === 1 ? acc : p === 2 ? Math.sqrt(acc) : acc ** (1 / p);
  }
  const out = Tensor._make(norms, outShape, 'float32');
  if (recording(x1, x2)) {
    attach(out, 'NormBackward1', [x1, x2], (g, node) => {
      const gv = g.data as Float32Array;
      const grad = new Float32Array(d.length);
      for (let r = 0; r < rows; r++) {
        const norm = norms[r];
        let ties = 0;
        if (p === Infinity) for (let j = 0; j < width; j++) if (Math.abs(d[r * width + j]) === norm) ties++;
        for (let j = 0; j < width; j++) {
          const v = d[r * width + j];
          let local: number;
          if (p === 0) local = 0;
          else if (p === 1) local = Math.sign(v);
          else if (p === Infinity) local = Math.abs(v) === norm ? Math.sign(v) / ties : 0;
          else if (norm === 0) local = 0;
          else if (p === 2) local = v / norm;
          else local = (v * Math.abs(v) ** (p - 2)) / norm ** (p - 1);
          grad[r * width + j] = local * gv[r];
        }
      }
      const full = Tensor._make(grad, shape, 'float32');
      return [
        node.needsGrad(0) ? sumTo(full, x1.shape) : null,
        node.needsGrad(1) ? sumTo(neg(full), x2.shape) : null,
      ];
    }, [x1, x2]);
  }
  return out;
}

export interface TripletMarginLossOptions {
  /** > 0. Default 1. */
  margin?: number;
  /** The norm degree of the distances. Default 2. */
  p?: number;
  /** Added to the differences before the norm. Default 1e-6. */
  eps?: number;
  /** Uses min(d(a, n), d(p, n)) as the negative distance (Balntas et al.). Default false. */
  swap?: boolean;
  reduction?: ReductionMode;
}

/**
 * `torch.nn.functional.triplet_margin_loss(anchor, positive, negative, { margin, p, eps, swap,
 * reduction })`: max(0, margin + d(a, p) − d(a, n)) with d the p-norm distance over the last dim.
 */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginLossOptions = {}): Tensor {
  const op = 'triplet_margin_loss';
  const margin = checkNumber(op, 'margin', options.margin ?? 1.0);
  const p = checkNumber(op, 'p', options.p ?? 2);
  const eps = checkNumber(op, 'eps', options.eps ?? 1e-6);
  const swap = checkBoolean(op, 'swap', options.swap ?? false);
  const reduction = options.reduction ?? 'mean';
  checkReduction(op, reduction);
  if (!(margin > 0)) throw new RangeError(`${op}: margin must be greater than 0, got ${pyFloat(margin)}`);
  if (!(p >= 0)) throw new RangeError(`${op}: p must be a non-negative norm degree, got ${p}`);
  checkFloatTensor(op, 'anchor', anchor);
  checkFloatTensor(op, 'positive', positive);
  checkFloatTensor(op, 'negative', negative);
  const [a, pd, n] = [anchor.shape.length, positive.shape.length, negative.shape.length];
  if (a !== pd || pd !== n) {
    throw new ShapeError(
      `${op}: The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${a}D, positive ${pd}D, and negative ${n}D inputs`,
    );
  }
  if (a === 0) throw new ShapeError(`${op}: expected inputs of at least 1 dimension (the embedding), got 0-d tensors`);
  broadcastAll(op, [anchor.shape, positive.shape, negative.shape]);
  const distPos = pairwiseDistance(anchor, positive, p, eps);
  let distNeg = pairwiseDistance(anchor, negative, p, eps);
  if (swap) distNeg = minimum(distNeg, pairwiseDistance(positive, negative, p, eps));
  return reduce(clampMin(sub(add(distPos, margin), distNeg), 0), reduction);
}
