import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1))).reshape(shape).detach().requiresGrad_();
};
const long = (v: number[]): torch.Tensor => torch.tensor(v, { dtype: torch.int64 });

describe('indexSelect', () => {
  it('picks slices of any dim, for every dtype and layout', () => {
    const x = torch.arange(12, { dtype: torch.float32 }).reshape(3, 4);
    expect(x.indexSelect(1, long([3, 0, 3])).tolist()).toEqual([[3, 0, 3], [7, 4, 7], [11, 8, 11]]);
    expect(torch.indexSelect(x.t(), 0, torch.tensor([1, 1], { dtype: torch.int32 })).tolist()).toEqual([[1, 5, 9], [1, 5, 9]]);
    const i = torch.arange(6n).reshape(2, 3);
    expect(i.indexSelect(-1, long([2, 0])).tolist()).toEqual([[2, 0], [5, 3]]);
    expect(i.indexSelect(-1, long([2, 0])).dtype).toBe('int64');
    const b = torch.tensor([[true, false], [false, true]]);
    expect(b.indexSelect(0, long([1])).tolist()).toEqual([[false, true]]);
    expect(torch.tensor(5).indexSelect(0, long([0])).shape).toEqual([]);
    expect(x.indexSelect(0, long([])).shape).toEqual([0, 4]);
  });

  it('gradcheck, duplicate indices accumulating (IndexSelectBackward0)', () => {
    expectGradcheck((x) => x.indexSelect(1, long([2, 0, 2, 2])), [leaf([2, 3, 2])]);
    expectGradcheck((x) => x.indexSelect(0, long([1, 1])), [leaf([3, 2])]);
    expectGradcheck((x) => x.t().indexSelect(1, long([0, 2])), [leaf([3, 2])]);
    expect(leaf([3]).indexSelect(0, long([0])).gradFn?.name).toBe('IndexSelectBackward0');
  });

  it("backward adds into an existing .grad (the leaf's buffer) and refuses a modified index", () => {
    const x = leaf([4, 2]);
    const idx = long([3, 3, 0]);
    x.indexSelect(0, idx).sum().backward();
    x.indexSelect(0, idx).sum().backward();
    expect(x.grad?.tolist()).toEqual([[2, 2], [0, 0], [0, 0], [4, 4]]);
    const y = x.indexSelect(0, idx);
    idx.add_(0);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });
});

describe('take', () => {
  it('reads the flattened tensor (negative indices from the end) in the index shape', () => {
    const x = torch.arange(12, { dtype: torch.float32 }).reshape(3, 4).t();
    expect(x.take(long([0, 1, -1])).tolist()).toEqual([0, 4, 11]);
    expect(torch.take(torch.arange(4n), torch.tensor([[3n], [0n]])).tolist()).toEqual([[3], [0]]);
  });

  it('gradcheck with duplicates (TakeBackward0)', () => {
    expectGradcheck((x) => x.take(torch.tensor([[0n, 5n, -1n], [5n, 5n, 2n]])), [leaf([2, 3])]);
    expect(leaf([2]).take(long([1])).gradFn?.name).toBe('TakeBackward0');
  });
});
