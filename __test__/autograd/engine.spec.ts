import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { attach, SAVES_NOTHING } from '../../src/autograd/function';
import { AccumulateGrad, FREED_MESSAGE } from '../../src/autograd/node';
import { Tensor } from '../../src/tensor';

/** A test-only op that records a node whose backward hands `grad` unchanged to every input. */
function fanOut(inputs: Tensor[], savesTensors: boolean): Tensor {
  const out = Tensor._make(new Float32Array(inputs[0].data.length), inputs[0].shape, 'float32');
  return attach(out, 'TestBackward0', inputs, (g) => inputs.map(() => g), savesTensors ? inputs : SAVES_NOTHING);
}

describe('backward()', () => {
  it('throws PyTorch errors for tensors without a graph and for implicit non-scalar gradients', () => {
    expect(() => torch.zeros(1).backward()).toThrow('element 0 of tensors does not require grad and does not have a grad_fn');
    expect(() => torch.zeros(1).backward()).toThrow(torch.AutogradError);
    const x = torch.zeros(2, 3, { requiresGrad: true });
    expect(() => x.reshape(6).backward()).toThrow('grad can be implicitly created only for scalar outputs');
  });

  it('checks an explicit gradient shape', () => {
    const x = torch.zeros(2, { requiresGrad: true });
    expect(() => x.reshape(2, 1).backward(torch.ones(2))).toThrow(
      'Mismatch in shape: grad_output[0] has a shape of [2] and output[0] has a shape of [2, 1].',
    );
  });

  it('flows an explicit gradient through views into the leaf, copying the caller’s buffer', () => {
    const x = torch.zeros(2, 3, { requiresGrad: true });
    const y = x.reshape(6).unsqueeze(0);
    expect(y.gradFn?.name).toBe('UnsqueezeBackward0');
    expect(y.gradFn?.next[0]?.name).toBe('ViewBackward0');
    expect(y.gradFn?.next[0]?.next[0]).toBeInstanceOf(AccumulateGrad);
    const g = torch.tensor([[1, 2, 3, 4, 5, 6]], { dtype: torch.float32 });
    y.backward(g);
    expect(x.grad?.shape).toEqual([2, 3]);
    expect(x.grad?.tolist()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.grad?.data).not.toBe(g.data);
  });

  it('backward on a leaf seeds its own gradient', () => {
    const x = torch.tensor([3.5], { requiresGrad: true });
    x.backward();
    expect(x.grad?.tolist()).toEqual([1]);
  });

  it('never lets two .grad tensors share a buffer', () => {
    const a = torch.zeros(2, { requiresGrad: true });
    const b = torch.zeros(2, { requiresGrad: true });
    fanOut([a, b], false).backward(torch.ones(2));
    expect(a.grad?.tolist()).toEqual([1, 1]);
    expect(b.grad?.tolist()).toEqual([1, 1]);
    expect(a.grad?.data).not.toBe(b.grad?.data);
  });

  it('frees saved tensors after backward unless retainGraph', () => {
    const a = torch.zeros(2, { requiresGrad: true });
    const saving = fanOut([a], true);
    saving.backward(torch.ones(2), { retainGraph: true });
    saving.backward(torch.ones(2));
    expect(() => saving.backward(torch.ones(2))).toThrow(FREED_MESSAGE);
    expect(FREED_MESSAGE.startsWith('Trying to backward through the graph a second time')).toBe(true);
    // A node that saves nothing (like AddBackward0) can run again, as in PyTorch.
    const plain = fanOut([a], false);
    plain.backward(torch.ones(2));
    expect(() => plain.backward(torch.ones(2))).not.toThrow();
  });

  it('retainGrad keeps a non-leaf gradient', () => {
    const x = torch.zeros(2, { requiresGrad: true });
    const y = x.reshape(1, 2);
    y.retainGrad();
    expect(y.retainsGrad).toBe(true);
    const z = y.reshape(2);
    z.backward(torch.tensor([1.5, 2.5]));
    expect(y.grad?.tolist()).toEqual([[1.5, 2.5]]);
    expect(x.grad?.tolist()).toEqual([1.5, 2.5]);
    expect(y.grad?.data).not.toBe(x.grad?.data);
  });

  it('skips inputs that do not require grad', () => {
    const a = torch.zeros(2, { requiresGrad: true });
    const c = torch.zeros(2);
    const out = fanOut([a, c], false);
    expect(out.gradFn?.next[1]).toBeNull();
    out.backward(torch.ones(2));
    expect(c.grad).toBeNull();
  });

  it('walks very deep graphs without overflowing the stack', () => {
    const x = torch.zeros(4, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.reshape(i % 2 === 0 ? [2, 2] : [4]);
    y.backward(torch.ones(...y.shape));
    expect(x.grad?.tolist()).toEqual([1, 1, 1, 1]);
  });
});

describe('backward() graph walking', () => {
  it('sums gradients over a diamond (x used by two branches)', () => {
    const x = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const y = x.mul(3).add(x.mul(x)).sum(); // dy/dx = 3 + 2x
    y.backward();
    expect(x.grad?.tolist()).toEqual([5, 7]);
  });

  it('still runs nodes reached through a branch that produced no gradient', () => {
    const a = torch.zeros(2, { requiresGrad: true });
    const b = a.reshape(2);
    // A test node that declines to produce a gradient for its input.
    const silent = attach(Tensor._make(new Float32Array(2), [2], 'float32'), 'SilentBackward0', [b], () => [null], SAVES_NOTHING);
    const both = fanOut([silent, b], false);
    both.backward(torch.ones(2));
    expect(a.grad?.tolist()).toEqual([1, 1]);
  });

  it('accumulates into .grad across backward calls', () => {
    const x = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(2).sum().backward();
    expect(x.grad?.tolist()).toEqual([4, 4]);
  });
});

describe('gradients summed from several consumers', () => {
  it('adds a third and later contribution into the sum the engine made, never into a tensor another node holds', () => {
    const x = torch.tensor([1, 2, 3]).requiresGrad_(true);
    const a = x.mul(2);
    a.retainGrad();
    // add's backward hands the same gradient tensor to both of its inputs: a receives it twice,
    // then a·3's and a's own contributions, and split's three pieces send three full gradients.
    const [p, q, r] = a.split(1, 0);
    const b = a.add(a);
    const out = b.add(a.mul(3)).add(a).sum().add(p.sum().mul(10)).add(q.sum().mul(20)).add(r.sum().mul(30));
    out.backward();
    expect(a.grad?.tolist()).toEqual([2 + 3 + 1 + 10, 2 + 3 + 1 + 20, 2 + 3 + 1 + 30]);
    expect(x.grad?.tolist()).toEqual([32, 52, 72]);
  });

  it('gives the same gradients on a second pass over a retained graph', () => {
    const x = torch.tensor([0.5, -1]).requiresGrad_(true);
    const a = x.mul(x);
    const loss = a.add(a).add(a).add(a.mul(2)).sum();
    loss.backward(undefined, { retainGraph: true });
    const first = x.grad?.tolist();
    x.grad = null;
    loss.backward();
    expect(x.grad?.tolist()).toEqual(first);
    expect(first).toEqual([5 * 2 * 0.5, 5 * 2 * -1]);
  });
});
