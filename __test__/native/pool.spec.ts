import { describe, expect, it } from 'vitest';
import { kernels, type Pool2dOptions } from '../../src/ops/kernels';

// x = torch.tensor([[[[1., 5, 2, 0], [3, 4, 9, 8], [7, 6, 1, 1]]]]): one plane of 3×4.
const x = new Float32Array([1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 1, 1]);
const pool = (o: Partial<Pool2dOptions>): Pool2dOptions => ({
  planes: 1, inH: 3, inW: 4, outH: 1, outW: 2, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2,
  padH: 0, padW: 0, dilationH: 1, dilationW: 1, countIncludePad: true, divisorOverride: 0, ...o,
});

describe('pooling kernels through the seam', () => {
  it('maxPool2d and its backward (PyTorch: F.max_pool2d(x, 2, return_indices=True))', () => {
    const values = new Float32Array(2);
    const indices = new Int32Array(2);
    kernels.maxPool2d(x, values, indices, pool({}));
    expect([...values, ...indices]).toEqual([5, 9, 1, 6]);
    const gradIn = new Float32Array(12).fill(7);
    kernels.maxPoolBackward(new Float32Array([0.5, 2]), indices, gradIn, 1, 12, 2);
    expect([...gradIn]).toEqual([0, 0.5, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
  });

  it('avgPool2d with padding, ceil-mode windows and both divisor rules (PyTorch: F.avg_pool2d(x, 2, padding=1, ceil_mode=True))', () => {
    const o = pool({ outH: 2, outW: 3, padH: 1, padW: 1 });
    const out = new Float32Array(6);
    kernels.avgPool2d(x, out, o);
    expect([...out]).toEqual([0.25, 1.75, 0, 2.5, 5, 2.25]);
    kernels.avgPool2d(x, out, { ...o, countIncludePad: false });
    expect([...out]).toEqual([1, 3.5, 0, 5, 5, 4.5]);
    const gradIn = new Float32Array(12);
    kernels.avgPool2dBackward(new Float32Array(6).fill(4), gradIn, o);
    expect([...gradIn]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('adaptive pooling (PyTorch: F.adaptive_avg_pool2d(x, (2, 3)), F.adaptive_max_pool2d(x, (2, 3)))', () => {
    const o = { planes: 1, inH: 3, inW: 4, outH: 2, outW: 3 };
    const out = new Float32Array(6);
    kernels.adaptiveAvgPool2d(x, out, o);
    expect([...out]).toEqual([3.25, 5, 4.75, 5, 5, 4.75]);
    const indices = new Int32Array(6);
    kernels.adaptiveMaxPool2d(x, out, indices, o);
    expect([...out, ...indices]).toEqual([5, 9, 9, 7, 9, 9, 1, 6, 6, 8, 6, 6]);
    const gradIn = new Float32Array(12);
    kernels.adaptiveAvgPool2dBackward(new Float32Array(6).fill(1), gradIn, o);
    expect([...gradIn]).toEqual([0.25, 0.5, 0.5, 0.25, 0.5, 1, 1, 0.5, 0.25, 0.5, 0.5, 0.25]);
  });

  it('refuses wrong lengths and indices outside the plane with RangeErrors naming the kernel', () => {
    const expectError = (f: () => void, message: string, code: string): void => {
      let caught: unknown;
      try {
        f();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RangeError);
      expect(caught).toMatchObject({ message, code });
    };
    expectError(() => kernels.avgPool2d(x, new Float32Array(3), pool({})), 'avg_pool2d: out has 3 elements, expected 2 (1 planes of 12 in, 2 out)', 'ERR_KINDLING_LENGTH');
    expectError(
      () => kernels.maxPool2d(x.subarray(1), new Float32Array(2), new Int32Array(2), pool({})),
      'max_pool2d: x has 11 elements, expected 12 (1 planes of 12 in, 2 out)',
      'ERR_KINDLING_LENGTH',
    );
    expectError(
      () => kernels.maxPoolBackward(new Float32Array(2), new Int32Array([0, 12]), new Float32Array(12), 1, 12, 2),
      'max_pool_backward: index 12 is outside the input plane of 12 elements',
      'ERR_KINDLING_VALUE',
    );
    expectError(
      () => kernels.adaptiveAvgPool2d(x, new Float32Array(0), { planes: 1, inH: 3, inW: 4, outH: 0, outW: 2 }),
      'adaptive_avg_pool2d: output sizes must be positive',
      'ERR_KINDLING_VALUE',
    );
    expectError(() => kernels.avgPool2d(x, new Float32Array(2), pool({ strideW: 0 })), 'avg_pool2d: stride and dilation must be positive', 'ERR_KINDLING_VALUE');
  });
});
