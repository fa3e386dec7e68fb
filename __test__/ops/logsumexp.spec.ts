/**
 * `torch.logsumexp` against PyTorch (`__test__/fixtures/reduce2.json`): outputs and input
 * gradients over one dim and a list (negative, keepdim), values near 1000 (which overflow exp
 * without the max subtraction), all −inf slices (−inf, NaN gradient as PyTorch), a slice holding
 * +inf, NaN, 0-d and int64 input (float32 result); gradcheck and typed errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { casesOf, checkCase, expectOpError, pytorchError, titleOf } from '../helpers/reduce2';

describe('logsumexp against PyTorch', () => {
  for (const c of casesOf('logsumexp')) {
    it(titleOf(c), () => checkCase(c, (x) => torch.logsumexp(x, c.args.dim as number | number[], c.args.keepdim)));
  }
});

describe('logsumexp', () => {
  it('is a method and records LogsumexpBackward0', () => {
    const x = torch.tensor([[0, Math.log(3)], [-Infinity, -Infinity]]).requiresGrad_(true);
    const y = x.logsumexp(1, true);
    expect(y.shape).toEqual([2, 1]);
    expect(y.data[0]).toBeCloseTo(Math.log(4), 6);
    expect(y.data[1]).toBe(-Infinity);
    expect(y.gradFn?.name).toBe('LogsumexpBackward0');
  });

  it('passes gradcheck over a dim and a list', () => {
    torch.manualSeed(0); // the same inputs on every run
    expectGradcheck((t) => torch.logsumexp(t, 1), [torch.randn([3, 4]).requiresGrad_(true)]);
    expectGradcheck((t) => torch.logsumexp(t, [0, -1], true), [torch.randn([2, 3, 2]).requiresGrad_(true)]);
  });

  it('refuses bad arguments with typed errors naming the op', () => {
    expectOpError(() => (torch.logsumexp as (x: torch.Tensor) => torch.Tensor)(torch.zeros([3])), TypeError, pytorchError('logsumexp_no_dim').message, 'logsumexp');
    expectOpError(() => torch.logsumexp(torch.zeros([3]), 1), RangeError, pytorchError('logsumexp_dim').message, 'logsumexp');
    expectOpError(() => torch.logsumexp(torch.zeros([2, 2]), [1, -1]), RangeError, 'dim 1 appears multiple times in the list of dims', 'logsumexp');
    expectOpError(() => torch.logsumexp(torch.zeros([3]), 0, 1 as unknown as boolean), TypeError, "argument 'keepdim' must be bool", 'logsumexp');
  });
});
