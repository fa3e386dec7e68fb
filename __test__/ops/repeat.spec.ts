import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i + 0.5))).reshape(shape).detach().requiresGrad_();
};

describe('repeat', () => {
  it('tiles every dimension, leading sizes adding dimensions; any dtype and layout', () => {
    const x = torch.tensor([[1, 2], [3, 4]]);
    expect(x.repeat(1, 2).tolist()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    expect(x.t().repeat([2, 1, 1]).tolist()).toEqual([[[1, 3], [2, 4]], [[1, 3], [2, 4]]]);
    expect(torch.arange(2n).repeat(3).tolist()).toEqual([0, 1, 0, 1, 0, 1]);
    expect(torch.tensor(7).repeat(2, 2).tolist()).toEqual([[7, 7], [7, 7]]);
    expect(x.repeat(0, 3).shape).toEqual([0, 6]);
  });

  it('gradcheck sums over the copies (RepeatBackward0)', () => {
    expectGradcheck((x) => x.repeat(2, 1, 3), [leaf([2, 3])]);
    expectGradcheck((x) => x.t().repeat(2, 2), [leaf([3, 1])]);
    expect(leaf([2]).repeat(2).gradFn?.name).toBe('RepeatBackward0');
    expect(() => leaf([2]).repeat(1.5)).toThrow(TypeError);
  });
});
