/**
 * Loss modules against PyTorch (`__test__/fixtures/losses.json`): CrossEntropyLoss (weight,
 * ignoreIndex, labelSmoothing, reductions, class-probability targets, (N, C, d…) inputs, an
 * unbatched input, every target ignored), NLLLoss and MSELoss — the loss, and the gradients of the
 * input (and of a float target) for the recorded upstream gradient.
 *
 * Tolerances: rtol 1e-5 / atol 1e-6. Cross-entropy goes through exp/log-sum-exp (a few ulps between
 * libm and SIMD) and a weighted mean; MSE is a short sum. None of these need more slack.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type ErrorFixture, type FixtureFile, type LossFixture, expectClose, expectPyTorchError, loadFixture, toTensor } from '../helpers/fixtures';

const { nn } = torch;

type Reduction = 'none' | 'mean' | 'sum';

interface LossModule {
  forward(input: torch.Tensor, target: torch.Tensor): torch.Tensor;
}

function build(fx: LossFixture): LossModule {
  const reduction = (fx.args.reduction as Reduction | undefined) ?? 'mean';
  const weight = fx.tensor_args.weight !== undefined ? toTensor(fx.tensor_args.weight) : undefined;
  const ignoreIndex = (fx.args.ignore_index as number | undefined) ?? -100;
  switch (fx.loss) {
    case 'CrossEntropyLoss':
      return new nn.CrossEntropyLoss({ weight, ignoreIndex, reduction, labelSmoothing: (fx.args.label_smoothing as number | undefined) ?? 0 });
    case 'NLLLoss':
      return new nn.NLLLoss({ weight, ignoreIndex, reduction });
    case 'MSELoss':
      return new nn.MSELoss({ reduction });
    default:
      throw new Error(`no kindling loss for ${fx.loss}`);
  }
}

const file = loadFixture<FixtureFile<LossFixture> & { errors: ErrorFixture[] }>('losses');

const labels = (values: number[]) => torch.tensor(values, { dtype: 'int32' });

/** The kindling call for each PyTorch snippet in `errors` (which must throw PyTorch's message). */
const ERRORS: Record<string, () => unknown> = {
  ce_target_high: () => new nn.CrossEntropyLoss().forward(torch.zeros([2, 10]), labels([1, 10])),
  ce_target_negative: () => new nn.CrossEntropyLoss().forward(torch.zeros([2, 10]), labels([1, -1])),
  ce_batch_size: () => new nn.CrossEntropyLoss().forward(torch.zeros([3, 10]), labels([1, 2])),
  ce_label_smoothing: () => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }).forward(torch.zeros([3, 10]), labels([1, 2, 3])),
  nll_target_high: () => new nn.NLLLoss().forward(torch.zeros([2, 10]), labels([1, 10])),
};

describe('losses match PyTorch', () => {
  for (const err of file.errors) {
    it(`error: ${err.case}`, () => expectPyTorchError(ERRORS[err.case], err));
  }

  for (const fx of file.fixtures) {
    it(`${fx.name}`, () => {
      const label = `losses/${fx.name}\n${fx.torch}`;
      const input = toTensor(fx.inputs.input, { requiresGrad: true });
      const floatTarget = fx.inputs.target.dtype === 'float32';
      const target = toTensor(fx.inputs.target, { requiresGrad: floatTarget && fx.grads!.target !== undefined });
      const loss = build(fx).forward(input, target);
      expectClose(loss, fx.outputs[0], { rtol: 1e-5, atol: 1e-6, label: `${label}\nloss` });

      loss.backward(toTensor(fx.grad_outputs![0]!));
      expect(input.grad, `${label}: input.grad`).not.toBeNull();
      expectClose(input.grad!, fx.grads!.input, { rtol: 1e-5, atol: 1e-6, label: `${label}\ngrad of input` });
      if (fx.grads!.target !== undefined) {
        expect(target.grad, `${label}: target.grad`).not.toBeNull();
        expectClose(target.grad!, fx.grads!.target, { rtol: 1e-5, atol: 1e-6, label: `${label}\ngrad of target` });
      }
    });
  }
});
