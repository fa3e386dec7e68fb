import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(2 * i + 1))).reshape(shape).detach().requiresGrad_();
};
const mask = torch.tensor([[true, false, true], [false, false, true]]);

describe('where', () => {
  it("broadcasts the three operands and takes PyTorch's result type", () => {
    const c = torch.tensor([true, false]);
    expect(torch.where(c, torch.tensor([1, 2]), 0).tolist()).toEqual([1, 0]);
    expect(torch.where(c, 1, 0).dtype).toBe('float32'); // JS numbers are floats
    expect(torch.where(c, 1n, 0n).dtype).toBe('int64');
    expect(torch.where(c, true, false).dtype).toBe('bool');
    expect(torch.where(c, torch.tensor([1, 2], { dtype: torch.int32 }), 5).dtype).toBe('int32');
    expect(torch.where(c, torch.tensor([1, 2], { dtype: torch.int32 }), 0.5).dtype).toBe('float32');
    expect(torch.where(c, torch.tensor([true, true]), 3).dtype).toBe('int64');
    expect(torch.where(c, torch.tensor([1, 2], { dtype: torch.uint8 }), torch.tensor(7n)).dtype).toBe('uint8');
    expect(torch.where(c.reshape(2, 1), torch.tensor([1, 2, 3]), -1).tolist()).toEqual([[1, 2, 3], [-1, -1, -1]]);
    expect(torch.tensor([5, 6]).where(c, 9).tolist()).toEqual([5, 9]);
    expect(torch.resultType([torch.zeros([2], { dtype: torch.int32 }), torch.tensor(3n)])).toBe('int32');
  });

  it('where(condition) is the coordinates of the true elements', () => {
    const [rows, cols] = torch.where(mask);
    expect([rows.tolist(), cols.tolist(), rows.dtype]).toEqual([[0, 0, 1], [0, 2, 2], 'int64']);
  });

  it('gradcheck through both sides, broadcast (WhereBackward0)', () => {
    expectGradcheck((x, y) => torch.where(mask, x, y), [leaf([2, 1]), leaf([3])]);
    expectGradcheck((y) => torch.where(mask, 2, y), [leaf([2, 3])]);
    expect(torch.where(mask, leaf([3]), 0).gradFn?.name).toBe('WhereBackward0');
  });
});

describe('maskedFill / maskedFill_ / maskedSelect', () => {
  it('fills where the mask holds, converting the value to the dtype', () => {
    const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3);
    expect(x.maskedFill(mask, -Infinity).tolist()).toEqual([[-Infinity, 1, -Infinity], [3, 4, -Infinity]]);
    expect(torch.maskedFill(torch.arange(3n), torch.tensor([true, false, false]), 2.7).tolist()).toEqual([2, 1, 2]);
    expect(x.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(() => torch.arange(3n).maskedFill(torch.tensor([true, false, false]), NaN)).toThrow(/cannot be converted to type int64_t without overflow/);
    expect(() => x.maskedFill(mask, 'a' as never)).toThrow(TypeError);
  });

  it('gradcheck in x and in a 0-d tensor value (MaskedFillBackward0/1); maskedSelect (MaskedSelectBackward0)', () => {
    expectGradcheck((x) => x.maskedFill(mask, 3), [leaf([1, 3])]);
    expectGradcheck((x, v) => x.maskedFill(mask, v), [leaf([2, 3]), leaf([]).detach().requiresGrad_()]);
    expectGradcheck((x) => x.maskedSelect(mask), [leaf([3])]);
    expect(leaf([2, 3]).maskedFill(mask, leaf([])).gradFn?.name).toBe('MaskedFillBackward1');
  });

  it('maskedFill_ writes through a view and bumps the version', () => {
    const base = torch.zeros(3, 2);
    const v0 = base._version;
    base.t().maskedFill_(mask, 1);
    expect(base.tolist()).toEqual([[1, 0], [0, 0], [1, 1]]);
    expect(base._version).toBe(v0 + 1);
    expect(torch.arange(6, { dtype: torch.float32 }).maskedSelect(torch.tensor(true)).shape).toEqual([6]);
  });
});
