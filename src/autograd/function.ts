/**
 * How ops record themselves in the graph. An op first asks `recording(...)`; only then does it
 * allocate its backward closure and call `attach`, so nothing graph-related is allocated when
 * grad mode is off or no input requires grad.
 */
import type { Tensor } from '../tensor';
import { anomalyMode, checkForward } from './anomaly';
import { isGradEnabled } from './grad_mode';
import { NO_TENSORS, Node, type BackwardFn } from './node';
import { traceState } from './trace';

/** `attach`'s `saved` for an op whose backward reads no tensor's values (only shapes or scalars). */
export const SAVES_NOTHING = NO_TENSORS;

/** Whether an op on these inputs must record a backward node. */
export function recording(a: Tensor, b?: Tensor | null, c?: Tensor | null): boolean {
  return isGradEnabled() && (a.requiresGrad || (b != null && b.requiresGrad) || (c != null && c.requiresGrad));
}

/** Whether an op on a list of inputs must record a backward node. */
export function recordingAny(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/** The node an input's gradient flows to: its `gradFn`, its `AccumulateGrad`, or none. */
export function edgeOf(t: Tensor | null | undefined): Node | null {
  if (t == null) return null;
  if (t.gradFn !== null) return t.gradFn;
  return t.requiresGrad ? t._accumulateNode() : null;
}

/**
 * The saved tensors of a two-input product-like op, as PyTorch chooses them: `forA` (what `a`'s
 * gradient reads) only if `a` requires grad, `forB` only if `b` does.
 */
export function savedFor(a: Tensor, b: Tensor, forA: Tensor, forB: Tensor): ReadonlyArray<Tensor> {
  if (!b.requiresGrad) return [forA];
  if (!a.requiresGrad) return [forB];
  return [forA, forB];
}

/**
 * Makes `out` the result of a differentiable op: sets its `gradFn` to a node named `name` whose
 * edges point to `inputs` (in order; `backward` returns their gradients in the same order).
 * `saved` lists every tensor whose values `backward` reads (inputs or `out` itself; pass
 * `SAVES_NOTHING` when it reads none): the node records their storage versions, and backward
 * refuses to run if an in-place op changed one since (PyTorch's saved-variable check).
 * `freshGrads`: every gradient `backward` returns is a buffer only that input's gradient uses (see
 * `Node.freshGrads`), so the next node may write over it.
 */
export function attach(
  out: Tensor,
  name: string,
  inputs: ReadonlyArray<Tensor | null | undefined>,
  backward: BackwardFn,
  saved: ReadonlyArray<Tensor>,
  freshGrads = false,
): Tensor {
  const next: Array<Node | null> = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) next[i] = edgeOf(inputs[i]);
  const node = new Node(name, next, backward, saved);
  node.freshGrads = freshGrads;
  out._setGradFn(node);
  if (traceState.listener !== null) traceState.listener.attach(out, name, inputs); // onnx.export
  if (anomalyMode.enabled) checkForward(out, out.gradFn as Node); // NaN check, see anomaly.ts
  return out;
}
