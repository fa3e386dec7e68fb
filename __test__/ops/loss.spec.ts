import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { crossEntropy, mseLoss, nllLoss } from '../../src/ops/loss';
import { expectClose } from '../helpers/close';
import { expectGradcheck } from '../helpers/gradcheck';

// logits = torch.tensor([[1.,2.,.5],[.1,-1.,3.],[0.,0.,0.],[2.,1.,-1.]]); t = torch.tensor([1,2,0,0])
const LOGITS = [
  [1.0, 2.0, 0.5],
  [0.1, -1.0, 3.0],
  [0.0, 0.0, 0.0],
  [2.0, 1.0, -1.0],
];
const logits = (): torch.Tensor => torch.tensor(LOGITS, { requiresGrad: true });
const T = torch.tensor([1n, 2n, 0n, 0n]);

describe('crossEntropy (values from torch.nn.functional.cross_entropy)', () => {
  it('reductions', () => {
    expectClose(crossEntropy(logits(), T), 0.49569187);
    expectClose(crossEntropy(logits(), T, { reduction: 'none' }), [0.46436879, 0.070774227, 1.0986123, 0.34901217]);
    expectClose(crossEntropy(logits(), T, { reduction: 'sum' }), 1.9827675);
    expect(crossEntropy(logits(), T).shape).toEqual([]);
  });

  it('weight, ignoreIndex, labelSmoothing, uint8 targets', () => {
    expectClose(crossEntropy(logits(), T, { weight: torch.tensor([1, 2, 0.5], { dtype: torch.float32 }) }), 0.53594422);
    expectClose(crossEntropy(logits(), torch.tensor([1n, -100n, 0n, 0n])), 0.63733107);
    expectClose(crossEntropy(logits(), T, { labelSmoothing: 0.1 }), 0.60735852);
    expectClose(crossEntropy(logits(), T.to('uint8')), 0.49569187);
    expectClose(crossEntropy(logits(), T.to('int32')), 0.49569187);
  });

  // Regression (#10.2): int64 class indices are PyTorch's norm; they reach the int32 kernel only
  // after a range check, so a huge index is never narrowed into a valid one.
  it('int64 targets far outside int32 are out of bounds, not wrapped', () => {
    expect(() => crossEntropy(logits(), torch.tensor([1n, 2n ** 32n + 1n, 0n, 0n]))).toThrow(new RangeError('Target 4294967297 is out of bounds.'));
    expect(() => nllLoss(logits(), torch.tensor([1n, -(2n ** 40n), 0n, 0n]))).toThrow(new RangeError('Target -1099511627776 is out of bounds.'));
  });

  it('class-probability targets', () => {
    // p = [[0.2,0.5,0.3],[0,0,1],[1/3,1/3,1/3],[0.9,0.1,0]] -> 0.6831918
    const p = torch.tensor([[0.2, 0.5, 0.3], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3], [0.9, 0.1, 0]]);
    expectClose(crossEntropy(logits(), p), 0.68319184);
  });

  it('(N, C, d) inputs and unbatched (C) inputs', () => {
    // l4 = torch.arange(24.).reshape(2,3,4)/10; t4 = [[0,1,2,0],[2,2,1,0]]
    const l4 = torch.tensor(Float32Array.from({ length: 24 }, (_, i) => i / 10)).reshape(2, 3, 4);
    const t4 = torch.tensor([[0n, 1n, 2n, 0n], [2n, 2n, 1n, 0n]]);
    expectClose(crossEntropy(l4, t4), 1.1512505);
    expectClose(crossEntropy(l4, t4, { reduction: 'none' }), [
      [1.5512505, 1.1512505, 0.7512505, 1.5512505],
      [0.7512505, 0.7512506, 1.1512506, 1.5512505],
    ]);
    expectClose(crossEntropy(torch.tensor([1, 2, 0.5]), torch.tensor(1n)), 0.46436879);
  });

  it('backward: gradient of the mean loss (PyTorch logits.grad) and gradcheck', () => {
    const x = logits();
    const loss = crossEntropy(x, T);
    expect(loss.gradFn?.name).toBe('NllLossBackward0');
    loss.backward();
    expectClose(x.grad as torch.Tensor, [
      [0.057805970, -0.092867076, 0.035061095],
      [0.012815898, 0.0042660437, -0.017081946],
      [-0.16666667, 0.083333328, 0.083333328],
      [-0.073653862, 0.06487412, 0.0087797577],
    ]);
    expectGradcheck((z) => crossEntropy(z, T, { reduction: 'none' }), [logits()]);
    expectGradcheck((z) => crossEntropy(z, T, { reduction: 'sum', labelSmoothing: 0.2, weight: torch.tensor([1, 2, 0.5]) }), [logits()]);
    expectGradcheck((z) => crossEntropy(z, torch.tensor([1n, -100n, 0n, 2n])), [logits()]);
    const l4 = torch.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i))).reshape(2, 3, 4).detach().requiresGrad_();
    expectGradcheck((z) => crossEntropy(z, torch.tensor([[0n, 1n, 2n, 0n], [2n, 2n, 1n, 0n]])), [l4]);
    const p = torch.tensor([[0.2, 0.5, 0.3], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3], [0.9, 0.1, 0]]);
    expectGradcheck((z) => crossEntropy(z, p), [logits()]);
  });

  it('errors in PyTorch words', () => {
    const x = torch.zeros(10, 5);
    expect(() => crossEntropy(x, torch.full([10], 10n))).toThrow('Target 10 is out of bounds.');
    expect(() => crossEntropy(x, torch.zeros(9, { dtype: torch.long }))).toThrow(
      'Expected input batch_size (10) to match target batch_size (9).',
    );
    expect(() => crossEntropy(x, torch.zeros(10))).toThrow('expected target dtype to be Long or Byte, but got Float');
    expect(() => crossEntropy(x, torch.zeros(10))).toThrow(TypeError);
    expect(() => crossEntropy(x, torch.zeros(10, 5, { dtype: torch.long }))).toThrow(
      'Expected floating point type for target with class probabilities, got Long',
    );
    expect(() => crossEntropy(x, torch.zeros(10, 5, { dtype: torch.long }))).toThrow(TypeError);
    expect(() => crossEntropy(torch.zeros(3, 5, 4), torch.zeros(3, 5, { dtype: torch.long }))).toThrow(
      'Expected target size [3, 4], got [3, 5]',
    );
    expect(() => crossEntropy(x, torch.zeros(10, { dtype: torch.long }), { weight: torch.ones(4) })).toThrow(
      'weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [4]',
    );
    expect(() => crossEntropy(x, torch.zeros(10, { dtype: torch.long }), { labelSmoothing: 1.5 })).toThrow(
      'label_smoothing must be between 0.0 and 1.0. Got: 1.5',
    );
    expect(() => crossEntropy(x, torch.zeros(10, { dtype: torch.long }), { reduction: 'avg' as 'mean' })).toThrow(
      'avg is not a valid value for reduction',
    );
    expect(() => crossEntropy(x, torch.zeros(10, 4))).toThrow('expected target dtype to be Long or Byte, but got Float');
  });
});

