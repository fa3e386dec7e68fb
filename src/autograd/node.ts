/**
 * Autograd graph nodes. Every non-leaf tensor's `gradFn` is a `Node` named like PyTorch's
 * (`AddBackward0`, `AddmmBackward0`, …); leaves that require grad are reached through their
 * `AccumulateGrad` node. `next` lists, per input of the op, the node its gradient flows to (or
 * `null` when that input does not require grad), like PyTorch's `next_functions`.
 */
import { AutogradError } from '../errors';
import type { Tensor } from '../tensor';

/**
 * Computes the gradients of an op's inputs from the gradient of its output. Returns one entry per
 * `node.next` entry; entries whose `next` is `null` may be `null` (skip the work).
 */
export type BackwardFn = (grad: Tensor, node: Node) => ReadonlyArray<Tensor | null>;

export const FREED_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
  'already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
  'autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or ' +
  'if you need to access saved tensors after calling backward.';

export class Node {
  /** PyTorch's name of the backward function, e.g. `MulBackward0`. */
  readonly name: string;
  /** Where each input's gradient goes (PyTorch's `next_functions`). */
  readonly next: ReadonlyArray<Node | null>;
  /** The backward closure; `null` once the graph was freed by `backward()`. */
  private fn: BackwardFn | null;
  /** Set by `retainGrad()` on the (non-leaf) tensor this node produced. */
  retained: Tensor | null = null;

  /** @internal Engine scratch for the pass in progress: incoming edges not yet processed. */
  _dependencies = 0;
  /** @internal Engine scratch: the gradient summed so far for this node's output. */
  _pending: Tensor | null = null;
  /** @internal Engine scratch: which backward pass last set the two fields above. */
  _pass = 0;

  /** Whether the closure holds saved tensors: nodes that save nothing (AddBackward0) can run twice. */
  private readonly savesTensors: boolean;

  constructor(name: string, next: ReadonlyArray<Node | null>, fn: BackwardFn, savesTensors = true) {
    this.name = name;
    this.next = next;
    this.fn = fn;
    this.savesTensors = savesTensors;
  }

  /** Runs the backward closure; throws PyTorch's error if the graph was already freed. */
  apply(grad: Tensor): ReadonlyArray<Tensor | null> {
    if (this.fn === null) throw new AutogradError(FREED_MESSAGE);
    return this.fn(grad, this);
  }

  /** Drops the closure and with it every saved tensor it captured. */
  release(): void {
    if (this.savesTensors) this.fn = null;
  }

  /** Whether input `i` needs a gradient (saves computing unused ones). */
  needsGrad(i: number): boolean {
    return this.next[i] !== null;
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

/** The node that accumulates a leaf's gradient into its `.grad` (PyTorch's `AccumulateGrad`). */
export class AccumulateGrad extends Node {
  readonly variable: Tensor;

  constructor(variable: Tensor) {
    super('AccumulateGrad', [], () => [], false);
    this.variable = variable;
  }
}
