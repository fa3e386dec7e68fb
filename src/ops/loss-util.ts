/**
 * What the elementwise losses share: argument checks in PyTorch's words (prefixed with the op's
 * name, since PyTorch's own text often names none), reading operands broadcast to a common shape,
 * and `fusedLoss`, which records one backward node for a loss computed in a single loop, with
 * the reduction folded in, so its gradient is PyTorch's closed form (not the composition's) and
 * its `grad_fn` has PyTorch's name.
 */
import { attach } from '../autograd/function';
import { scalarTypeName } from '../dtype';
import { ShapeError } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { broadcastShapes, sameShape } from './broadcast';
import { expand, sumTo } from './shape';

export type ReductionMode = 'none' | 'mean' | 'sum';

/** PyTorch's ValueError for an unknown reduction (F.* check it before anything else). */
export function checkReduction(op: string, reduction: unknown, allowed: readonly string[] = ['none', 'mean', 'sum']): void {
  if (typeof reduction !== 'string' || !allowed.includes(reduction)) {
    throw new RangeError(`${op}: ${String(reduction)} is not a valid value for reduction (expected one of ${allowed.map((r) => `'${r}'`).join(', ')})`);
  }
}

/** A float32 tensor argument, or a TypeError naming the op, the argument and what came instead. */
export function checkFloatTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${op}(): argument '${name}' must be Tensor, not ${value === null ? 'null' : typeof value}`);
  if (value.dtype !== 'float32') throw new TypeError(`${op}: expected ${name} to be float32 (Float), but got ${scalarTypeName(value.dtype)}`);
  return value;
}

/** A finite-or-not number option (PyTorch's `float` arguments); NaN passes, as in PyTorch. */
export function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${op}(): argument '${name}' must be float, not ${typeof value}`);
  return value;
}

export function checkBoolean(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${op}(): argument '${name}' must be bool, not ${typeof value}`);
  return value;
}

/** The broadcast shape of the operands, or PyTorch's size-mismatch message prefixed with the op. */
export function broadcastAll(op: string, shapes: ReadonlyArray<readonly number[]>): number[] {
  let out = [...shapes[0]];
  for (let i = 1; i < shapes.length; i++) {
    try {
      out = broadcastShapes(out, shapes[i]);
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(`${op}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/**
 * A float32 tensor that must broadcast *to* `shape` (a weight, a pos_weight): broadcasting may
 * not grow the loss's shape, as PyTorch's expand(target.size()) allows none.
 */
export function checkBroadcastsTo(op: string, name: string, t: Tensor, shape: readonly number[], what: string): void {
  let ok = t.shape.length <= shape.length;
  for (let i = 1; ok && i <= t.shape.length; i++) {
    const have = t.shape[t.shape.length - i];
    ok = have === 1 || have === shape[shape.length - i];
  }
  if (!ok) throw new ShapeError(`${op}: ${name} of shape [${t.shape.join(', ')}] must be broadcastable to ${what} [${shape.join(', ')}]`);
}

/** `t`'s values read as `shape` (broadcasting size-1 and missing leading dims), contiguous. */
export function valuesAs(t: Tensor, shape: readonly number[]): Float32Array {
  if (sameShape(t.shape, shape)) return t.data as Float32Array;
  return expand(t.detach(), shape).data as Float32Array;
}

export interface FusedLoss {
  op: string;
  /** PyTorch's grad_fn name for this loss (e.g. `SmoothL1LossBackward0`). */
  gradFn: string;
  reduction: ReductionMode;
  /** The broadcast shape of the elementwise loss. */
  shape: readonly number[];
  /** The per-element loss over `shape`. */
  values: Float32Array;
  /** The differentiable operands, each broadcastable to `shape`; null entries are not differentiated. */
  inputs: ReadonlyArray<Tensor | null>;
  /** Tensors whose values the gradients read (for the in-place version check). */
  saved: ReadonlyArray<Tensor>;
  /**
   * ∂loss[i]/∂inputs[k][i] times `upstream(i)`, over `shape` (written into `out`). Called only
   * for the inputs that need a gradient.
   */
  grad: (k: number, upstream: (i: number) => number, out: Float32Array) => void;
  /** Whether grad mode records (the op checked `recording` over the differentiable inputs). */
  record: boolean;
}

/**
 * The reduced loss tensor with one backward node whose gradient is `grad` scaled by the incoming
 * gradient (elementwise for 'none', g/numel for 'mean'), summed back to each operand's shape.
 */
export function fusedLoss(spec: FusedLoss): Tensor {
  const { values, reduction, shape } = spec;
  const n = values.length;
  let out: Tensor;
  if (reduction === 'none') {
    out = Tensor._make(values, shape, 'float32');
  } else {
    // Summed in a double: at least as accurate as PyTorch's float32 pairwise sum.
    let total = 0;
    for (let i = 0; i < n; i++) total += values[i];
    out = Tensor._make(Float32Array.of(reduction === 'mean' ? total / n : total), [], 'float32');
  }
  if (!spec.record) return out;
  attach(out, spec.gradFn, spec.inputs, (g, node) => {
    let upstream: (i: number) => number;
    if (reduction === 'none') {
      const gv = g.data as Float32Array;
      upstream = (i) => gv[i];
    } else {
      const s = (g.data[0] as number) / (reduction === 'mean' ? n : 1);
      upstream = () => s;
    }
    return spec.inputs.map((t, k) => {
      if (t === null || !node.needsGrad(k)) return null;
      const grad = new Float32Array(numelOf(shape));
      spec.grad(k, upstream, grad);
      return sumTo(Tensor._make(grad, shape, 'float32'), t.shape);
    });
  }, spec.saved);
  return out;
}
