/**
 * `torch.prod` against PyTorch (`__test__/fixtures/reduce2.json`): outputs and input gradients
 * over the whole tensor and one dim (negative, keepdim), with one and two zeros in a slice and
 * in the whole tensor (PyTorch's zero-safe backward), 0-d; int32 and bool give int64; gradcheck
 * with a zero in the input, and typed errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { casesOf, checkCase, expectOpError, pytorchError, titleOf } from '../helpers/reduce2';

describe('prod against PyTorch', () => {
  for (const c of casesOf('prod')) {
    it(titleOf(c), () => checkCase(c, (x) => (c.args.dim === undefined ? torch.prod(x) : torch.prod(x, c.args.dim as number, { keepdim: c.args.keepdim }))));
  }
});

describe('prod', () => {
  it('is a method with positional or { keepdim }, and names its backward as PyTorch', () => {
    const x = torch.tensor([[1, 2, 3], [4, 0, 6]]).requiresGrad_(true);
    expect(x.prod(1, true).shape).toEqual([2, 1]);
    expect(x.prod(-1, { keepdim: true }).tolist()).toEqual([[6], [0]]);
    expect(x.prod(0).gradFn?.name).toBe('ProdBackward1');
    const all = x.prod();
    expect(all.shape).toEqual([]);
    expect(all.gradFn?.name).toBe('ProdBackward0');
    all.backward();
    // One zero: only it has a non-zero gradient, the product of all the others.
    expect((x.grad as torch.Tensor).tolist()).toEqual([[0, 0, 0], [0, 144, 0]]);
  });

  it('passes gradcheck with and without zeros', () => {
    torch.manualSeed(0); // the same inputs on every run
    expectGradcheck((x) => torch.prod(x, 1), [torch.randn([3, 4]).requiresGrad_(true)]);
    expectGradcheck((x) => torch.prod(x, 0, true), [torch.tensor([[0, 2, 1.5], [0.5, 0, 3], [2, -1, 0]]).requiresGrad_(true)], { eps: 1e-3 });
    expectGradcheck((x) => torch.prod(x), [torch.tensor([0.5, 0, 2, -1.5]).requiresGrad_(true)], { eps: 1e-3 });
  });

  it('refuses bad arguments with typed errors naming the op', () => {
    expectOpError(() => torch.prod(torch.zeros([2, 2]), 5), RangeError, pytorchError('prod_dim').message, 'prod');
    expectOpError(() => torch.prod(torch.zeros([2, 2]), [0, 1] as unknown as number), TypeError, "argument 'dim' must be an integer", 'prod');
    expectOpError(() => torch.prod(torch.zeros([2, 2]), 0, 'yes' as unknown as boolean), TypeError, "argument 'keepdim' must be bool", 'prod');
    expectOpError(() => torch.prod(torch.zeros([2, 2]), 0, { keepdim: 1 as unknown as boolean }), TypeError, "argument 'keepdim' must be bool", 'prod');
    expectOpError(() => torch.prod(3 as unknown as torch.Tensor), TypeError, "argument 'input' must be Tensor", 'prod');
  });
});
