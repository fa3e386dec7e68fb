import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.cos(3 * i))).reshape(shape).detach().requiresGrad_();
};
const joined = (parts: torch.Tensor[]): torch.Tensor => torch.cat(parts.map((p, i) => p.mul(i + 1).flatten()));

describe('split / chunk / unbind', () => {
  it('pieces are views of the storage: a write through one changes the input and its version', () => {
    const x = torch.arange(10, { dtype: torch.float32 }).reshape(5, 2);
    const [a, b, c] = x.split(2);
    expect([a.shape, b.shape, c.shape]).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect([b.storage === x.storage, b.storageOffset(), c.storageOffset()]).toEqual([true, 4, 8]);
    const v0 = x._version;
    b.fill_(-1);
    expect((x.tolist() as number[][])[2]).toEqual([-1, -1]);
    expect(x._version).toBe(v0 + 1);
    const cols = x.unbind(1);
    expect([cols[1].shape, cols[1].stride(), cols[1].tolist()]).toEqual([[5], [2], [1, 3, -1, -1, 9]]);
    expect(torch.chunk(x.t(), 2, 1).map((p) => p.tolist())).toEqual([[[0, 2, -1], [1, 3, -1]], [[-1, 8], [-1, 9]]]);
    expect(torch.split(x, [1, 4]).map((p) => p.shape)).toEqual([[1, 2], [4, 2]]);
    expect(torch.unbind(x)[4].tolist()).toEqual([8, 9]);
  });

  it('a piece saved for backward and then modified is detected (shared version counter)', () => {
    const x = leaf([4]);
    const [a] = x.detach().split(2);
    const y = leaf([2]).mul(a);
    a.add_(1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it('gradcheck: every piece contributes (SplitBackward0, SplitWithSizesBackward0, UnbindBackward0)', () => {
    expectGradcheck((x) => joined(x.split(2, 1)), [leaf([2, 5])]);
    expectGradcheck((x) => joined(x.split([3, 0, 2], -1)), [leaf([2, 5])]);
    expectGradcheck((x) => joined(x.chunk(3)), [leaf([7, 2])]);
    expectGradcheck((x) => joined(x.t().unbind(0)), [leaf([3, 2])]);
    const x = leaf([4, 2]);
    expect([x.split(2)[0].gradFn?.name, x.split([1, 3])[1].gradFn?.name, x.unbind()[0].gradFn?.name, x.chunk(2)[0].gradFn?.name]).toEqual([
      'SplitBackward0',
      'SplitWithSizesBackward0',
      'UnbindBackward0',
      'SplitBackward0',
    ]);
    // Only some pieces used: the others contribute nothing.
    const [first] = x.split(3);
    first.sum().backward();
    expect(x.grad?.tolist()).toEqual([[1, 1], [1, 1], [1, 1], [0, 0]]);
  });

  it('argument errors name the op', () => {
    expect(() => leaf([4]).split(1.5)).toThrow(new TypeError("split(): argument 'split_size' must be an integer, but got 1.5"));
    expect(() => leaf([4]).chunk(2.5)).toThrow(new TypeError("chunk(): argument 'chunks' must be an integer, but got 2.5"));
    expect(torch.zeros(0).chunk(3).map((p) => p.shape)).toEqual([[0], [0], [0]]);
  });
});
