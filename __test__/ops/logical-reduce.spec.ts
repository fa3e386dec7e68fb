/**
 * `torch.any` / `torch.all` against PyTorch (`__test__/fixtures/reduce2.json`): results and dtypes
 * (bool, uint8 for uint8 input) over everything, one dim and a list (negative, keepdim), NaN
 * (true), empty and 0-d inputs, int64 and bool; no autograd; typed errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { casesOf, checkCase, expectOpError, pytorchError, titleOf } from '../helpers/reduce2';

for (const op of ['any', 'all'] as const) {
  describe(`${op} against PyTorch`, () => {
    for (const c of casesOf(op)) {
      it(titleOf(c), () => checkCase(c, (x) => torch[op](x, c.args.dim, c.args.keepdim)));
    }
  });
}

describe('any / all', () => {
  it('are methods returning bool like the comparisons, never differentiable', () => {
    const x = torch.tensor([[0.5, 0], [0, 0]]).requiresGrad_(true);
    const a = x.any(1);
    expect(a.dtype).toBe(x.gt(0).dtype);
    expect(a.tolist()).toEqual([true, false]);
    expect(a.requiresGrad).toBe(false);
    expect(x.all().tolist()).toBe(false);
    expect(x.gt(-1).all().tolist()).toBe(true);
    expect(x.any(-2, true).shape).toEqual([1, 2]);
  });

  it('refuses bad arguments with typed errors naming the op', () => {
    expectOpError(() => torch.any(torch.zeros([2]), 2), RangeError, pytorchError('any_dim').message, 'any');
    expectOpError(() => torch.all(torch.zeros([2]), -2), RangeError, 'Dimension out of range', 'all');
    expectOpError(() => torch.all(torch.zeros([2]), 0, 'no' as unknown as boolean), TypeError, "argument 'keepdim' must be bool", 'all');
    expectOpError(() => torch.any('x' as unknown as torch.Tensor), TypeError, "argument 'input' must be Tensor", 'any');
  });
});