describe('nllLoss', () => {
  it('matches cross entropy on log-probabilities; none keeps rows', () => {
    const lp = torch.tensor(LOGITS).logSoftmax(1);
    expectClose(nllLoss(lp, T), 0.49569187);
    // F.nll_loss(logits, t, reduction='none') -> [-2, -3, -0, -2]
    expectClose(nllLoss(torch.tensor(LOGITS), T, { reduction: 'none' }), [-2, -3, 0, -2]);
    expectGradcheck((z) => nllLoss(z.logSoftmax(1), T), [logits()]);
    expect(nllLoss(logits(), T).gradFn?.name).toBe('NllLossBackward0');
    expect(() => nllLoss(torch.zeros(10, 5), torch.zeros(10))).toThrow('expected target dtype to be Long or Byte, but got Float');
    expect(() => nllLoss(torch.zeros(4, 5), torch.tensor([0n, 1n, 2n, -1n]))).toThrow('Target -1 is out of bounds.');
  });
});

describe('mseLoss', () => {
  const a = [
    [0.5, -1.0, 2.0],
    [1.5, 0.25, -0.75],
  ];
  it('forward (F.mse_loss) with broadcasting and reductions', () => {
    expectClose(mseLoss(torch.tensor(a), torch.full([2, 3], 0.5)), 1.1875);
    expectClose(mseLoss(torch.tensor(a), torch.tensor([0.5, 0, 1]), { reduction: 'none' }), [[0, 1, 1], [1, 0.0625, 3.0625]]);
    expectClose(mseLoss(torch.tensor(a), torch.full([2, 3], 0.5), { reduction: 'sum' }), 7.125);
  });
  it('backward (gradcheck) for input and target', () => {
    const x = torch.tensor(a, { requiresGrad: true });
    const y = torch.tensor([0.5, 0, 1], { requiresGrad: true });
    expectGradcheck((p, q) => mseLoss(p, q), [x, y]);
    expectGradcheck((p, q) => mseLoss(p, q, { reduction: 'none' }), [x, y]);
    expect(mseLoss(x, y).gradFn?.name).toBe('MseLossBackward0');
    expect(() => mseLoss(torch.zeros(2, 3), torch.zeros(2, 4))).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1',
    );
  });
});
