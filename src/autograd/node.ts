/**
 * Autograd graph nodes. Every non-leaf tensor's `gradFn` is a `Node` named like PyTorch's
 * (`AddBackward0`, `AddmmBackward0`, …); leaves that require grad are reached through their
 * `AccumulateGrad` node. `next` lists, per input of the op, the node its gradient flows to (or
 * `null` when that input does not require grad), like PyTorch's `next_functions`.
 */
import { uninitF32 } from '../dtype';
import { AutogradError } from '../errors';
import { anomalyMode } from './anomaly';
import { Tensor } from '../tensor';

/**
 * Computes the gradients of an op's inputs from the gradient of its output. Returns one entry per
 * `node.next` entry; entries whose `next` is `null` may be `null` (skip the work).
 */
export type BackwardFn = (grad: Tensor, node: Node) => ReadonlyArray<Tensor | null>;

/** A buffer an op writes an input's gradient into itself: `data = beta·data + gradient`. */
export interface GradBuffer {
  data: Float32Array;
  /** 1: add into the gradient already there; 0: overwrite (the contents are stale). */
  beta: 0 | 1;
}

export const FREED_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
  'already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
  'autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or ' +
  'if you need to access saved tensors after calling backward.';

/**
 * The number of the backward pass in progress (engine.ts increments it), so that an
 * AccumulateGrad node can tell that an op wrote its leaf's gradient in this pass.
 */
export const backwardPass = { current: 0 };

