import { describe, expect, it } from 'vitest';
import * as torch from '../../src';

describe('comparisons', () => {
  const a = torch.tensor([1, 2, 3]);
  it('give bool tensors, with scalars and broadcasting', () => {
    expect(a.eq(2).tolist()).toEqual([false, true, false]);
    expect(a.ne(2).tolist()).toEqual([true, false, true]);
    expect(a.gt(1).dtype).toBe('bool');
    expect(a.gt(1).tolist()).toEqual([false, true, true]);
    expect(a.lt(torch.tensor([[2], [4]])).tolist()).toEqual([
      [true, false, false],
      [true, true, true],
    ]);
    expect(a.ge(torch.tensor([1, 3, 3])).tolist()).toEqual([true, false, true]);
    expect(torch.le(a, 2).tolist()).toEqual([true, true, false]);
    expect(torch.tensor([NaN]).eq(torch.tensor([NaN])).tolist()).toEqual([false]);
  });
  it('never require grad', () => {
    const x = torch.tensor([1.5, 2], { requiresGrad: true });
    const m = x.gt(1.6);
    expect(m.requiresGrad).toBe(false);
    expect(m.gradFn).toBeNull();
  });
  it('argmax compared with targets counts correct predictions', () => {
    const logits = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    const correct = logits.argmax(1).eq(torch.tensor([1, 1, 1])).sum().item();
    expect(correct).toBe(2);
  });
  it('reports broadcasting failures', () => {
    expect(() => a.eq(torch.tensor([1, 2]))).toThrow('The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0');
  });
});
