import { describe, expect, it } from 'vitest';
import { kernels, type Conv2dOptions } from '../../src/ops/kernels';

const o = (p: Partial<Conv2dOptions> = {}): Conv2dOptions => ({
  batch: 1, inChannels: 1, inH: 3, inW: 3, outChannels: 1, kernelH: 2, kernelW: 2, strideH: 1, strideW: 1,
  padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, padBottom: 0, padRight: 0, ...p,
});

describe('convolution kernels through the seam', () => {
  // x = torch.arange(9.).reshape(1, 1, 3, 3); w = torch.tensor([[[[1., 2], [3, 4]]]])
  const x = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  const w = new Float32Array([1, 2, 3, 4]);

  it('conv2d and its two backwards (PyTorch: F.conv2d(x, w, torch.tensor([0.5])))', () => {
    const out = new Float32Array(4);
    kernels.conv2d(x, w, new Float32Array([0.5]), out, o());
    expect([...out]).toEqual([27.5, 37.5, 57.5, 67.5]);
    const gx = new Float32Array(9).fill(NaN);
    kernels.conv2dBackwardInput(new Float32Array([1, 1, 1, 1]), w, gx, o());
    expect([...gx]).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    const gw = new Float32Array(4);
    const gb = new Float32Array(1);
    kernels.conv2dBackwardWeight(new Float32Array([1, 1, 1, 1]), x, gw, gb, o());
    expect([...gw, ...gb]).toEqual([8, 12, 20, 24, 4]);
  });

  it('refuses wrong lengths and impossible sizes with RangeErrors naming the kernel', () => {
    const short = () => kernels.conv2d(x.subarray(1), w, null, new Float32Array(4), o());
    expect(short).toThrow(RangeError);
    expect(short).toThrow('conv2d: x has 8 elements, expected 9 (input [1, 1, 3, 3], weight [1, 1, 2, 2], output [1, 1, 2, 2])');
    expect(() => kernels.conv2d(x, w, null, new Float32Array(4), o({ kernelH: 4, kernelW: 4 }))).toThrow(
      'conv2d: kernel 4×4 (dilation 1×1) is larger than the padded input 3×3',
    );
    expect(() => kernels.conv2dBackwardInput(new Float32Array(4), w, new Float32Array(9), o({ groups: 0 }))).toThrow('conv2d_backward_input: groups must be positive');
    expect(() => kernels.conv2dBackwardWeight(new Float32Array(4), x, new Float32Array(3), null, o())).toThrow(/conv2d_backward_weight: gradWeight has 3 elements, expected 4/);
  });
});
