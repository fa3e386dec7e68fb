import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(0.9 * i + 0.2))).reshape(shape).detach().requiresGrad_();
};
const grid = (): torch.Tensor => torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);
const long = (v: number[] | number[][]): torch.Tensor => torch.tensor(v as number[], { dtype: torch.int64 });

describe('index: basic items are views', () => {
  it("x[:, 1:3, None] is x.index(':', '1:3', null), or with torch.slice, sharing the storage", () => {
    const x = grid();
    const a = x.index(':', '1:3', null);
    const b = x.index(torch.slice(), torch.slice(1, 3), null);
    expect(a.shape).toEqual([2, 2, 1, 4]);
    expect(a.tolist()).toEqual(b.tolist());
    expect([a.storage === x.storage, a.storageOffset(), a.stride()]).toEqual([true, 4, [12, 4, 4, 1]]);
    const v0 = x._version;
    a.fill_(0);
    expect(x.index(0, 1).tolist()).toEqual([0, 0, 0, 0]);
    expect(x._version).toBe(v0 + 1);
  });

  it('ints, negative bounds, steps, ellipsis and new axes follow Python', () => {
    const x = grid();
    expect(x.index(-1, -1, -1).item()).toBe(23);
    expect(x.index('...', 0).tolist()).toEqual([[0, 4, 8], [12, 16, 20]]);
    expect(x.index(null, '...', null).shape).toEqual([1, 2, 3, 4, 1]);
    expect(x.index(1, '::2', ' 1 : : 2 ').tolist()).toEqual([[13, 15], [21, 23]]);
    expect(x.index(0, '-2:', ':100').shape).toEqual([2, 4]);
    expect(x.index(0, torch.slice(2)).shape).toEqual([2, 4]); // slice(stop), as Python's
    expect(x.index(0, torch.tensor(2n)).tolist()).toEqual([8, 9, 10, 11]); // a 0-d integer tensor is an int
    const alias = x.index('...');
    expect([alias === x, alias.storage === x.storage]).toEqual([false, true]);
  });

  it('records the view ops (SliceBackward0, SelectBackward0, UnsqueezeBackward0) and gradchecks', () => {
    const x = leaf([2, 3, 4]);
    expect(x.index(':', '1:').gradFn?.name).toBe('SliceBackward0');
    expect(x.index('...', 1).gradFn?.name).toBe('SelectBackward0');
    expect(x.index(':', null).gradFn?.name).toBe('UnsqueezeBackward0');
    expect(x.index('...').gradFn?.name).toBe('AliasBackward0');
    expectGradcheck((t) => t.index(1, '::2', null, '1:3'), [leaf([2, 3, 4])]);
  });
});

