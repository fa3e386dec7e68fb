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

/** The convolution by its definition, in f64: every output a sum over its window's taps. */
function naiveConv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | null, o: { stride?: number; padding?: number; dilation?: number; groups?: number }): number[] {
  const [n, c, h, wd] = x.shape;
  const [co, cig, kh, kw] = w.shape;
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = o;
  const oh = Math.floor((h + 2 * padding - dilation * (kh - 1) - 1) / stride) + 1;
  const ow = Math.floor((wd + 2 * padding - dilation * (kw - 1) - 1) / stride) + 1;
  const xv = x.contiguous().data as Float32Array;
  const wv = w.contiguous().data as Float32Array;
  const cog = co / groups;
  const out: number[] = [];
  for (let img = 0; img < n; img++) {
    for (let k = 0; k < co; k++) {
      const g = Math.floor(k / cog);
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let s = b === null ? 0 : (b.data as Float32Array)[k];
          for (let ci = 0; ci < cig; ci++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const yy = y * stride + i * dilation - padding;
                const xx = xo * stride + j * dilation - padding;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                s += xv[((img * c + g * cig + ci) * h + yy) * wd + xx] * wv[((k * cig + ci) * kh + i) * kw + j];
              }
            }
          }
          out.push(s);
        }
      }
    }
  }
  return out;
}

describe('conv2d on a small batch (the forward split over output channels and positions)', () => {
  // A batch of one or a few images: the MNIST layers, padding, groups, dilation, a 1×1 kernel,
  // channel counts off the register tile, an image narrower than one tile, and stride 2 (which
  // takes im2col); with and without a graph, on one thread and on two.
  const cases: Array<[string, number[], number[], { stride?: number; padding?: number; dilation?: number; groups?: number }]> = [
    ['the MNIST conv2 at batch 1', [1, 32, 26, 26], [64, 32, 3, 3], {}],
    ['the MNIST conv1 at batch 1', [1, 1, 28, 28], [32, 1, 3, 3], {}],
    ['padding 1, 13 output channels', [1, 5, 9, 13], [13, 5, 3, 3], { padding: 1 }],
    ['groups 2 over 3 images', [3, 8, 9, 11], [20, 4, 3, 3], { padding: 1, groups: 2 }],
    ['dilation 2 with padding 2', [1, 6, 12, 14], [9, 6, 3, 3], { padding: 2, dilation: 2 }],
    ['a 1×1 kernel', [1, 16, 8, 8], [24, 16, 1, 1], {}],
    ['a 3×4 image', [2, 4, 3, 4], [9, 4, 2, 2], {}],
    ['stride 2 (im2col)', [1, 8, 11, 11], [16, 8, 3, 3], { stride: 2, padding: 1 }],
  ];
  for (const [label, xs, ws, o] of cases) {
    it(`${label}: ${JSON.stringify(xs)} * ${JSON.stringify(ws)} ${JSON.stringify(o)}`, () => {
      torch.manualSeed(21);
      const x = torch.randn(xs);
      const w = torch.randn(ws).mul(0.3);
      const b = torch.randn([ws[0]]);
      const want = naiveConv2d(x, w, b, o);
      const before = torch.getNumThreads();
      try {
        const runs = [1, 2].map((threads) => {
          torch.setNumThreads(threads);
          const eval_ = torch.noGrad(() => conv2d(x, w, b, o));
          const wg = w.detach().requiresGrad_();
          const graph = conv2d(x, wg, b, o);
          expect(graph.gradFn?.name).toBe('ConvolutionBackward0');
          expect(Array.from(graph.data)).toEqual(Array.from(eval_.data));
          return Array.from(eval_.data);
        });
        expect(runs[1]).toEqual(runs[0]);
        expect(runs[0].length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(Math.abs(runs[0][i] - want[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));
      } finally {
        torch.setNumThreads(before);
      }
    });
  }

  it('an unbatched image gives the batch-of-one bits, and its gradients stay correct', () => {
    const x = leaf([32, 12, 12], 22);
    const w = leaf([64, 32, 3, 3], 23);
    const one = conv2d(x, w, null, { padding: 1 });
    expect(Array.from(one.data)).toEqual(Array.from(conv2d(x.unsqueeze(0), w, null, { padding: 1 }).data));
    expectGradcheck((xi, wi, bi) => conv2d(xi, wi, bi, { padding: 1 }), [leaf([1, 3, 5, 6], 24), leaf([10, 3, 3, 3], 25), leaf([10], 26)]);
  });
});
