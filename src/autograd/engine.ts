/**
 * The backward pass: walks the graph from the output in reverse topological order (Kahn's
 * algorithm over dependency counts, iterative so deep graphs cannot overflow the stack), sums the
 * gradients arriving at each node, and accumulates into leaves' `.grad`.
 */
import { isWholeBuffer, recycleF32, uninitF32 } from '../dtype';
import { AutogradError, ShapeError } from '../errors';
import { sameShape } from '../ops/broadcast';
import { kernels, BinaryOp } from '../ops/kernels';
import { Tensor } from '../tensor';
import { accumulateGrad, addInto } from './accumulate';
import { AccumulateGrad, Node, backwardPass } from './node';
import { anomalyMode, checkBackward } from './anomaly';
import { setGradEnabled, isGradEnabled } from './grad_mode';
import { checkOptions, positionalOptionError } from '../options';

export interface BackwardOptions {
  /** Keep the graph (saved tensors) so `backward()` can run through it again. Default `false`. */
  retainGraph?: boolean;
  /** Must be false: kindling computes no higher-order gradients yet (backward records no graph). */
  createGraph?: boolean;
  /** Not supported yet: gradients accumulate into every leaf of the graph. */
  inputs?: Tensor | Tensor[];
}

const BACKWARD_OPTIONS = {
  retainGraph: 'boolean',
  createGraph: { notImplemented: 'no higher-order gradients: backward records no graph', unless: [false] },
  inputs: { notImplemented: 'gradients accumulate into every leaf of the graph' },
} as const;

/** `{ retainGraph: true }` as the user wrote it, for the message that shows the call that works. */
function formatOptions(options: object): string {
  const entries = Object.entries(options).map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : String(v)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/**
 * PyTorch's positional habits: `loss.backward(None, True)` (`retain_graph`) and options given as
 * the gradient (`loss.backward({ retainGraph: true })`) get the call that works; unknown options
 * throw, and `createGraph: true` / `inputs` throw rather than being ignored.
 */
function checkBackwardArguments(gradient: unknown, options: unknown): void {
  if (gradient !== undefined && gradient !== null && typeof gradient === 'object' && !(gradient instanceof Tensor) && !Array.isArray(gradient)) {
    throw new TypeError(`backward: the first argument is the gradient (a Tensor or undefined); use tensor.backward(undefined, ${formatOptions(gradient)})`);
  }
  if (typeof options === 'boolean') throw positionalOptionError('backward', 'second', `tensor.backward(undefined, { retainGraph: ${options} })`);
  checkOptions('backward', options, BACKWARD_OPTIONS);
}

/**
 * Whether one of `grads` is (a view of) the buffer `data`. Compared through each gradient's
 * storage: `.data` of a strided view (a permute's backward returns one) would be a fresh copy.
 */
function passesOn(grads: ReadonlyArray<Tensor | null>, data: Tensor['data']): boolean {
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    if (g !== null && g !== undefined && g.storage.data.buffer === data.buffer) return true;
  }
  return false;
}

/** Whether `t` is a contiguous float32 tensor over the whole of its own buffer (no view into a larger one). */
function ownsWholeBuffer(t: Tensor): boolean {
  return t.dtype === 'float32' && t.isContiguous() && isWholeBuffer(t.data);
}

/**
 * The buffer holding an engine-owned gradient's elements, for `recycleF32`: its data, or for a
 * strided view its storage's (`.data` of the view would be a copy).
 */
function bufferOf(t: Tensor): Float32Array {
  return (t.isContiguous() ? t.data : t.storage.data) as Float32Array;
}

function sumGrads(a: Tensor, b: Tensor): Tensor {
  const out = uninitF32(a.data.length);
  kernels.binary(BinaryOp.add, a.data as Float32Array, b.data as Float32Array, out);
  return Tensor._make(out, a.shape, 'float32');
}

/**
 * Sets, for each node reachable from `root`, `_dependencies` to how many edges point to it and
 * clears `_pending`. The counts live on the nodes (not in a Map) because a training step walks a
 * dozen nodes and Map lookups were a measurable part of backward; `_pass` marks which nodes were
 * already reached in this pass (a failed earlier pass may have left its values behind).
 */
function countDependencies(root: Node): void {
  // Numbers backward passes, so a node can tell whether its scratch fields are this pass's.
  const pass = ++backwardPass.current;
  root._pass = pass;
  root._dependencies = 0;
  root._pending = null;
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const next = node.next;
    for (let i = 0; i < next.length; i++) {
      const target = next[i];
      if (target === null) continue;
      if (target._pass !== pass) {
        target._pass = pass;
        target._dependencies = 1;
        target._pending = null;
        stack.push(target);
      } else {
        target._dependencies++;
      }
    }
  }
}

/** Clears `_pending` on every node reachable from `root`. */
function clearPending(root: Node): void {
  const seen = new Set<Node>([root]);
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    node._pending = null;
    node._applyingOwned = false;
    for (const target of node.next) {
      if (target !== null && !seen.has(target)) {
        seen.add(target);
        stack.push(target);
      }
    }
  }
}

