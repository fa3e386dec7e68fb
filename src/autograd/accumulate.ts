/**
 * How a leaf's gradient lands in its `.grad` (PyTorch's `AccumulateGrad`): the first gradient is
 * adopted as the `.grad` (copied when its buffer is already someone's), later ones are added in
 * place into the existing `.grad`, as PyTorch does outside `create_graph` (a retained non-leaf
 * gradient is replaced by the sum, as PyTorch's retain_grad hook does).
 *
 * NOTE [ Gradient buffers of leaves ]
 * The seed step's largest allocation is layer 1's weight gradient (64×784 floats, 200 kB): above
 * glibc's mmap threshold, and V8 frees an ArrayBuffer's memory only when a GC collects it, so
 * every step writes into fresh pages (measured in docs/PERFORMANCE.md, NOTE [ Gradient buffers of
 * leaves ]). What can be reused without changing what a user observes:
 *
 * - `zeroGrad({ setToNone: false })` keeps `.grad` and zeroes it. PyTorch then accumulates into
 *   that tensor in place (`variable_grad += new_grad` in accumulate_grad.h), so a user holding
 *   `p.grad` sees it change in PyTorch too. kindling does the same: `accumulateGrad` adds in
 *   place, and ops whose gradient for a leaf is a product (`linear`, `mm`, `addmm`, `bmm`:
 *   ops/matmul.ts `productGrad`) write it straight into the existing `.grad` with one sgemm
 *   (`beta = 1`) through the node's `gradBuffer` hook (autograd/node.ts), with no buffer at all.
 * - `zeroGrad()` (setToNone, the default) sets `.grad` to null, and the old tensor may still be
 *   held by the user (`const g = p.grad`), by a view of it (views share `data`), or through
 *   `g.data` alone; reusing its buffer is only faithful once nothing outside kindling can reach
 *   it. Garbage-collector signals cannot tell that in time: a FinalizationRegistry's callbacks
 *   run as separate tasks, so in a synchronous training loop (the seed's) none runs until the
 *   loop ends (checked: docs/PERFORMANCE.md), and a WeakRef that is
 *   dereferenced keeps its target alive until the current job ends, i.e. the whole loop.
 *   What can tell it is `.grad` itself: it is an accessor, and every read or write through it
 *   marks the current gradient as exposed. Backward sets a gradient it created without marking
 *   it (`_setOwnGrad`), kindling's optimizers read it with `_peekGrad` (they keep no reference
 *   past the step's overwrite), and `zeroGrad()` drops it with `_dropGrad`, which keeps the
 *   buffer on the parameter's AccumulateGrad node only if it was never exposed: then no code
 *   outside kindling ever had the tensor or its `data`. The next backward gets it through the
 *   node's `gradBuffer` hook (`beta = 0`) and
 *   wraps it in a NEW tensor object, so `.grad` is a fresh tensor exactly as with PyTorch's
 *   set_to_none. Any `.grad` access by user code (logging a norm, `clipGradNorm_`) simply turns
 *   the reuse off for that step. The gains are in docs/PERFORMANCE.md.
 */
import { kernels } from '../ops/kernels';
import { checkOptions, positionalOptionError } from '../options';
import { bumpVersion } from '../storage';
import { Tensor } from '../tensor';
import { JS_ADD_MAX_ELEMENTS } from '../tuning';

const ONE = new Float32Array([1]);

/** `dst += src` element-wise, in place (`dst` and `src` may be the same buffer). */
export function addInto(dst: Float32Array, src: Float32Array): void {
  const n = dst.length;
  if (n < JS_ADD_MAX_ELEMENTS || dst.buffer === src.buffer) {
    for (let i = 0; i < n; i++) dst[i] += src[i];
    return;
  }
  // C(1×n) = 1·[1]·src(1×n) + 1·C: an axpy through sgemm, whose output may not alias its inputs.
  kernels.sgemm(ONE, src, dst, null, { transA: false, transB: false, m: 1, n, k: 1, alpha: 1, beta: 1 });
}

/**
 * Accumulates `grad` into `variable.grad`: in place for a leaf (`AccumulateGrad`), out of place
 * for a non-leaf's retained gradient (`inPlace` false; PyTorch's retain_grad hook computes
 * `grad + new_grad`). Gradients that reach two places may share one buffer (AddBackward passes
 * its gradient to both inputs; views share data), and a `.grad` must own its buffer because
 * optimizers and `clipGradNorm_` modify it in place: the first `.grad` to take a buffer keeps it
 * (`taken`), later ones copy.
 */
export function accumulateGrad(variable: Tensor, grad: Tensor, taken: Set<unknown>, inPlace: boolean): void {
  const existing = variable._peekGrad();
  if (existing === null) {
    let owned = grad;
    if (taken.has(grad.data)) owned = Tensor._make((grad.data as Float32Array).slice(), variable.shape, 'float32');
    else if (grad.shape !== variable.shape) owned = Tensor._make(grad.data, variable.shape, 'float32');
    taken.add(owned.data);
    variable._setOwnGrad(owned);
  } else if (!inPlace || existing.requiresGrad || existing.dtype !== 'float32' || existing.data.length !== grad.data.length) {
    // A `.grad` that carries a graph is replaced, not mutated (PyTorch's create_graph branch).
    const out = (existing.data as Float32Array).slice();
    addInto(out, grad.data as Float32Array);
    variable._setOwnGrad(Tensor._make(out, existing.shape, 'float32'));
  } else {
    addInto(existing.data as Float32Array, grad.data as Float32Array);
  }
}

const ZERO_GRAD_OPTIONS = { setToNone: 'boolean' } as const;

/** `model.zeroGrad(false)` (PyTorch's positional `set_to_none`) gets the call that works. */
export function checkZeroGradOptions(receiver: 'module' | 'optimizer', options: unknown): void {
  if (options === undefined) return; // the per-step call: nothing to check
  if (typeof options === 'boolean') throw positionalOptionError('zeroGrad', 'first', `${receiver === 'module' ? 'model' : 'optimizer'}.zeroGrad({ setToNone: ${options} })`);
  checkOptions('zeroGrad', options, ZERO_GRAD_OPTIONS);
}

/**
 * PyTorch's `zero_grad` rule for one parameter, shared by `optimizer.zeroGrad()` and
 * `module.zeroGrad()`: drop the gradient (keeping its buffer for reuse when nobody saw it, see
 * the NOTE above) or zero it in place.
 */
export function zeroGradOf(p: Tensor, setToNone: boolean): void {
  let grad = p._peekGrad();
  if (grad === null) return;
  if (setToNone) {
    p._dropGrad(); // `.grad = null`, keeping the buffer for reuse if nobody can see it
    return;
  }
  // The gradient may itself carry a graph (create_graph): cut it loose before zeroing in place.
  if (grad.gradFn !== null) {
    grad = grad.detach();
    p.grad = grad;
  }
  grad.requiresGrad = false;
  (grad.data as Float32Array).fill(0);
  bumpVersion(grad);
}
