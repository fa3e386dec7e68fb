import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7))).reshape(shape).detach().requiresGrad_();
};

describe('flip', () => {
  it('reverses the listed dims (any layout, any dtype); no dims is a copy', () => {
    const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3);
    expect(x.flip(1).tolist()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(torch.flip(x.t(), [0, 1]).tolist()).toEqual([[5, 2], [4, 1], [3, 0]]);
    expect(torch.tensor([true, false, false]).flip(0).tolist()).toEqual([false, false, true]);
    const copy = x.flip();
    expect(copy.tolist()).toEqual(x.tolist());
    expect(copy.storage === x.storage).toBe(false);
  });

  it('gradcheck (FlipBackward0)', () => {
    expectGradcheck((x) => x.flip(0, -1), [leaf([2, 3, 2])]);
    expect(leaf([2]).flip(0).gradFn?.name).toBe('FlipBackward0');
  });
});

describe('roll', () => {
  it('rotates along dims, or the flattened tensor without dims', () => {
    const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3);
    expect(x.roll(1, 1).tolist()).toEqual([[2, 0, 1], [5, 3, 4]]);
    expect(x.roll(-4, -1).tolist()).toEqual([[1, 2, 0], [4, 5, 3]]);
    expect(x.roll(2).tolist()).toEqual([[4, 5, 0], [1, 2, 3]]);
    expect(torch.roll(x.t(), [1, 1], [0, 1]).tolist()).toEqual([[5, 2], [3, 0], [4, 1]]);
    expect(torch.arange(4n).roll(1).tolist()).toEqual([3, 0, 1, 2]);
    expect(torch.zeros(0).roll(3).shape).toEqual([0]);
  });

  it('gradcheck (RollBackward0)', () => {
    expectGradcheck((x) => x.roll([2, -1], [0, 2]), [leaf([3, 2, 2])]);
    expectGradcheck((x) => x.t().roll(4), [leaf([2, 3])]);
    expect(() => leaf([3]).roll(0.5)).toThrow(new TypeError("roll(): argument 'shifts' must be a list of integers, but got 0.5"));
  });
});
