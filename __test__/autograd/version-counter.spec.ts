/**
 * Version counters (PyTorch's `_version`): every in-place write bumps the storage's counter, each
 * tensor saved for backward records the version it was saved at, and backward through a saved
 * tensor modified since throws PyTorch's error instead of differentiating the new values.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn, optim } from '../../src';
import { MLP } from '../helpers/seed-mlp';

const HINT =
  'Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).';

function modified(what: string, version: number, expected: number): string {
  return `one of the variables needed for gradient computation has been modified by an inplace operation: ${what} is at version ${version}; expected version ${expected} instead. ${HINT}`;
}

describe('version counters', () => {
  it('every in-place op bumps the version, shared by views and detach()', () => {
    const x = torch.zeros(2, 3);
    expect(x._version).toBe(0);
    x.add_(1);
    x.mul_(2);
    x.zero_();
    x.fill_(3);
    x.copy_(torch.ones(2, 3));
    x.uniform_();
    x.normal_();
    expect(x._version).toBe(7);
    const v = x.t();
    const d = x.detach();
    d.add_(1);
    expect([x._version, v._version, d._version]).toEqual([8, 8, 8]);
    v.select(0, 1).fill_(0);
    expect(x._version).toBe(9);
    expect(x.clone()._version).toBe(0); // a copy has its own storage
  });

  it('nn.init functions, loadStateDict, zeroGrad(setToNone false) and clipGradNorm_ bump', () => {
    const layer = new nn.Linear(3, 2);
    const before = layer.weight._version;
    nn.init.kaimingUniform_(layer.weight, { a: Math.sqrt(5) });
    nn.init.zeros_(layer.bias as torch.Tensor);
    expect(layer.weight._version).toBe(before + 1);
    layer.loadStateDict(new nn.Linear(3, 2).stateDict());
    expect(layer.weight._version).toBe(before + 2);
    layer.forward(torch.ones(4, 3)).sum().backward();
    const grad = layer.weight.grad as torch.Tensor;
    nn.utils.clipGradNorm_(layer.parameters(), 1e-3);
    layer.zeroGrad({ setToNone: false });
    expect(grad._version).toBe(2);
  });

  it('the optimizers bump every parameter they update', () => {
    for (const make of [
      (p: torch.Tensor[]) => new optim.Adam(p),
      (p: torch.Tensor[]) => new optim.AdamW(p),
      (p: torch.Tensor[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }),
    ]) {
      const layer = new nn.Linear(3, 2);
      const opt = make(layer.parameters());
      const [w, b] = [layer.weight._version, (layer.bias as torch.Tensor)._version];
      for (let step = 1; step <= 2; step++) {
        opt.zeroGrad();
        layer.forward(torch.ones(4, 3)).sum().backward();
        opt.step();
        expect([layer.weight._version, (layer.bias as torch.Tensor)._version]).toEqual([w + step, b + step]);
      }
    }
  });

  it('modifying a saved input after the forward throws (y = w.mul(x).sum(); x.mul_(10); y.backward())', () => {
    const w = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const x = torch.tensor([3, 4], { dtype: torch.float32 });
    const y = w.mul(x).sum();
    x.mul_(10);
    expect(() => y.backward()).toThrow(new torch.AutogradError(modified('[torch.FloatTensor [2]]', 1, 0)));
    expect(w.grad).toBeNull();
  });

  it('modifying a leaf under noGrad after using it throws (y = w.mul(w); noGrad(w.add_(1)))', () => {
    const w = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const y = w.mul(w);
    torch.noGrad(() => w.add_(1));
    expect(() => y.backward(torch.ones(2))).toThrow(modified('[torch.FloatTensor [2]]', 1, 0));
  });

  it('modifying a leaf through detach() after using it throws (w.detach().add_(1))', () => {
    const w = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const y = w.mul(w);
    w.detach().add_(1);
    expect(() => y.backward(torch.ones(2))).toThrow(modified('[torch.FloatTensor [2]]', 1, 0));
  });

  it('an optimizer step between two backwards of one retained graph throws (loss1, opt.step(), loss2)', () => {
    torch.manualSeed(0);
    const model = new MLP();
    const opt = new optim.Adam(model.parameters());
    const out = model.forward(torch.randn(10, 1, 28, 28));
    const targets = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { dtype: torch.int32 });
    const loss1 = nn.functional.crossEntropy(out, targets);
    const loss2 = out.sum();
    loss1.backward(undefined, { retainGraph: true });
    opt.step();
    // The last layer's weight, saved by its node for dX: version 1 after its init, 2 after the step.
    expect(() => loss2.backward()).toThrow(modified('[torch.FloatTensor [10, 32]]', 2, 1));
  });

  it('names the producer of a modified non-leaf, as PyTorch does', () => {
    const w = torch.tensor([[1, 2], [3, 4], [5, 6]], { dtype: torch.float32, requiresGrad: true });
    const a = w.mul(2);
    const b = a.log();
    torch.noGrad(() => a.add_(1));
    expect(() => b.sum().backward()).toThrow(modified('[torch.FloatTensor [3, 2]], which is output 0 of MulBackward0,', 1, 0));
  });

  it('does not throw when the modified tensor was not saved (PyTorch saves what each gradient reads)', () => {
    const w = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const x = torch.tensor([3, 4], { dtype: torch.float32 });
    const y = w.add(x).exp().sum(); // AddBackward0 saves nothing, ExpBackward0 its result
    x.mul_(10);
    torch.noGrad(() => w.add_(1));
    y.backward();
    expect(w.grad?.tolist()).toEqual([Math.fround(Math.exp(4)), Math.fround(Math.exp(6))]);
  });

  it('keeps refusing in-place ops on leaves that require grad and on tensors of a recorded graph', () => {
    const w = torch.ones(2, { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(new torch.AutogradError('a leaf Variable that requires grad is being used in an in-place operation.'));
    expect(() => w.mul(2).add_(1)).toThrow(
      new torch.AutogradError(
        'add_: in-place operations on a tensor of a recorded graph are not supported (kindling does not differentiate in-place ops yet); use the out-of-place op or detach() first',
      ),
    );
    expect(w._version).toBe(0);
  });
});

describe('backward with a non-contiguous gradient', () => {
  it('uses the view’s values and never adopts the caller’s storage as a .grad', () => {
    const x = torch.zeros(2, 3, { requiresGrad: true });
    const g = torch.arange(6, { dtype: torch.float32 }).reshape(3, 2);
    x.backward(g.t()); // the root is the leaf: its .grad would be the seed itself
    expect(x.grad?.tolist()).toEqual([[0, 2, 4], [1, 3, 5]]);
    expect(x.grad?.storage).not.toBe(g.storage);
    g.fill_(7);
    expect(x.grad?.tolist()).toEqual([[0, 2, 4], [1, 3, 5]]);
  });
});
