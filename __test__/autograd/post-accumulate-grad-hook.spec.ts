/**
 * Tensor.registerPostAccumulateGradHook: runs once per backward pass per leaf that received a
 * gradient, right after the gradient is in `.grad` (also when an op wrote it in place through
 * the gradBuffer fast path), while backward is still running for earlier layers.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { AutogradError, nn } from '../../src';

/** The gradient as kindling's optimizers read it (`_peekGrad`), so the buffer-reuse paths stay on. */
const gradOf = (t: torch.Tensor) => Array.from((t._peekGrad() as torch.Tensor).data as Float32Array);

describe('registerPostAccumulateGradHook', () => {
  it('runs once per pass with the final .grad, on every accumulation path', () => {
    torch.manualSeed(0);
    const model = new nn.Linear(3, 2);
    const x = torch.randn(4, 3);
    const seen: { name: string; grad: number[] }[] = [];
    for (const [name, p] of model.namedParameters()) {
      p.registerPostAccumulateGradHook((t) => {
        expect(t).toBe(p);
        seen.push({ name, grad: gradOf(t) });
      });
    }
    const step = () => model.call(x).sum().backward();
    step(); // first pass: fresh gradients adopted as .grad
    expect(seen.map((s) => s.name).sort()).toEqual(['bias', 'weight']);
    const first = gradOf(model.weight);
    for (const s of seen) expect(s.grad).toEqual(gradOf(s.name === 'weight' ? model.weight : (model.bias as torch.Tensor)));
    step(); // second pass without zeroGrad: linear adds into the existing .grad (gradBuffer, beta 1)
    expect(seen.length).toBe(4);
    expect(seen[2].grad.length + seen[3].grad.length).toBe(8);
    const doubled = first.map((v) => 2 * v);
    expect(seen.find((s, i) => i >= 2 && s.name === 'weight')?.grad).toEqual(doubled);
    model.zeroGrad(); // never exposed: the next pass reuses the buffer (gradBuffer, beta 0)
    step();
    expect(seen.length).toBe(6);
    expect(seen.find((s, i) => i >= 4 && s.name === 'weight')?.grad).toEqual(first);
  });

  it('runs while backward is still running: the last layer\'s hook before the first layer has a gradient', () => {
    torch.manualSeed(1);
    const l1 = new nn.Linear(3, 4);
    const l2 = new nn.Linear(4, 1);
    const order: string[] = [];
    l2.weight.registerPostAccumulateGradHook(() => {
      order.push('l2.weight');
      expect(l1.weight._peekGrad()).toBeNull();
    });
    l1.weight.registerPostAccumulateGradHook(() => order.push('l1.weight'));
    l2.call(l1.call(torch.randn(2, 3)).relu()).sum().backward();
    expect(order).toEqual(['l2.weight', 'l1.weight']);
  });

  it('a leaf used twice: one call, with the summed gradient; an unused leaf: none', () => {
    const w = torch.tensor([1, 2, 3], { requiresGrad: true });
    const unused = torch.tensor([1], { requiresGrad: true });
    const calls: number[][] = [];
    w.registerPostAccumulateGradHook((t) => calls.push(gradOf(t)));
    unused.registerPostAccumulateGradHook(() => calls.push([-1]));
    w.mul(w).add(w).sum().backward(); // d/dw (w² + w) = 2w + 1
    expect(calls).toEqual([[3, 5, 7]]);
  });

  it('remove() unregisters; errors as PyTorch', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    let n = 0;
    const handle = w.registerPostAccumulateGradHook(() => n++);
    w.sum().backward();
    handle.remove();
    handle.remove();
    w.sum().backward();
    expect(n).toBe(1);
    expect(() => torch.tensor([1]).registerPostAccumulateGradHook(() => {})).toThrow(new AutogradError("cannot register a hook on a tensor that doesn't require gradient"));
    expect(() => w.mul(2).registerPostAccumulateGradHook(() => {})).toThrow(new AutogradError('post accumulate grad hooks cannot be registered on non-leaf tensors'));
    expect(() => w.registerPostAccumulateGradHook(3 as never)).toThrow(TypeError);
  });

  it('an error in a hook propagates out of backward', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    w.registerPostAccumulateGradHook(() => {
      throw new Error('hook failed');
    });
    expect(() => w.sum().backward()).toThrow('hook failed');
  });
});