describe('index: advanced items copy', () => {
  it('integer tensors and arrays pick elements; adjacent ones stay in place, separated ones go first', () => {
    const x = grid();
    const picked = x.index(long([1, 1, 0]));
    expect(picked.shape).toEqual([3, 3, 4]);
    expect(picked.storage === x.storage).toBe(false);
    expect(x.index(':', [2, 0], [3, -1]).tolist()).toEqual([[11, 3], [23, 15]]);
    expect(x.index([1, 0], ':', [0, 3]).shape).toEqual([2, 3]);
    expect(x.index([1, 0], ':', [0, 3]).tolist()).toEqual([[12, 16, 20], [3, 7, 11]]);
    expect(x.index(':', long([[0], [2]]), long([1, 2])).shape).toEqual([2, 2, 2]);
    expect(x.index(1, ':', [3, 3]).tolist()).toEqual([[15, 15], [19, 19], [23, 23]]);
    expect(x.index(true).shape).toEqual([1, 2, 3, 4]);
    expect(x.index(':', false).shape).toEqual([2, 0, 3, 4]);
  });

  it('bool masks (tensors or arrays) cover as many dims as they have', () => {
    const x = grid();
    expect(x.index(x.gt(20)).tolist()).toEqual([21, 22, 23]);
    expect(x.index(1, ':', [true, false, false, true]).tolist()).toEqual([[12, 15], [16, 19], [20, 23]]);
    expect(x.index(torch.tensor([[true, false, true], [false, false, false]])).shape).toEqual([2, 4]);
  });

  it('the native row path and the strided path agree (contiguous vs transposed)', () => {
    const base = torch.randn(5, 6);
    const idx = long([4, 0, 4, 2]);
    const viaRows = base.index(idx);
    const viaTables = base.t().contiguous().t().index(idx);
    expect(viaRows.tolist()).toEqual(viaTables.tolist());
    expect(base.index(':', idx).tolist()).toEqual(base.t().index(idx).t().tolist());
  });

  it('gradcheck with repeated indices (IndexBackward0 accumulates), also straight into .grad', () => {
    expectGradcheck((t) => t.index(long([2, 0, 2])), [leaf([3, 2])]);
    expectGradcheck((t) => t.index(':', [1, 1], [0, 2]), [leaf([2, 3, 3])]);
    expectGradcheck((t) => t.t().index([0, 0, 1], '1:'), [leaf([3, 2])]);
    expectGradcheck((t) => t.index(t.detach().gt(0)), [leaf([2, 3])]);
    const w = leaf([4, 2]);
    w.index(long([3, 3])).sum().backward();
    w.index(long([3, 0])).sum().backward();
    expect(w.grad?.tolist()).toEqual([[1, 1], [0, 0], [0, 0], [3, 3]]);
    expect(w.index(long([0])).gradFn?.name).toBe('IndexBackward0');
  });

  it('item errors', () => {
    const x = grid();
    expect(() => x.index('1-3')).toThrow(new TypeError("index(): invalid index '1-3' (a string index is a Python slice like ':', '1:3', '::2', or '...')"));
    expect(() => x.index('...', '...')).toThrow(new RangeError("an index can only have a single ellipsis ('...')"));
    expect(() => x.index(0.5)).toThrow(new TypeError('index(): an integer index must be an integer, got 0.5'));
    expect(() => x.index([0.5])).toThrow(new TypeError('index(): an array index must hold integers or booleans only, got 0.5'));
    expect(() => x.index({} as never)).toThrow(TypeError);
  });
});

describe('assignment: setIndex_, indexPut_, indexPut', () => {
  it("setIndex_ is x[items] = value: a view's fill or copy, or a put with advanced items", () => {
    const x = torch.zeros(3, 4);
    x.setIndex_([':', '1:3'], torch.tensor([1, 2]));
    expect(x.tolist()).toEqual([[0, 1, 2, 0], [0, 1, 2, 0], [0, 1, 2, 0]]);
    x.setIndex_([[0, 2]], 5);
    x.setIndex_([1, [true, false, false, true]], torch.tensor([7, 8]));
    expect(x.tolist()).toEqual([[5, 5, 5, 5], [7, 1, 2, 8], [5, 5, 5, 5]]);
    const v0 = x._version;
    x.t().setIndex_([0, 1], -1);
    expect([x.index(1, 0).item(), x._version]).toEqual([-1, v0 + 1]);
    expect(() => leaf([2]).setIndex_([0], 1)).toThrow(/a leaf Variable that requires grad/);
  });

  it('indexPut_ writes or accumulates (repeated indices add up), int dtypes exact', () => {
    const x = torch.zeros(3, 2);
    x.indexPut_([long([0, 0, 2])], torch.tensor([1, 10]), { accumulate: true });
    expect(x.tolist()).toEqual([[2, 20], [0, 0], [1, 10]]);
    const y = torch.zeros([4], { dtype: torch.int64 });
    y.indexPut_([long([1, 1])], 3n, { accumulate: true });
    y.indexPut_([torch.tensor([true, false, false, true])], torch.tensor([9n, 8n]));
    expect(y.tolist()).toEqual([9, 6, 0, 8]);
  });

  it('indexPut is out of place and differentiable in x and values (IndexPutBackward0)', () => {
    const idx = long([2, 0]);
    expectGradcheck((x, v) => x.indexPut([idx], v), [leaf([3, 2]), leaf([2, 2])]);
    expectGradcheck((x, v) => torch.indexPut(x, [long([1, 1, 0])], v, { accumulate: true }), [leaf([3, 2]), leaf([2])]);
    const x = leaf([2]);
    expect([x.indexPut([long([0])], 3).gradFn?.name, x.tolist()]).toEqual(['IndexPutBackward0', x.tolist()]);
  });
});
