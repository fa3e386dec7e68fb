import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose } from '../helpers/close';
import { expectGradcheck } from '../helpers/gradcheck';

const A = [
  [0.5, -1.0, 2.0],
  [1.5, 0.25, -0.75],
];
const leaf = (v: torch.NestedArray): torch.Tensor => torch.tensor(v, { dtype: torch.float32, requiresGrad: true });

describe('sum/mean', () => {
  const a = torch.tensor(A);
  it('forward over all, one dim, several dims, keepdim (PyTorch values)', () => {
    expect(a.sum().shape).toEqual([]);
    expectClose(a.sum(), 2.5);
    expectClose(a.sum(1), [1.5, 1.0]);
    expectClose(a.mean(0), [1.0, -0.375, 0.625]);
    expect(a.sum(1, true).shape).toEqual([2, 1]);
    const x3 = torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);
    // x3.sum((0,2)) -> [60, 92, 124]; x3.mean((1,2)) -> [5.5, 17.5]
    expectClose(x3.sum([0, 2]), [60, 92, 124]);
    expect(x3.sum([0, 2], true).shape).toEqual([1, 3, 1]);
    expectClose(x3.mean([1, 2]), [5.5, 17.5]);
    expectClose(x3.sum(-1), x3.sum(2).tolist());
  });

  it('integer sums are int64 as PyTorch; integer mean is refused like PyTorch', () => {
    expect(torch.tensor([1n, 2n, 3n]).sum().dtype).toBe('int64');
    expect(torch.tensor([1n, 2n, 3n]).sum().item()).toBe(6);
    expect(torch.tensor([true, true, false]).sum().item()).toBe(2);
    expect(() => torch.tensor([1n, 2n]).mean()).toThrow(
      'mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long',
    );
  });

  it('validates dims', () => {
    expect(() => a.sum(2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => a.sum([0, 0])).toThrow('sum: dim 0 appears multiple times in the list of dims');
  });

  it('backward (gradcheck) and names', () => {
    expectGradcheck((x) => x.sum(), [leaf(A)]);
    expectGradcheck((x) => x.sum(1, true), [leaf(A)]);
    expectGradcheck((x) => x.mean(0), [leaf(A)]);
    expectGradcheck((x) => x.mean(), [leaf(A)]);
    expectGradcheck((x) => x.reshape(1, 2, 3).sum([0, 2]), [leaf(A)]);
    const x = leaf(A);
    expect([x.sum().gradFn?.name, x.sum(0).gradFn?.name, x.mean().gradFn?.name, x.mean(1).gradFn?.name]).toEqual([
      'SumBackward0',
      'SumBackward1',
      'MeanBackward0',
      'MeanBackward1',
    ]);
  });
});

describe('max/min/argmax/argmin', () => {
  const a = torch.tensor(A);
  it('all → 0-d tensor; dim → { values, indices } (PyTorch values)', () => {
    expect(a.max().item()).toBe(2);
    expect(a.min().item()).toBe(-1);
    // a.max(1) -> values [2, 1.5], indices [2, 0]; a.min(0) -> values [0.5, -1, -0.75], indices [0, 0, 1]
    const mx = a.max(1);
    expect(mx.values.tolist()).toEqual([2, 1.5]);
    expect(mx.indices.tolist()).toEqual([2, 0]);
    expect(mx.indices.dtype).toBe('int64');
    const mn = a.min(0, true);
    expect(mn.values.shape).toEqual([1, 3]);
    expect(mn.values.tolist()).toEqual([[0.5, -1, -0.75]]);
    expect(mn.indices.tolist()).toEqual([[0, 0, 1]]);
    expect(a.argmax().item()).toBe(2);
    expect(a.argmin(1).tolist()).toEqual([1, 2]);
    expect(a.argmax(1, true).shape).toEqual([2, 1]);
    expect(torch.tensor([3n, 1n, 3n]).argmax().item()).toBe(0); // first on ties
    expect(torch.tensor([3n, 9n, 3n]).max().dtype).toBe('int64');
  });

  it('errors for empty tensors', () => {
    expect(() => torch.zeros(0).max()).toThrow(
      "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    );
  });

  it('backward: dim form scatters to the argmax; full form splits ties evenly (PyTorch)', () => {
    expectGradcheck((x) => x.max(1).values, [leaf(A)]);
    expectGradcheck((x) => x.min(0, true).values, [leaf(A)]);
    expectGradcheck((x) => x.max(), [leaf(A)]);
    // torch.tensor([1., 3., 3.], requires_grad=True).max().backward() -> grad [0, 0.5, 0.5]
    const t = leaf([1, 3, 3]);
    t.max().backward();
    expect(t.grad?.tolist()).toEqual([0, 0.5, 0.5]);
    const x = leaf(A);
    expect([x.max().gradFn?.name, x.max(0).values.gradFn?.name, x.min().gradFn?.name, x.min(1).values.gradFn?.name]).toEqual([
      'MaxBackward1',
      'MaxBackward0',
      'MinBackward1',
      'MinBackward0',
    ]);
    expect(x.max(0).indices.requiresGrad).toBe(false);
  });
});

describe('0-d reductions', () => {
  it('sum/mean of a 0-d tensor over dim 0 is a copy', () => {
    const s = torch.tensor(2.5);
    expect(s.sum(0).item()).toBe(2.5);
    expect(s.sum(0).data).not.toBe(s.data);
    expect(s.mean(-1).shape).toEqual([]);
  });
});
