import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

describe('cat / stack', () => {
  const a = torch.tensor([[1, 2], [3, 4]]);
  const b = torch.tensor([[5, 6]]);
  it('cat joins along an existing dim (PyTorch: torch.cat)', () => {
    expect(torch.cat([a, b]).tolist()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(torch.cat([a, a], 1).tolist()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    expect(torch.cat([a, torch.tensor([[0.5, 0.5]])]).dtype).toBe('float32');
    expect(() => torch.cat([a, b], 1)).toThrow(
      'Sizes of tensors must match except in dimension 1. Expected size 2 but got size 1 for tensor number 1 in the list.',
    );
    expect(() => torch.cat([])).toThrow('cat(): expected a non-empty list of Tensors');
  });
  it('stack joins along a new dim', () => {
    expect(torch.stack([a, a]).shape).toEqual([2, 2, 2]);
    expect(torch.stack([a, a], 2).tolist()).toEqual([[[1, 1], [2, 2]], [[3, 3], [4, 4]]]);
    expect(torch.stack([torch.tensor(1), torch.tensor(2)]).tolist()).toEqual([1, 2]);
    expect(() => torch.stack([a, b])).toThrow('stack expects each tensor to be equal size, but got [2, 2] at entry 0 and [1, 2] at entry 1');
  });
  it('backward (gradcheck) and names', () => {
    const x = torch.tensor([[0.5, -1], [2, 3]], { requiresGrad: true });
    const y = torch.tensor([[0.25, 4]], { requiresGrad: true });
    expectGradcheck((p, q) => torch.cat([p, q, p], 0), [x, y]);
    expectGradcheck((p, q) => torch.stack([p, q.expand(2, 2)], 1), [x, y]);
    expect(torch.cat([x, y]).gradFn?.name).toBe('CatBackward0');
    expect(torch.stack([x, x]).gradFn?.name).toBe('StackBackward0');
  });
  // A function, so that TypeScript does not keep `.grad` narrowed to the null assigned before backward.
  const gradOf = (t: torch.Tensor): torch.Tensor | null => t.grad;
  it('backward with negative dims, views, a non-float input and inputs that do not require grad (#14)', () => {
    const x = torch.tensor([[0.5, -1, 2], [3, 1.5, -0.25]], { requiresGrad: true });
    const y = torch.tensor([[4], [-2]], { requiresGrad: true });
    expectGradcheck((p, q) => torch.cat([p.t().t(), q, p.index(':', '1:')], -1), [x, y]);
    expectGradcheck((p) => torch.stack([p, p.flip(0), p.t().t()], -1), [x]);
    expectGradcheck((p) => torch.stack(p.unbind(1), 0), [x]);
    const c = torch.cat([torch.tensor([[7]], { dtype: torch.int64 }), x.index(':', 0).unsqueeze(0).index(':', '0:1')], 1);
    expect(c.dtype).toBe('float32');
    x.grad = null;
    c.sum().backward();
    expect(gradOf(x)?.tolist()).toEqual([[1, 0, 0], [0, 0, 0]]);
    const detached = torch.zeros(2, 1);
    y.grad = null;
    torch.cat([detached, y], 1).mul(torch.tensor([[1, 2], [3, 4]])).sum().backward();
    expect(gradOf(y)?.tolist()).toEqual([[2], [4]]);
  });
});
