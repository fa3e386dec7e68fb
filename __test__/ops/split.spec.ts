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

  it('a piece that is one contiguous run of a non-leaf starts the sum as a copy: zeros elsewhere, later pieces add', () => {
    // Leading-dimension pieces (runs) above the native strided-add threshold, overlapping.
    const x = torch.arange(40 * 300, { dtype: torch.float32 }).reshape(40, 300).requiresGrad_();
    const y = x.mul(1);
    y.narrow(0, 10, 20).mul(3).sum().add(y.narrow(0, 25, 10).sum()).backward();
    const g = x.grad?.tolist() as number[][];
    const row = (i: number) => (i >= 10 && i < 30 ? 3 : 0) + (i >= 25 && i < 35 ? 1 : 0);
    expect(g.map((r) => new Set(r).size)).toEqual(Array.from({ length: 40 }, () => 1));
    expect(g.map((r) => r[0])).toEqual(Array.from({ length: 40 }, (_, i) => row(i)));
  });

  it("a non-leaf's pieces add their gradients into one buffer the engine sums in (Node.gradAccumulator)", () => {
    // Through a non-leaf, alone and beside other consumers of the input, in every order.
    expectGradcheck((x) => joined(x.mul(2).split(2, 1)), [leaf([2, 5])]);
    expectGradcheck((x) => {
      const y = x.mul(2);
      return torch.cat([joined(y.split([1, 3], 0)), y.exp().flatten(), joined(y.chunk(2, 1))]);
    }, [leaf([4, 3])]);
    // AddBackward0 hands one gradient tensor to both inputs: the pieces must not add into it.
    const x = leaf([4]);
    const y = x.mul(1);
    const z = torch.cat(y.split(2)).add(y);
    const upstream = torch.tensor([1, 2, 3, 4]);
    z.backward(upstream);
    expect([x.grad?.tolist(), upstream.tolist()]).toEqual([[2, 4, 6, 8], [1, 2, 3, 4]]);
    // Pieces above the native threshold (stridedAdd) land where the JS loop puts them.
    const big = torch.arange(64 * 96, { dtype: torch.float32 }).reshape(64, 96).requiresGrad_();
    const pieces = big.mul(1).split(32, 1);
    torch.cat(pieces.map((p, i) => p.mul(i + 1).flatten())).sum().backward();
    const expected = Array.from({ length: 64 }, () => Array.from({ length: 96 }, (_, j) => Math.floor(j / 32) + 1));
    expect(big.grad?.tolist()).toEqual(expected);
    // Only some pieces used; and the same with anomaly mode on (every returned gradient checked).
    for (const anomaly of [false, true]) {
      torch.setDetectAnomaly(anomaly);
      try {
        const w = leaf([4, 2]);
        const [first, , third] = w.mul(3).split(1);
        first.sum().add(third.mul(2).sum()).backward();
        expect(w.grad?.tolist()).toEqual([[3, 3], [0, 0], [6, 6], [0, 0]]);
      } finally {
        torch.setDetectAnomaly(false);
      }
    }
  });

  it('argument errors name the op', () => {
    expect(() => leaf([4]).split(1.5)).toThrow(new TypeError("split(): argument 'split_size' must be an integer, but got 1.5"));
    expect(() => leaf([4]).chunk(2.5)).toThrow(new TypeError("chunk(): argument 'chunks' must be an integer, but got 2.5"));
    expect(torch.zeros(0).chunk(3).map((p) => p.shape)).toEqual([[0], [0], [0]]);
  });
});
