/**
 * `torch.var`, `torch.std`, `torch.varMean`, `torch.stdMean` against PyTorch
 * (`__test__/fixtures/reduce2.json`): outputs and input gradients over everything, one dim and a
 * list (negative, keepdim), corrections 0–5 including N − correction ≤ 0 (inf/NaN outputs and
 * PyTorch's inf/NaN or ±inf gradients), constant input (std's gradient 0), 0-d and NaN;
 * gradcheck and typed errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { casesOf, checkCase, expectOpError, pytorchError, titleOf } from '../helpers/reduce2';

const ops = {
  var: torch.var,
  std: torch.std,
  varMean: torch.varMean,
  stdMean: torch.stdMean,
} as const;

for (const [name, fn] of Object.entries(ops)) {
  describe(`${name} against PyTorch`, () => {
    for (const c of casesOf(name)) {
      it(titleOf(c), () => checkCase(c, (x) => fn(x, c.args.dim, { correction: c.args.correction, keepdim: c.args.keepdim })));
    }
  });
}

describe('var / std', () => {
  it('are methods, take options in the dim position, and name their backward as PyTorch', () => {
    const x = torch.tensor([[1, 2, 3, 4], [2, 2, 2, 2]]).requiresGrad_(true);
    expect(x.var().gradFn?.name).toBe('VarBackward0');
    expect(x.std(1).gradFn?.name).toBe('StdBackward0');
    expect(x.var(1, { correction: 0 }).tolist()).toEqual([1.25, 0]);
    expect(x.var({ correction: 0 }).item()).toBeCloseTo(0.6875, 6); // mean 2.25, Σ(x − mean)² = 5.5 over 8
    expect(x.var(1, { unbiased: false }).tolist()).toEqual([1.25, 0]);
    expect(x.std(-1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(x.var(null, { keepdim: true }).shape).toEqual([1, 1]);
  });

  it('pass gradcheck over a dim, a list and everything', () => {
    torch.manualSeed(0); // the same inputs on every run
    const x = () => torch.randn([3, 4]).requiresGrad_(true);
    expectGradcheck((t) => torch.var(t, 1), [x()]);
    expectGradcheck((t) => torch.var(t, [0, 1], { correction: 0, keepdim: true }), [x()]);
    expectGradcheck((t) => torch.std(t, 0), [x()]);
    expectGradcheck((t) => torch.std(t), [x()]);
    expectGradcheck((t) => torch.add(...(torch.stdMean(t, -1) as [torch.Tensor, torch.Tensor])), [x()]);
  });

  it('refuses bad arguments with typed errors naming the op', () => {
    expectOpError(() => torch.var(torch.tensor([1n, 2n])), TypeError, pytorchError('var_int').message, 'var');
    expectOpError(() => torch.std(torch.tensor([1n, 2n])), TypeError, pytorchError('var_int').message, 'std');
    expectOpError(() => torch.var(torch.zeros([2, 2]), [0, -2]), RangeError, pytorchError('var_repeated_dim').message, 'var');
    expectOpError(() => torch.std(torch.zeros([2, 2]), 2), RangeError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)', 'std');
    expectOpError(() => torch.var(torch.zeros([2]), 0, { correction: '1' as unknown as number }), TypeError, "argument 'correction' must be a number", 'var');
    expectOpError(() => torch.varMean(torch.zeros([2]), 0, { keepdim: 0 as unknown as boolean }), TypeError, "argument 'keepdim' must be bool", 'var_mean');
    expectOpError(() => torch.var(torch.zeros([2]), 0, { correction: 1, unbiased: true }), TypeError, "cannot take both 'correction' and 'unbiased'", 'var');
    expectOpError(() => torch.var(torch.zeros([2]), 'a' as unknown as number), TypeError, "argument 'dim' must be an integer or a list of integers", 'var');
  });
});
