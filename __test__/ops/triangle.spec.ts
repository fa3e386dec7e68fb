import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3))).reshape(shape).detach().requiresGrad_();
};

describe('tril / triu', () => {
  it('keep a triangle of every matrix of the last two dims (any layout, any dtype)', () => {
    const ones = torch.ones(3, 3);
    expect(ones.tril().tolist()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    expect(torch.triu(ones, 1).tolist()).toEqual([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
    expect(torch.tril(torch.arange(6n).reshape(2, 3).t(), -1).tolist()).toEqual([[0, 0], [1, 0], [2, 5]]);
    expect(torch.ones([2, 2, 2], { dtype: torch.bool }).triu().tolist()).toEqual([[[true, true], [false, true]], [[true, true], [false, true]]]);
    // The causal mask of attention: ones above the diagonal are the masked positions.
    expect((torch.ones(3, 3).triu(1).bool().tolist() as boolean[][])[0]).toEqual([false, true, true]);
  });

  it('gradcheck (TrilBackward0 / TriuBackward0)', () => {
    expectGradcheck((x) => x.tril(1), [leaf([2, 3, 4])]);
    expectGradcheck((x) => x.triu(-1), [leaf([4, 3])]);
    expect([leaf([2, 2]).tril().gradFn?.name, leaf([2, 2]).triu().gradFn?.name]).toEqual(['TrilBackward0', 'TriuBackward0']);
    expect(() => leaf([2, 2]).tril(0.5)).toThrow(new TypeError("tril(): argument 'diagonal' must be an integer, but got 0.5"));
  });
});
