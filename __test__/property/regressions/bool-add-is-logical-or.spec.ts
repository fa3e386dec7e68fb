/**
 * Regression (found by the elementwise dtype property): `torch.add` of two bool tensors returned
 * int32 sums ([2, 1, 1]) where PyTorch returns bool, the logical or ([True, True, True]).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';

describe('add of two bool tensors', () => {
  it('is bool, the logical or, as PyTorch', () => {
    const a = torch.tensor([true, false, true, false]);
    const b = torch.tensor([true, true, false, false]);
    const out = torch.add(a, b);
    expect(out.dtype).toBe('bool');
    expect(Array.from(out.data)).toEqual([1, 1, 1, 0]);
  });

  it('broadcasts and stays bool; bool + int tensor is still int32', () => {
    const out = torch.add(torch.tensor([[true], [false]]), torch.tensor([true, false]));
    expect(out.dtype).toBe('bool');
    expect(out.shape).toEqual([2, 2]);
    expect(Array.from(out.data)).toEqual([1, 1, 1, 0]);
    expect(torch.add(torch.tensor([true]), torch.tensor([2], { dtype: 'int32' })).dtype).toBe('int32');
  });
});
