import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { conv1d, conv2d } from '../../src/ops/conv';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[], seed: number): torch.Tensor => {
  torch.manualSeed(seed);
  return torch.randn(shape).requiresGrad_();
};

describe('convolution gradients by finite differences', () => {
  it('conv2d with stride, padding, dilation and groups, for input, weight and bias', () => {
    expectGradcheck((x, w, b) => conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }), [leaf([2, 4, 6, 7], 1), leaf([6, 2, 3, 2], 2), leaf([6], 3)]);
  });
  it("conv2d with padding 'same' and an even kernel, depthwise", () => {
    expectGradcheck((x, w) => conv2d(x, w, null, { padding: 'same', groups: 3 }), [leaf([1, 3, 5, 4], 4), leaf([3, 1, 2, 2], 5)]);
  });
  it('conv1d, batched and unbatched', () => {
    expectGradcheck((x, w, b) => conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2 }), [leaf([2, 3, 9], 6), leaf([4, 3, 3], 7), leaf([4], 8)]);
    expectGradcheck((x, w) => conv1d(x, w), [leaf([3, 6], 9), leaf([2, 3, 2], 10)]);
  });
});

describe('conv2d', () => {
  it('gives an unbatched input the batch-of-one result', () => {
    const x = leaf([3, 6, 5], 11);
    const w = leaf([4, 3, 3, 3], 12);
    const one = conv2d(x, w, null, { padding: 1 });
    expect(one.shape).toEqual([4, 6, 5]);
    expect(Array.from(one.data)).toEqual(Array.from(conv2d(x.unsqueeze(0), w, null, { padding: 1 }).data));
  });

  it('reads a non-contiguous input and weight (a transposed view) as their values', () => {
    const x = leaf([2, 3, 5, 6], 13).transpose(2, 3);
    const w = leaf([4, 3, 3, 2], 14).transpose(2, 3);
    const got = conv2d(x, w);
    const want = conv2d(x.contiguous(), w.contiguous());
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
  });

  it('computes only the gradients the graph needs (no input gradient for data)', () => {
    const x = torch.randn([2, 1, 6, 6]);
    const w = leaf([3, 1, 3, 3], 15);
    const out = conv2d(x, w);
    out.sum().backward();
    expect(x.grad).toBeNull();
    expect(w.grad?.shape).toEqual([3, 1, 3, 3]);
  });

  it('gives the same numbers on one thread and on two', () => {
    const x = leaf([9, 8, 10, 10], 16);
    const w = leaf([16, 8, 3, 3], 17);
    const run = (threads: number) => {
      torch.setNumThreads(threads);
      x.grad = null;
      w.grad = null;
      const out = conv2d(x, w, null, { padding: 1 });
      out.mul(out).sum().backward();
      return [Array.from(out.data), Array.from((x.grad as torch.Tensor).data), Array.from((w.grad as torch.Tensor).data)];
    };
    const before = torch.getNumThreads();
    try {
      expect(run(1)).toEqual(run(2));
    } finally {
      torch.setNumThreads(before);
    }
  });

  it('saves its inputs: changing one in place before backward is an error', () => {
    const x = leaf([1, 2, 5, 5], 18);
    const w = torch.randn([2, 2, 3, 3]).requiresGrad_();
    const out = conv2d(x, w);
    torch.noGrad(() => w.mul_(2));
    expect(() => out.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it('refuses bad arguments with typed errors naming the op', () => {
    const w = torch.randn([2, 1, 3, 3]);
    expect(() => conv2d([1, 2] as never, w)).toThrow(new TypeError("conv2d(): argument 'input' (position 1) must be Tensor, not list"));
    expect(() => conv2d(torch.randn([1, 1, 5, 5]), null as never)).toThrow(new TypeError("conv2d(): argument 'weight' (position 2) must be Tensor, not NoneType"));
    expect(() => conv2d(torch.zeros([1, 1, 5, 5], { dtype: 'int64' }), w)).toThrow(new TypeError('conv2d: expected input to be float32, got int64 (kindling convolves float32 tensors)'));
    expect(() => conv2d(torch.randn([1, 1, 5, 5]), torch.randn([2, 1, 3]))).toThrow('conv2d: expected weight to be 4-dimensional ([out_channels, in_channels/groups, kH, kW]), but got weight of size [2, 1, 3]');
    expect(() => conv2d(torch.randn([1, 1, 5, 5]), w, null, { stide: 2 } as never)).toThrow(/conv2d.*stide/);
  });

  it('gives an empty batch an empty output and zero weight gradient', () => {
    const w = leaf([3, 2, 3, 3], 19);
    const out = conv2d(torch.randn([0, 2, 5, 5]), w);
    expect(out.shape).toEqual([0, 3, 3, 3]);
    out.sum().backward();
    expect(Array.from((w.grad as torch.Tensor).data).every((v) => v === 0)).toBe(true);
  });
});
