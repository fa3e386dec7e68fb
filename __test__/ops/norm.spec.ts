/**
 * Vector norms against PyTorch's `torch.linalg.vector_norm` / `torch.norm(…, 'fro')`
 * (`__test__/fixtures/reduce2.json`): outputs and input gradients for p = 0, 0.5, 1, 1.5, 2, 3, 4,
 * −1, ±inf and 'fro' over everything, one dim and lists (keepdim), with zeros (the 2-norm's
 * gradient at the origin is 0), tied extrema (∞-norm gradient shared) and NaN; both entry points
 * (`torch.linalg.vectorNorm`, `x.norm`), gradcheck and typed errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { casesOf, checkCase, expectOpError, pytorchError, titleOf } from '../helpers/reduce2';

const ordOf = (p: number | 'inf' | '-inf' | 'fro' | undefined): number | 'fro' => (p === 'inf' ? Infinity : p === '-inf' ? -Infinity : (p ?? 2));

describe('norm against PyTorch', () => {
  for (const c of casesOf('norm')) {
    const p = ordOf(c.args.p);
    it(`x.norm ${titleOf(c)}`, () => checkCase(c, (x) => x.norm(p, c.args.dim, c.args.keepdim)));
    if (p !== 'fro') {
      it(`linalg.vectorNorm ${titleOf(c)}`, () => checkCase(c, (x) => torch.linalg.vectorNorm(x, p, c.args.dim, c.args.keepdim)));
    }
  }
});

describe('norm', () => {
  it('defaults to the 2-norm over everything, and records LinalgVectorNormBackward0', () => {
    const x = torch.tensor([[3, 0], [0, -4]]).requiresGrad_(true);
    const n = torch.norm(x);
    expect(n.item()).toBe(5);
    expect(n.gradFn?.name).toBe('LinalgVectorNormBackward0');
    n.backward();
    expect((x.grad as torch.Tensor).tolist()).toEqual([[0.6000000238418579, 0], [0, -0.800000011920929]]);
    expect(torch.linalg.vectorNorm(x, 1, [0, 1], true).tolist()).toEqual([[7]]);
  });

  it('passes gradcheck for each kind of order', () => {
    // Inputs away from 0 and without ties, where every order is differentiable.
    const x = () => torch.tensor([[0.7, -1.3, 2.1], [-0.4, 1.6, -2.9]]).requiresGrad_(true);
    for (const p of [1, 2, 3, 0.5, 1.5, -1, Infinity, -Infinity]) {
      expectGradcheck((t) => torch.linalg.vectorNorm(t, p, 1), [x()], { eps: 1e-3 });
    }
    expectGradcheck((t) => t.norm('fro'), [x()], { eps: 1e-3 });
  });

  it('refuses bad arguments with typed errors naming the op', () => {
    expectOpError(() => torch.linalg.vectorNorm(torch.tensor([1n, 2n])), TypeError, pytorchError('norm_int').message, 'linalg.vector_norm');
    expectOpError(() => torch.norm(torch.tensor([1n, 2n])), TypeError, 'Expected a floating point or complex tensor as input. Got Long', 'norm');
    expectOpError(() => torch.linalg.vectorNorm(torch.zeros([0]), Infinity), RangeError, pytorchError('norm_inf_empty').message, 'linalg.vector_norm');
    // PyTorch's message lacks the space after the dim ("dimension 0because"); kindling adds it.
    const emptyDim = pytorchError('norm_neg_empty_dim').message.replace('0because', '0 because');
    expectOpError(() => torch.linalg.vectorNorm(torch.zeros([0, 2]), -1.5, 0), RangeError, emptyDim, 'linalg.vector_norm');
    expectOpError(() => torch.norm(torch.zeros([2, 2]), 'nuc' as 'fro'), RangeError, "p='nuc' is not supported", 'norm');
    expectOpError(() => torch.norm(torch.zeros([2, 2, 2]), 'fro', [0, 1, 2]), RangeError, "p='fro' takes at most 2 dims", 'norm');
    expectOpError(() => torch.linalg.vectorNorm(torch.zeros([2]), NaN), TypeError, "argument 'ord' must be a number", 'linalg.vector_norm');
    expectOpError(() => torch.norm(torch.zeros([2]), 2, 3), RangeError, 'Dimension out of range', 'norm');
    expectOpError(() => torch.norm(torch.zeros([2]), 2, 0, 'no' as unknown as boolean), TypeError, "argument 'keepdim' must be bool", 'norm');
  });
});
