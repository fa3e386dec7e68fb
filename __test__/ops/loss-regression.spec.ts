/**
 * `F.l1Loss`, `F.smoothL1Loss`, `F.huberLoss` (src/ops/loss-regression.ts) against PyTorch
 * (`losses2.json`): every reduction; differences exactly 0 (L1's gradient is sign(0) = 0) and
 * exactly ±beta / ±delta (PyTorch's gradient takes the linear branch there); beta 0 (L1, with
 * L1's grad_fn names); a broadcast target (its gradient summed back); gradcheck; errors.
 *
 * Tolerance rtol 1e-5 / atol 1e-6: a subtraction, a square or an abs per element, one sum.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { ShapeError } from '../../src/errors';
import { huberLoss, l1Loss, smoothL1Loss } from '../../src/ops/loss-regression';
import { expectGradcheck } from '../helpers/gradcheck';
import { expectLossError, lossCases } from '../helpers/losses2';

// Differences away from 0 and from ±1, ±0.5 by more than the gradcheck step.
const x = (): torch.Tensor => torch.tensor([[0.3, -1.7, 2.2], [0.05, 1.4, -0.2]], { requiresGrad: true });
const y = (): torch.Tensor => torch.tensor([0.0, 0.1, -0.4], { requiresGrad: true });

describe('l1Loss against PyTorch', () => {
  lossCases(['l1_loss']);

  it('gradcheck for input and a broadcast target', () => {
    for (const reduction of ['none', 'mean', 'sum'] as const) expectGradcheck((a, b) => l1Loss(a, b, { reduction }), [x(), y()]);
  });

  it('errors name the op', () => {
    expectLossError('l1_size', 'l1_loss', ShapeError, () => l1Loss(torch.zeros(2, 3), torch.zeros(2, 4)));
    expectLossError('l1_reduction', 'l1_loss', RangeError, () => l1Loss(torch.zeros(2, 3), torch.zeros(2, 3), { reduction: 'avg' as 'mean' }));
    expect(() => l1Loss(torch.zeros(2), torch.zeros(2, { dtype: torch.int32 }))).toThrow(new TypeError('l1_loss: expected target to be float32 (Float), but got Int'));
  });
});

describe('smoothL1Loss against PyTorch', () => {
  lossCases(['smooth_l1_loss']);

  it('gradcheck for beta 1, 0.5 and 2 and every reduction', () => {
    for (const beta of [1, 0.5, 2]) {
      for (const reduction of ['none', 'mean', 'sum'] as const) expectGradcheck((a, b) => smoothL1Loss(a, b, { reduction, beta }), [x(), y()], { eps: 1e-3 });
    }
  });

  it('errors name the op', () => {
    expectLossError('smooth_l1_beta', 'smooth_l1_loss', RangeError, () => smoothL1Loss(torch.zeros(3), torch.zeros(3), { beta: -1 }));
    expectLossError('smooth_l1_size', 'smooth_l1_loss', ShapeError, () => smoothL1Loss(torch.zeros(3), torch.zeros(4)));
    expect(() => smoothL1Loss(torch.zeros(3), torch.zeros(3), { beta: NaN })).toThrow(RangeError);
    expect(() => smoothL1Loss(torch.zeros(3), torch.zeros(3), { beta: '1' as never })).toThrow(new TypeError("smooth_l1_loss(): argument 'beta' must be float, not string"));
  });
});

describe('huberLoss against PyTorch', () => {
  lossCases(['huber_loss']);

  it('gradcheck for delta 1, 0.5 and 2.5 and every reduction', () => {
    for (const delta of [1, 0.5, 2.5]) {
      for (const reduction of ['none', 'mean', 'sum'] as const) expectGradcheck((a, b) => huberLoss(a, b, { reduction, delta }), [x(), y()], { eps: 1e-3 });
    }
  });

  it('errors name the op', () => {
    expectLossError('huber_delta', 'huber_loss', RangeError, () => huberLoss(torch.zeros(3), torch.zeros(3), { delta: 0 }));
    expectLossError('huber_delta_negative', 'huber_loss', RangeError, () => huberLoss(torch.zeros(3), torch.zeros(3), { delta: -2 }));
  });
});
