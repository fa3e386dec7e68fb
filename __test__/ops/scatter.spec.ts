import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.cos(i + 2))).reshape(shape).detach().requiresGrad_();
};
const long = (v: number[][] | number[][][]): torch.Tensor => torch.tensor(v as number[][], { dtype: torch.int64 });

describe('gather', () => {
  it('reads along dim with the other coordinates its own, through any layout', () => {
    const x = torch.arange(12, { dtype: torch.float32 }).reshape(3, 4);
    expect(x.gather(1, long([[3, 0], [1, 1], [0, 2]])).tolist()).toEqual([[3, 0], [5, 5], [8, 10]]);
    expect(x.t().gather(0, long([[2, 0, 1]])).tolist()).toEqual([[2, 4, 9]]);
    expect(torch.gather(torch.arange(6n).reshape(2, 3), -1, torch.tensor([[2, 2]], { dtype: torch.int32 })).tolist()).toEqual([[2, 2]]);
  });

  it('gradcheck (GatherBackward0: duplicates accumulate)', () => {
    expectGradcheck((x) => x.gather(1, long([[0, 0, 2], [1, 1, 1]])), [leaf([2, 3])]);
    expectGradcheck((x) => x.gather(-3, long([[[1]], [[1]], [[0]]])), [leaf([2, 2, 3])]);
  });
});

describe('scatter and scatterAdd', () => {
  it('scatter writes src (or a value), reduce adds or multiplies; other dtypes exact', () => {
    const z = torch.zeros(2, 4);
    expect(z.scatter(1, long([[3, 0]]), torch.tensor([[5, 6]])).tolist()).toEqual([[6, 0, 0, 5], [0, 0, 0, 0]]);
    expect(z.scatter(1, long([[3, 3]]), 2.5, { reduce: 'add' }).tolist()).toEqual([[0, 0, 0, 5], [0, 0, 0, 0]]);
    expect(torch.ones(2, 2).scatter(0, long([[1, 1]]), 3, { reduce: 'multiply' }).tolist()).toEqual([[1, 1], [3, 3]]);
    const i32 = torch.tensor([2147483647, 1], { dtype: torch.int32 });
    expect(i32.scatterAdd(0, torch.tensor([0n]), torch.tensor([1], { dtype: torch.int32 })).tolist()).toEqual([-2147483648, 1]);
    expect(torch.zeros([3], { dtype: torch.int64 }).scatter(0, torch.tensor([1n]), 7.9).tolist()).toEqual([0, 7, 0]);
    expect(z.tolist()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]); // out of place
  });

  it('gradcheck: scatter (both inputs), scatter of a value, scatterAdd with duplicates', () => {
    const idx = long([[2, 0], [1, 2]]);
    expectGradcheck((x, s) => x.scatter(1, idx, s), [leaf([2, 3]), leaf([2, 2])]);
    expectGradcheck((x) => torch.scatter(x, 0, long([[1, 0, 1]]), -1), [leaf([2, 3])]);
    expectGradcheck((x, s) => x.scatterAdd(0, long([[1, 1, 0], [1, 0, 0], [1, 1, 1]]), s), [leaf([2, 3]), leaf([3, 3])]);
    const x = leaf([2, 3]);
    expect(x.scatter(1, idx, leaf([2, 2])).gradFn?.name).toBe('ScatterBackward0');
    expect(x.scatter(1, idx, 0).gradFn?.name).toBe('ScatterBackward1');
    expect(x.scatterAdd(1, idx, leaf([2, 2])).gradFn?.name).toBe('ScatterAddBackward0');
    expect(x.scatter(1, idx, 0, { reduce: 'add' }).gradFn?.name).toBe('NotImplemented');
  });

  it("src larger than index: src's gradient is zero where it was not read (PyTorch refuses this backward)", () => {
    const s = leaf([2, 3]);
    torch.zeros(2, 3).scatter(1, long([[2, 0]]), s).sum().backward();
    expect(s.grad?.tolist()).toEqual([[1, 1, 0], [0, 0, 0]]);
  });

  it('scatter_ / scatterAdd_ write in place through a view, bump the version and refuse a leaf that requires grad', () => {
    const base = torch.zeros(3, 2);
    const view = base.t();
    const v0 = base._version;
    view.scatter_(1, long([[2], [0]]), 4);
    view.scatterAdd_(1, long([[2, 2]]), torch.ones(1, 2));
    expect(base.tolist()).toEqual([[0, 4], [0, 0], [6, 0]]);
    expect(base._version).toBe(v0 + 2);
    expect(() => leaf([2]).scatter_(0, torch.tensor([0n]), 1)).toThrow(/a leaf Variable that requires grad/);
    expect(() => torch.zeros(2).scatter(0, torch.tensor([0n]), 1, { reduction: 'add' } as never)).toThrow(new TypeError("scatter got an unexpected option 'reduction'"));
  });
});
