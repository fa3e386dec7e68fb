/**
 * The backward pass: walks the graph from the output in reverse topological order (Kahn's
 * algorithm over dependency counts, iterative so deep graphs cannot overflow the stack), sums the
 * gradients arriving at each node, and accumulates into leaves' `.grad`.
 */
import { uninitF32 } from '../dtype';
import { AutogradError, ShapeError } from '../errors';
import { kernels, BinaryOp } from '../ops/kernels';
import { Tensor } from '../tensor';
import { AccumulateGrad, Node } from './node';
import { anomalyMode, checkBackward } from './anomaly';
import { setGradEnabled, isGradEnabled } from './grad_mode';

export interface BackwardOptions {
  /** Keep the graph (saved tensors) so `backward()` can run through it again. Default `false`. */
  retainGraph?: boolean;
}

function sumGrads(a: Tensor, b: Tensor): Tensor {
  const out = uninitF32(a.data.length);
  kernels.binary(BinaryOp.add, a.data as Float32Array, b.data as Float32Array, out);
  return Tensor._make(out, a.shape, 'float32');
}

/**
 * Gradients that reach two places may share one buffer (AddBackward passes its gradient to both
 * inputs; views share data). A `.grad` must own its buffer, because optimizers and
 * `clipGradNorm_` modify it in place: the first `.grad` to take a buffer keeps it, later ones copy.
 */
function accumulate(variable: Tensor, grad: Tensor, taken: Set<unknown>): void {
  if (variable.grad === null) {
    let owned = grad;
    if (taken.has(grad.data)) owned = Tensor._make((grad.data as Float32Array).slice(), variable.shape, 'float32');
    else if (grad.shape !== variable.shape) owned = Tensor._make(grad.data, variable.shape, 'float32');
    taken.add(owned.data);
    variable.grad = owned;
  } else {
    variable.grad = sumGrads(variable.grad, grad);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Counts, for each node reachable from `root`, how many edges point to it. */
function countDependencies(root: Node): Map<Node, number> {
  const deps = new Map<Node, number>([[root, 0]]);
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    for (const next of node.next) {
      if (next === null) continue;
      const count = deps.get(next);
      if (count === undefined) {
        deps.set(next, 1);
        stack.push(next);
      } else {
        deps.set(next, count + 1);
      }
    }
  }
  return deps;
}

/** `tensor.backward(gradient?, { retainGraph })`; see `Tensor.backward`. */
export function backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions = {}): void {
  const retainGraph = options.retainGraph ?? false;
  if (!root.requiresGrad) {
    throw new AutogradError('element 0 of tensors does not require grad and does not have a grad_fn');
  }
  const taken = new Set<unknown>();
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.numel() !== 1) throw new AutogradError('grad can be implicitly created only for scalar outputs');
    seed = Tensor._make(new Float32Array(1).fill(1), root.shape, 'float32');
  } else {
    if (!(gradient instanceof Tensor)) throw new TypeError('backward: gradient must be a Tensor');
    if (!sameShape(gradient.shape, root.shape)) {
      throw new ShapeError(
        `Mismatch in shape: grad_output[0] has a shape of [${gradient.shape.join(', ')}] and output[0] has a shape of [${root.shape.join(', ')}].`,
      );
    }
    if (gradient.dtype !== 'float32') {
      throw new TypeError(`backward: gradient must be float32 like the output, got ${gradient.dtype}`);
    }
    seed = gradient;
    taken.add(gradient.data); // the caller still holds it: never adopt it as a .grad
  }

  const rootNode = root.gradFn ?? root._accumulateNode();
  const deps = countDependencies(rootNode);
  const pending = new Map<Node, Tensor>([[rootNode, seed]]);
  const ready: Node[] = [rootNode];
  const previousMode = isGradEnabled();
  // Backward closures compute with plain ops; they must not record a graph of their own.
  setGradEnabled(false);
  try {
    while (ready.length > 0) {
      const node = ready.pop() as Node;
      const grad = pending.get(node);
      pending.delete(node);
      if (grad === undefined) {
        // Every edge into this node carried no gradient: nothing to compute, but its inputs'
        // dependency counts must still drop so nodes also reached another way can run.
        for (const target of node.next) {
          if (target === null) continue;
          const left = (deps.get(target) as number) - 1;
          deps.set(target, left);
          if (left === 0) ready.push(target);
        }
        continue;
      }
      if (node instanceof AccumulateGrad) {
        accumulate(node.variable, grad, taken);
        continue;
      }
      if (node.retained !== null) accumulate(node.retained, grad, taken);
      const inputGrads = node.apply(grad);
      if (anomalyMode.enabled) checkBackward(node, inputGrads); // NaN check, see anomaly.ts
      if (!retainGraph) node.release();
      const next = node.next;
      for (let i = 0; i < next.length; i++) {
        const target = next[i];
        if (target === null) continue;
        const g = inputGrads[i];
        if (g !== null && g !== undefined) {
          const existing = pending.get(target);
          pending.set(target, existing === undefined ? g : sumGrads(existing, g));
        }
        const left = (deps.get(target) as number) - 1;
        deps.set(target, left);
        if (left === 0) ready.push(target);
      }
    }
  } finally {
    setGradEnabled(previousMode);
  }
}