/** The saved-tensor list of a node that saves none (shared, never mutated). */
export const NO_TENSORS: ReadonlyArray<Tensor> = Object.freeze([]) as ReadonlyArray<Tensor>;

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
  /**
   * Whether nobody but the engine holds `_pending` this pass: a sum the engine made, or a new
   * buffer that a `freshGrads` node returned for this node alone. Later contributions add into it
   * in place, and the closure may write over it (`ownsGrad`).
   */
  _pendingOwned = false;
  /**
   * @internal Whether the engine may add into `_pending` in place: owned, and contiguous. An owned
   * gradient can be a strided view (a permute passed its ownership on), whose `.data` is a copy.
   */
  _pendingAddable(): boolean {
    return this._pendingOwned && this._pending !== null && this._pending.isContiguous();
  }

  /** @internal Set by the engine while the closure runs: what `ownsGrad` answers. */
  _applyingOwned = false;
  /**
   * Whether every gradient the closure returns is a buffer only that input's gradient uses: one
   * it allocated, or the gradient it received when `ownsGrad()` allowed writing over it (`attach`'s
   * `freshGrads`). The engine then lets the receiving node write over it in turn.
   */
  freshGrads = false;
  /**
   * Whether the closure returns, for its one input, the gradient it received reshaped or permuted
   * (a view node): when the engine alone held the received one, it alone holds the returned one,
   * so ownership passes on with it (NOTE [ Gradients written in place ] in docs/PERFORMANCE.md).
   */
  forwardsGrad = false;
  /**
   * Set on a node whose output is a view of its one input and whose backward places the gradient
   * it receives at that view's elements of the input (zeros elsewhere): the input, so a closure
   * further up can find the one tensor several views come from (NOTE [ Attention gradients in
   * the projection's layout ] in docs/PERFORMANCE.md).
   */
  viewInput: Tensor | null = null;
  /** @internal Engine scratch: which backward pass last set the two fields above. */
  _pass = 0;

  /**
   * The tensors whose values the closure reads (PyTorch's saved variables), and the version of
   * each one's storage when it was saved. Nodes that save nothing (AddBackward0) can run twice.
   */
  private readonly saved: ReadonlyArray<Tensor>;
  private readonly savedVersions: number[] | null;

  constructor(name: string, next: ReadonlyArray<Node | null>, fn: BackwardFn, saved: ReadonlyArray<Tensor>) {
    this.name = name;
    this.next = next;
    this.fn = fn;
    this.saved = saved;
    let versions: number[] | null = null;
    if (saved.length > 0) {
      versions = new Array<number>(saved.length);
      for (let i = 0; i < saved.length; i++) versions[i] = saved[i]._version;
    }
    this.savedVersions = versions;
  }

  /**
   * Runs the backward closure; throws PyTorch's errors if the graph was already freed or a saved
   * tensor was modified in place since it was saved.
   */
  apply(grad: Tensor): ReadonlyArray<Tensor | null> {
    if (this.fn === null) throw new AutogradError(FREED_MESSAGE);
    const versions = this.savedVersions;
    if (versions !== null) {
      for (let i = 0; i < versions.length; i++) {
        if (this.saved[i]._version !== versions[i]) throw modifiedError(this.saved[i], versions[i]);
      }
    }
    return this.fn(grad, this);
  }

  /**
   * Run once when `release()` drops the closure: an op whose closure alone holds a buffer (GELU's
   * kept derivative) hands it to `recycleF32` here, since nothing can reach it any more.
   */
  onRelease: (() => void) | null = null;

  /** Drops the closure and with it every saved tensor it captured. */
  release(): void {
    this.viewInput = null;
    if (this.savedVersions === null) return;
    this.fn = null;
    const hook = this.onRelease;
    this.onRelease = null;
    if (hook !== null) hook();
  }

  /**
   * The hook through which an op may write input `i`'s gradient (`length` elements) straight
   * into its final place instead of returning a new buffer: when it returns a buffer, the op
   * writes `data = beta·data + gradient` (one sgemm with `beta`, say) and returns `null` for that
   * input. Only a leaf's `.grad` is offered (AccumulateGrad), and never in anomaly mode, which
   * checks every returned gradient. NOTE [ Gradient buffers of leaves ] in autograd/accumulate.ts.
   */
  gradBuffer(i: number, length: number): GradBuffer | null {
    const target = this.next[i];
    if (!(target instanceof AccumulateGrad) || anomalyMode.enabled) return null;
    const buffer = target.leafBuffer(length);
    // The op writes the gradient itself and passes null on: the engine must still know that the
    // leaf received a gradient, to run its post-accumulate-grad hooks.
    if (buffer !== null) target._writtenPass = backwardPass.current;
    return buffer;
  }

  /**
   * The buffer in which the engine sums the gradients of input `i` (`shape`, a non-leaf's), for
   * an op whose gradient is zero outside a region (a `split` piece, say) to add its region into
   * in place and return `null` for that input: the input's pieces then share one zero-filled
   * buffer instead of each building a full-size gradient for the engine to sum. Null for a leaf
   * (its `.grad` has its own rules: `gradBuffer`) and in anomaly mode, which checks every
   * returned gradient. NOTE [ Split's gradient ] in docs/PERFORMANCE.md. With `run` (the one
   * contiguous run of the buffer the caller's region is), a new buffer comes back `fresh`: zero
   * outside the run and unset inside, for the caller to write rather than add.
   */
  gradAccumulator(i: number, shape: readonly number[], run: { offset: number; length: number } | null = null): { data: Float32Array; fresh: boolean } | null {
    const target = this.next[i];
    if (target === null || target instanceof AccumulateGrad || anomalyMode.enabled) return null;
    const pending = target._pending;
    if (pending === null) {
      let n = 1;
      for (const d of shape) n *= d;
      // A caller that will write one contiguous run of it gets that run unset (NOTE [ Split's
      // gradient ] in docs/PERFORMANCE.md): it copies there instead of adding to zeros.
      const data = run === null ? new Float32Array(n) : uninitF32(n);
      if (run !== null) {
        data.fill(0, 0, run.offset);
        data.fill(0, run.offset + run.length);
      }
      target._pending = Tensor._make(data, shape, 'float32');
      target._pendingOwned = true;
      return { data, fresh: run !== null };
    }
    // A gradient the engine only received (another op's, maybe still held) is copied first, and
    // so is an owned strided view.
    if (target._pendingAddable()) return { data: pending.data as Float32Array, fresh: false };
    const copy = (pending.data as Float32Array).slice();
    target._pending = Tensor._make(copy, pending.shape, 'float32');
    target._pendingOwned = true;
    return { data: copy, fresh: false };
  }

  /**
   * For a closure that forms input `i`'s gradient in a new buffer and can add into it, in the same
   * pass over the elements, what the engine has summed for that input so far (a LayerNorm on a
   * residual stream: NOTE [ LayerNorm adds the residual gradient ] in docs/PERFORMANCE.md): takes
   * that pending gradient off the target — only a contiguous float32 one of `length` elements —
   * and returns its data; the closure must then return, for input `i`, its own gradient plus
   * this data, which the engine takes as the whole sum (the same bits: its own sum is that
   * addition). `owned`: nothing but the engine held it, so once added it is dead. Null, changing
   * nothing, when there is no such gradient, for a leaf (its `.grad` has its own rules:
   * `gradBuffer`) and in anomaly mode (which checks every returned gradient).
   */
  takePendingGrad(i: number, length: number): { data: Float32Array; owned: boolean } | null {
    const target = this.next[i];
    if (target === null || target instanceof AccumulateGrad || anomalyMode.enabled) return null;
    const pending = target._pending;
    if (pending === null || pending.dtype !== 'float32' || pending.numel() !== length || !pending.isContiguous()) return null;
    const owned = target._pendingOwned;
    target._pending = null;
    target._pendingOwned = false;
    return { data: pending.data as Float32Array, owned };
  }

  /**
   * Whether the closure may write its input's gradient over the gradient it was given (the same
   * length, elementwise) and return that buffer: true only while the engine applies this node,
   * when nothing but the engine holds the gradient (`_pendingOwned`), no `retainGrad()` will
   * adopt it as the output's `.grad`, and not in anomaly mode (which checks every returned
   * gradient). NOTE [ Gradients written in place ] in docs/PERFORMANCE.md.
   */
  ownsGrad(): boolean {
    return this._applyingOwned;
  }

  /** Whether input `i` needs a gradient (saves computing unused ones). */
  needsGrad(i: number): boolean {
    return this.next[i] !== null;
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

/** PyTorch's error for a saved tensor that an in-place op modified after it was saved. */
function modifiedError(t: Tensor, expected: number): AutogradError {
  const type = t.dtype === 'float32' ? 'FloatTensor' : t.dtype === 'int32' ? 'IntTensor' : t.dtype === 'bool' ? 'BoolTensor' : 'ByteTensor';
  const producer = t.gradFn === null ? '' : `, which is output 0 of ${t.gradFn.name},`;
  return new AutogradError(
    `one of the variables needed for gradient computation has been modified by an inplace operation: [torch.${type} [${t.shape.join(', ')}]]${producer} is at version ${t._version}; expected version ${expected} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).`,
  );
}

/** The node that accumulates a leaf's gradient into its `.grad` (PyTorch's `AccumulateGrad`). */
export class AccumulateGrad extends Node {
  readonly variable: Tensor;
  /** `Tensor.registerPostAccumulateGradHook`'s hooks, by handle id, in registration order. */
  postHooks: Map<number, (tensor: Tensor) => void> | null = null;
  /** @internal The backward pass in which an op wrote the gradient through `gradBuffer`. */
  _writtenPass = 0;
  /** A dropped, never-exposed gradient buffer of the leaf for the next backward (see `recycle`). */
  private recycled: Float32Array | null = null;

  constructor(variable: Tensor) {
    super('AccumulateGrad', [], () => [], NO_TENSORS);
    this.variable = variable;
  }

  /**
   * Keeps the buffer of a `.grad` that `zeroGrad()` dropped and that nothing outside kindling
   * ever saw, for the next backward to write into (NOTE [ Gradient buffers of leaves ]).
   */
  recycle(buffer: Float32Array): void {
    this.recycled = buffer;
  }

  /** Runs the post-accumulate-grad hooks: the leaf's `.grad` holds this pass's gradient. */
  runPostHooks(): void {
    if (this.postHooks === null) return;
    for (const hook of [...this.postHooks.values()]) hook(this.variable);
  }

  /**
   * What `Node.gradBuffer` offers for this leaf: its plain float32 `.grad` of `length` elements (add into it,
   * `beta = 1`), or, when it has none, the recycled buffer of that size, which becomes a fresh
   * `.grad` tensor (`beta = 0`); null otherwise.
   */
  leafBuffer(length: number): GradBuffer | null {
    const variable = this.variable;
    const grad = variable._peekGrad();
    if (grad === null) {
      const buffer = this.recycled;
      if (buffer === null || buffer.length !== length) return null;
      this.recycled = null;
      variable._setOwnGrad(Tensor._make(buffer, variable.shape, 'float32'));
      return { data: buffer, beta: 0 };
    }
    if (grad.requiresGrad || grad.dtype !== 'float32' || grad.data.length !== length || !grad.isContiguous()) return null;
    return { data: grad.data as Float32Array, beta: 1 };
  }
}
