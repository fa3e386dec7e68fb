/**
 * `F.binaryCrossEntropy` / `F.binaryCrossEntropyWithLogits` (src/ops/loss-binary.ts) against
 * PyTorch (`losses2.json`): every reduction, weights broadcast from a row and full, pos_weight per
 * class and shared, probabilities exactly 0 and 1 (logs clamped at −100, PyTorch's 1e12-scale
 * input gradient and its unclamped ±inf target gradient), logits ±100; gradcheck; errors.
 *
 * Tolerance rtol 1e-5 / atol 1e-6: each element is a few float ops plus one log/exp (kindling
 * computes in double and rounds once, PyTorch in float32), and the reduction is one sum.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { AutogradError, ShapeError } from '../../src/errors';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits } from '../../src/ops/loss-binary';
import { expectGradcheck } from '../helpers/gradcheck';
import { expectLossError, lossCases } from '../helpers/losses2';

const probs = (): torch.Tensor => torch.tensor([[0.2, 0.7, 0.45], [0.9, 0.05, 0.6]], { requiresGrad: true });
const soft = (): torch.Tensor => torch.tensor([[0.0, 1.0, 0.3], [0.8, 0.5, 1.0]], { requiresGrad: true });
// Inside (0, 1) by more than the gradcheck step, which BCE's range check would otherwise refuse.
const interior = (): torch.Tensor => torch.tensor([[0.1, 0.9, 0.3], [0.8, 0.5, 0.95]], { requiresGrad: true });

describe('binaryCrossEntropy against PyTorch', () => {
  lossCases(['binary_cross_entropy']);

  it('gradcheck: input and target, with a weight, every reduction', () => {
    for (const reduction of ['none', 'mean', 'sum'] as const) {
      expectGradcheck((x, t) => binaryCrossEntropy(x, t, { reduction, weight: torch.tensor([0.5, 2, 1]) }), [probs(), interior()], { eps: 1e-3 });
    }
  });

  it('errors in PyTorch words, naming the op', () => {
    const half = (...shape: number[]): torch.Tensor => torch.full(shape, 0.5);
    const op = 'binary_cross_entropy';
    expectLossError('bce_input_range', op, RangeError, () => binaryCrossEntropy(torch.tensor([0.5, 1.5]), torch.tensor([0, 1])));
    expectLossError('bce_input_negative', op, RangeError, () => binaryCrossEntropy(torch.tensor([-0.1, 0.5]), torch.tensor([0, 1])));
    expectLossError('bce_input_nan', op, RangeError, () => binaryCrossEntropy(torch.tensor([NaN, 0.5]), torch.tensor([0, 1])));
    expectLossError('bce_target_range', op, RangeError, () => binaryCrossEntropy(torch.tensor([0.5, 0.5]), torch.tensor([0, 2])));
    expectLossError('bce_size', op, ShapeError, () => binaryCrossEntropy(half(3), torch.zeros(3, 1)));
    expectLossError('bce_weight_size', op, ShapeError, () => binaryCrossEntropy(half(2, 3), torch.zeros(2, 3), { weight: torch.ones(2) }), /weight of shape \[2\] must be broadcastable to the target's shape \[2, 3\]/);
    expectLossError('bce_weight_grad', op, AutogradError, () => binaryCrossEntropy(half(3), torch.zeros(3), { weight: torch.ones(3, { requiresGrad: true }) }));
    expectLossError('bce_reduction', op, RangeError, () => binaryCrossEntropy(half(3), torch.zeros(3), { reduction: 'avg' as 'mean' }));
    expect(() => binaryCrossEntropy(half(3), torch.zeros(3, { dtype: torch.long }))).toThrow(new TypeError('binary_cross_entropy: expected target to be float32 (Float), but got Long'));
    expect(() => binaryCrossEntropy([0.5] as never, torch.zeros(1))).toThrow(TypeError);
  });
});

describe('binaryCrossEntropyWithLogits against PyTorch', () => {
  lossCases(['binary_cross_entropy_with_logits']);

  it('gradcheck: input and target, with weight and posWeight, every reduction', () => {
    const logits = (): torch.Tensor => torch.tensor([[-2.0, 0.3, 4.0], [1.5, -0.7, 0.0]], { requiresGrad: true });
    for (const reduction of ['none', 'mean', 'sum'] as const) {
      expectGradcheck((x, t) => binaryCrossEntropyWithLogits(x, t, { reduction }), [logits(), soft()]);
      expectGradcheck((x, t) => binaryCrossEntropyWithLogits(x, t, { reduction, weight: torch.tensor([0.5, 2, 1]), posWeight: torch.tensor([3, 0.5, 1]) }), [logits(), soft()]);
    }
  });

  it('stays finite and exact for huge logits, where sigmoid + BCE would clamp', () => {
    const loss = binaryCrossEntropyWithLogits(torch.tensor([1000, -1000, 1000]), torch.tensor([0, 1, 1]), { reduction: 'none' });
    expect(Array.from(loss.data as Float32Array)).toEqual([1000, 1000, 0]);
  });

  it('errors in PyTorch words, naming the op', () => {
    const op = 'binary_cross_entropy_with_logits';
    const z = (...shape: number[]): torch.Tensor => torch.zeros(shape);
    expectLossError('bcel_size', op, ShapeError, () => binaryCrossEntropyWithLogits(z(3), z(3, 1)));
    expectLossError('bcel_pos_weight_size', op, ShapeError, () => binaryCrossEntropyWithLogits(z(2, 3), z(2, 3), { posWeight: torch.ones(2) }));
    expectLossError('bcel_weight_size', op, ShapeError, () => binaryCrossEntropyWithLogits(z(2, 3), z(2, 3), { weight: torch.ones(4) }));
    expectLossError('bcel_pos_weight_grad', op, AutogradError, () => binaryCrossEntropyWithLogits(z(3), z(3), { posWeight: torch.ones(3, { requiresGrad: true }) }));
    // A weight that broadcasts but would grow the loss's shape is refused (PyTorch's in-place mul_ does too).
    expect(() => binaryCrossEntropyWithLogits(z(3), z(3), { weight: torch.ones(2, 3) })).toThrow(ShapeError);
    expect(() => binaryCrossEntropyWithLogits(z(3), z(3), { reduction: 'batchmean' as 'mean' })).toThrow(/binary_cross_entropy_with_logits: batchmean is not a valid value for reduction/);
  });
});
