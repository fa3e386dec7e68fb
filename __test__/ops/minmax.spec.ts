import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

describe('maximum / minimum / clamp', () => {
  it('forward with broadcasting and integer dtypes', () => {
    expect(torch.maximum(torch.tensor([1, 5, 3]), torch.tensor([2, 2, 2])).tolist()).toEqual([2, 5, 3]);
    expect(torch.minimum(torch.tensor([[1.5], [3.5]]), torch.tensor([2, 3], { dtype: torch.float32 })).tolist()).toEqual([
      [1.5, 1.5],
      [2, 3],
    ]);
    // torch.clamp(torch.tensor([1,5,9]), 2, 6) -> [2, 5, 6]
    expect(torch.clamp(torch.tensor([1, 5, 9]), 2, 6).tolist()).toEqual([2, 5, 6]);
    expect(torch.tensor([1, 2, 3], { dtype: torch.float32 }).clamp(null, 2).tolist()).toEqual([1, 2, 2]);
    expect(() => torch.tensor([1]).clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
  });

  it('backward matches PyTorch: ties split evenly, clamp passes the gradient strictly inside its bounds', () => {
    // a=[1,2,3], b=[3,2,1]: maximum(a,b).sum().backward() -> a.grad [0, .5, 1], b.grad [1, .5, 0]
    const a = torch.tensor([1, 2, 3], { dtype: torch.float32, requiresGrad: true });
    const b = torch.tensor([3, 2, 1], { dtype: torch.float32, requiresGrad: true });
    const m = torch.maximum(a, b);
    expect(m.gradFn?.name).toBe('MaximumBackward0');
    m.sum().backward();
    expect(a.grad?.tolist()).toEqual([0, 0.5, 1]);
    expect(b.grad?.tolist()).toEqual([1, 0.5, 0]);
    // a.clamp(1.5, 2.5).sum().backward() -> [0, 1, 0]
    a.grad = null;
    const c = a.clamp(1.5, 2.5);
    expect(c.gradFn?.name).toBe('ClampBackward1');
    c.sum().backward();
    expect(a.grad?.tolist()).toEqual([0, 1, 0]);
    const x = torch.tensor([[0.5, -1.2, 2.0], [1.1, 0.3, -0.7]], { requiresGrad: true });
    const y = torch.tensor([0.2, -0.4, 1.2], { requiresGrad: true });
    expectGradcheck((p, q) => torch.maximum(p, q), [x, y]);
    expectGradcheck((p, q) => torch.minimum(p, q), [x, y]);
    expectGradcheck((p) => p.clamp(-0.5, 1.0), [x]);
  });
});