/**
 * Adds gradient `g` to `target`'s pending gradient by the engine's sum rules; `fresh`: `g` is a
 * buffer only this edge uses (a `freshGrads` node's), so the sum may keep or recycle it.
 */
function receive(target: Node, g: Tensor, fresh: boolean): void {
  const existing = target._pending;
  if (existing === null) {
    target._pending = g;
    target._pendingOwned = fresh;
  } else if (target._pendingAddable()) {
    // A sum this loop made: a third or later contribution adds into it (a split into q, k,
    // v sends three full-size gradients to one node).
    addInto(existing.data as Float32Array, g.data as Float32Array);
    // A fresh gradient had no other user: added in, it is dead.
    if (fresh) recycleF32(bufferOf(g));
  } else if (fresh && ownsWholeBuffer(g)) {
    // The earlier contribution is shared (a pass-through such as AddBackward0's), the new
    // one is this edge's alone: add the shared one into it rather than into a new buffer
    // (a + b and b + a are the same bits).
    addInto(g.data as Float32Array, existing.data as Float32Array);
    target._pending = g;
    target._pendingOwned = true;
  } else {
    target._pending = sumGrads(existing, g);
    target._pendingOwned = true;
  }
}

/**
 * For a closure that forms the gradient a node further down receives through view nodes, instead
 * of its own inputs' (attention's q, k and v viewed from one projection: NOTE [ Attention
 * gradients in the projection's layout ] in docs/PERFORMANCE.md): adds `grad`, a new buffer
 * nothing else holds, to `target`'s gradient for this pass. Only while the engine runs that
 * closure, for a target still waiting on it (so it has not run yet), and not in anomaly mode.
 */
export function contributeGrad(target: Node, grad: Tensor): void {
  if (target._dependencies < 1 || anomalyMode.enabled) throw new AutogradError('contributeGrad: the target node is not waiting on this backward pass');
  receive(target, grad, true);
}

/** `tensor.backward(gradient?, { retainGraph })`; see `Tensor.backward`. */
export function backward(root: Tensor, gradient: Tensor | undefined, options?: BackwardOptions): void {
  if (options !== undefined || gradient !== undefined) checkBackwardArguments(gradient, options);
  const retainGraph = options?.retainGraph ?? false;
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
    if (gradient.isContiguous()) {
      seed = gradient;
      taken.add(gradient.data); // the caller still holds it: never adopt it as a .grad
    } else {
      // Gradients flow contiguous; this copy is the engine's own, so a .grad may adopt it.
      seed = Tensor._make(gradient.data, gradient.shape, 'float32');
    }
  }

  const rootNode = root.gradFn ?? root._accumulateNode();
  countDependencies(rootNode);
  const pass = backwardPass.current;
  rootNode._pending = seed;
  rootNode._pendingOwned = false; // the caller's gradient, or one `taken` already guards
  const ready: Node[] = [rootNode];
  const previousMode = isGradEnabled();
  // Backward closures compute with plain ops; they must not record a graph of their own.
  setGradEnabled(false);
  try {
    while (ready.length > 0) {
      const node = ready.pop() as Node;
      const grad = node._pending;
      node._pending = null;
      if (grad === null) {
        // A leaf whose gradient an op wrote in place (Node.gradBuffer) is complete now.
        if (node instanceof AccumulateGrad && node._writtenPass === pass) node.runPostHooks();
        // Every edge into this node carried no gradient: nothing to compute, but its inputs'
        // dependency counts must still drop so nodes also reached another way can run.
        for (const target of node.next) {
          if (target !== null && --target._dependencies === 0) ready.push(target);
        }
        continue;
      }
      if (node instanceof AccumulateGrad) {
        accumulateGrad(node.variable, grad, taken, true);
        node.runPostHooks();
        continue;
      }
      if (node.retained !== null) accumulateGrad(node.retained, grad, taken, false);
      const owned = node._pendingOwned && node.retained === null && !anomalyMode.enabled;
      node._applyingOwned = owned;
      const inputGrads = node.apply(grad);
      node._applyingOwned = false;
      // A gradient only the engine held, consumed and not passed on: nothing can reach its buffer.
      if (owned) {
        const buffer = bufferOf(grad);
        if (!passesOn(inputGrads, buffer)) recycleF32(buffer);
      }
      // The returned gradients are buffers only their input uses: new ones, or a view node's
      // reshaped or permuted view of an owned gradient it received.
      const freshGrads = node.freshGrads || (owned && node.forwardsGrad);
      if (anomalyMode.enabled) checkBackward(node, inputGrads); // NaN check, see anomaly.ts
      if (!retainGraph) node.release();
      const next = node.next;
      for (let i = 0; i < next.length; i++) {
        const target = next[i];
        if (target === null) continue;
        const g = inputGrads[i];
        if (g !== null && g !== undefined) receive(target, g, freshGrads);
        if (--target._dependencies === 0) ready.push(target);
      }
    }
  } catch (error) {
    clearPending(rootNode); // drop the gradients a failed pass left on the nodes (and ownsGrad)
    throw error;
  } finally {
    setGradEnabled(previousMode);
  }
}
