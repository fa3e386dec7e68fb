/**
 * `torch.cumsum` against PyTorch (`__test__/fixtures/reduce2.json`): float32 outputs and input
 * gradients over dims (negative too), NaN/±inf, 0-d; int32 and bool input give int64, large
 * int64 values stay exact; gradcheck and typed errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { casesOf, checkCase, expectOpError, pytorchError, titleOf } from '../helpers/reduce2';

describe('cumsum against PyTorch', () => {
  for (const c of casesOf('cumsum')) {
    it(titleOf(c), () => checkCase(c, (x) => torch.cumsum(x, c.args.dim as number)));
  }
});

describe('cumsum', () => {
  it('is a method too and records CumsumBackward0', () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]).requiresGrad_(true);
    const y = x.cumsum(-1);
    expect(y.tolist()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(y.gradFn?.name).toBe('CumsumBackward0');
    y.backward(torch.tensor([[1, 0, 2], [0, 1, 0]]));
    expect((x.grad as torch.Tensor).tolist()).toEqual([[3, 2, 2], [1, 1, 0]]);
  });

  it('passes gradcheck along each dim', () => {
    torch.manualSeed(0); // the same inputs on every run
    for (const dim of [0, 1, -1]) expectGradcheck((x) => torch.cumsum(x, dim), [torch.randn([3, 4, 2]).requiresGrad_(true)]);
  });

  it('refuses bad arguments with typed errors naming the op', () => {
    expectOpError(() => (torch.cumsum as (x: torch.Tensor) => torch.Tensor)(torch.zeros([3])), TypeError, pytorchError('cumsum_no_dim').message, 'cumsum');
    expectOpError(() => torch.cumsum(torch.zeros([2, 3]), -3), RangeError, pytorchError('cumsum_dim').message, 'cumsum');
    expectOpError(() => torch.cumsum(torch.zeros([2, 3]), 1.5), TypeError, "argument 'dim' must be an integer", 'cumsum');
    expectOpError(() => torch.cumsum(null as unknown as torch.Tensor, 0), TypeError, "argument 'input' must be Tensor", 'cumsum');
  });
});
