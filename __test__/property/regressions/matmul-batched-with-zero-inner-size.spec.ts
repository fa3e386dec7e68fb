/**
 * Regression (found by the matmul property): a batched left operand with inner size k = 0 times a
 * 1-D or 2-D right operand folded its rows with reshape([-1, 0]), which cannot infer -1, and threw
 * `shape '[-1, 0]' is invalid for input of size 0`. PyTorch returns zeros of shape (…, m, n).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';

describe('matmul with a batched operand and inner size 0', () => {
  it('(0, 0, 0)·(0) is an empty (0, 0) tensor, as PyTorch', () => {
    const out = torch.matmul(torch.zeros([0, 0, 0]), torch.zeros([0]));
    expect(out.shape).toEqual([0, 0]);
  });

  it('(2, 3, 0)·(0, 4) is zeros of shape (2, 3, 4), as PyTorch', () => {
    const out = torch.matmul(torch.ones([2, 3, 0]), torch.ones([0, 4]));
    expect(out.shape).toEqual([2, 3, 4]);
    expect(Array.from(out.data)).toEqual(new Array(24).fill(0));
  });

  it('(2, 3, 0)·(2, 0, 4) (the bmm path) is zeros of shape (2, 3, 4)', () => {
    const out = torch.matmul(torch.ones([2, 3, 0]), torch.ones([2, 0, 4]));
    expect(out.shape).toEqual([2, 3, 4]);
    expect(Array.from(out.data)).toEqual(new Array(24).fill(0));
  });
});
