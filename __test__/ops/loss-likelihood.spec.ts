/**
 * `F.klDiv`, `F.poissonNllLoss`, `F.gaussianNllLoss` (src/ops/loss-likelihood.ts) against PyTorch
 * (`losses2.json`): KL with probability and log-probability targets (a target of exactly 0: loss
 * 0, PyTorch's NaN target gradient), reductions none/mean/sum/batchmean (a 0-d batchmean is a
 * plain sum); Poisson with log and rate inputs, `full` on and off (Stirling's term masked for
 * targets ≤ 1, NaN target gradient at 0 as PyTorch's), `eps`; Gaussian NLL with a full, a
 * one-short, a trailing-1 and a middle-1 variance, variances at and below `eps` (the clamp passes
 * the gradient), `full`, a number variance; gradcheck; errors.
 *
 * Tolerance rtol 1e-5 / atol 1e-6 (log/exp per element and one sum).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { ShapeError } from '../../src/errors';
import { gaussianNllLoss, klDiv, poissonNllLoss } from '../../src/ops/loss-likelihood';
import { expectClose } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';
import { decoded, expectLossError, fixture, lossCases, toTensor } from '../helpers/losses2';

describe('klDiv against PyTorch', () => {
  lossCases(['kl_div']);

  it('gradcheck for input and target, both target forms', () => {
    const logp = (): torch.Tensor => torch.tensor([[-1.2, -0.9, -1.3], [-0.4, -2.0, -1.6]], { requiresGrad: true });
    const p = (): torch.Tensor => torch.tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], { requiresGrad: true });
    for (const reduction of ['none', 'mean', 'sum', 'batchmean'] as const) {
      expectGradcheck((a, b) => klDiv(a, b, { reduction }), [logp(), p()], { eps: 1e-3 });
      expectGradcheck((a, b) => klDiv(a, b, { reduction, logTarget: true }), [logp(), logp()]);
    }
  });

  it('errors name the op', () => {
    expectLossError('kl_reduction', 'kl_div', RangeError, () => klDiv(torch.zeros(3), torch.zeros(3), { reduction: 'avg' as 'mean' }));
    expectLossError('kl_size', 'kl_div', ShapeError, () => klDiv(torch.zeros(2, 3), torch.zeros(2, 4)));
    expect(() => klDiv(torch.zeros(3), torch.zeros(3), { logTarget: 1 as never })).toThrow(new TypeError("kl_div(): argument 'log_target' must be bool, not number"));
  });
});

describe('poissonNllLoss against PyTorch', () => {
  lossCases(['poisson_nll_loss']);

  it('gradcheck for input and target (targets > 1 and < 1 away from the mask edge)', () => {
    const t = (): torch.Tensor => torch.tensor([[0.5, 2.5, 4.0], [3.0, 0.2, 1.7]], { requiresGrad: true });
    for (const full of [false, true]) {
      expectGradcheck((a, b) => poissonNllLoss(a, b, { full, reduction: 'sum' }), [torch.tensor([[0.1, -0.5, 1.2], [0.7, -1.1, 0.0]], { requiresGrad: true }), t()], { eps: 1e-3 });
      expectGradcheck((a, b) => poissonNllLoss(a, b, { full, logInput: false }), [torch.tensor([[0.5, 1.5, 3.0], [2.0, 0.4, 1.1]], { requiresGrad: true }), t()], { eps: 1e-3 });
    }
  });

  it('errors name the op', () => {
    expectLossError('poisson_reduction', 'poisson_nll_loss', RangeError, () => poissonNllLoss(torch.zeros(3), torch.zeros(3), { reduction: 'avg' as 'mean' }));
    expectLossError('poisson_size', 'poisson_nll_loss', ShapeError, () => poissonNllLoss(torch.zeros(3), torch.zeros(4)));
  });
});

describe('gaussianNllLoss against PyTorch', () => {
  lossCases(['gaussian_nll_loss']);

  it('a number variance (no gradient for it)', () => {
    const c = fixture.gaussianFloatVar;
    const input = toTensor(c.input, true);
    const out = gaussianNllLoss(input, toTensor(c.target), c.var, { full: c.full });
    expectClose(out, decoded(c.output), { label: 'gaussian float var output' });
    expect(out.gradFn?.name).toBe(c.gradFn);
    out.backward(torch.tensor(c.gradOutput));
    expectClose(input.grad!, decoded(c.gradInput), { label: 'gaussian float var grad' });
  });

  it('gradcheck for input, target and variance (shared and per element)', () => {
    const a = (): torch.Tensor => torch.tensor([[0.3, -1.2, 0.8], [1.1, 0.0, -0.4]], { requiresGrad: true });
    const b = (): torch.Tensor => torch.tensor([[0.0, -0.5, 1.5], [0.2, 0.3, -1.0]], { requiresGrad: true });
    for (const full of [false, true]) {
      expectGradcheck((x, y, v) => gaussianNllLoss(x, y, v, { full }), [a(), b(), torch.tensor([[0.5, 1.2, 0.8], [2.0, 0.3, 0.9]], { requiresGrad: true })], { eps: 1e-3 });
      expectGradcheck((x, y, v) => gaussianNllLoss(x, y, v, { full, reduction: 'none' }), [a(), b(), torch.tensor([0.7, 1.3], { requiresGrad: true })], { eps: 1e-3 });
    }
  });

  it('errors name the op', () => {
    const op = 'gaussian_nll_loss';
    expectLossError('gaussian_negative_var', op, RangeError, () => gaussianNllLoss(torch.zeros(3), torch.zeros(3), torch.tensor([1, -0.5, 1])));
    expectLossError('gaussian_negative_float_var', op, RangeError, () => gaussianNllLoss(torch.zeros(3), torch.zeros(3), -1));
    expectLossError('gaussian_var_size', op, ShapeError, () => gaussianNllLoss(torch.zeros(4, 3), torch.zeros(4, 3), torch.ones(3, 3)));
    expectLossError('gaussian_reduction', op, RangeError, () => gaussianNllLoss(torch.zeros(3), torch.zeros(3), torch.ones(3), { reduction: 'avg' as 'mean' }));
  });
});
