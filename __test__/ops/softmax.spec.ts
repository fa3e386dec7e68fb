import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose } from '../helpers/close';
import { expectGradcheck } from '../helpers/gradcheck';

const A = [
  [0.5, -1.0, 2.0],
  [1.5, 0.25, -0.75],
];
const leaf = (v: torch.NestedArray): torch.Tensor => torch.tensor(v, { dtype: torch.float32, requiresGrad: true });

describe('softmax / logSoftmax', () => {
  it('forward (PyTorch: a.softmax(1), a.log_softmax(0))', () => {
    const a = torch.tensor(A);
    expectClose(a.softmax(1), [[0.17529039, 0.03911257, 0.78559703], [0.71844035, 0.20583661, 0.07572305]]);
    expectClose(a.logSoftmax(0), [[-1.3132616, -1.501929, -0.061967615], [-0.31326166, -0.25192904, -2.8119676]]);
    expectClose(torch.softmax(a, -1), a.softmax(1).tolist());
    // Stable for large logits (no overflow to NaN); the native log is accurate to ~3e-5 here.
    expectClose(torch.logSoftmax(torch.tensor([1000, 1000], { dtype: torch.float32 }), 0), [-Math.LN2, -Math.LN2], 1e-4);
  });

  it('backward (gradcheck) over inner and outer dims, with names', () => {
    expectGradcheck((x) => x.softmax(1), [leaf(A)]);
    expectGradcheck((x) => x.softmax(0), [leaf(A)]);
    expectGradcheck((x) => x.logSoftmax(1), [leaf(A)]);
    expectGradcheck((x) => x.reshape(1, 2, 3).logSoftmax(1), [leaf(A)]);
    const x = leaf(A);
    expect(x.softmax(0).gradFn?.name).toBe('SoftmaxBackward0');
    expect(x.logSoftmax(0).gradFn?.name).toBe('LogSoftmaxBackward0');
  });

  it('validates dim and dtype', () => {
    expect(() => torch.tensor(A).softmax(2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => torch.tensor([1n, 2n]).softmax(0)).toThrow(TypeError);
  });
});
