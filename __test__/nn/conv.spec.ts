import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn } from '../../src';

describe('nn.Conv2d / nn.Conv1d', () => {
  it("initialises as PyTorch: weight and bias within ±1/√fanIn, drawn from kindling's generator", () => {
    torch.manualSeed(0);
    const a = new nn.Conv2d(32, 64, 3);
    const bound = 1 / Math.sqrt(32 * 9);
    for (const p of [a.weight, a.bias as torch.Tensor]) {
      const v = Array.from(p.data);
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
    }
    // Uniform on ±bound: the variance is bound²/3 (18,432 draws: within 5 %).
    const w = Array.from(a.weight.data);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance / (bound * bound / 3)).toBeGreaterThan(0.95);
    expect(variance / (bound * bound / 3)).toBeLessThan(1.05);
    torch.manualSeed(0);
    expect(Array.from(new nn.Conv2d(32, 64, 3).weight.data)).toEqual(w);
  });

  it('has PyTorch\'s state_dict keys and shapes, and loads them back', () => {
    const conv = new nn.Conv2d(4, 8, [3, 5], { groups: 2 });
    const sd = conv.stateDict();
    expect(Object.keys(sd)).toEqual(['weight', 'bias']);
    expect(sd.weight.shape).toEqual([8, 2, 3, 5]);
    const other = new nn.Conv2d(4, 8, [3, 5], { groups: 2 });
    other.loadStateDict(sd);
    expect(Array.from(other.weight.data)).toEqual(Array.from(conv.weight.data));
    expect(Object.keys(new nn.Conv1d(2, 3, 4, { bias: false }).stateDict())).toEqual(['weight']);
  });

  it('trains in a Sequential: the MNIST example\'s first layers give the shapes PyTorch gives', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 32, 3, { stride: 1 }), new nn.ReLU(), new nn.Conv2d(32, 64, 3, { stride: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten());
    const out = model.forward(torch.randn([4, 1, 28, 28]));
    expect(out.shape).toEqual([4, 9216]);
    out.sum().backward();
    for (const p of model.parameters()) expect(p.grad?.shape).toEqual(p.shape);
  });

  it('conv1d through the module, with padding same', () => {
    const conv = new nn.Conv1d(3, 5, 4, { padding: 'same', dilation: 2 });
    expect(conv.forward(torch.randn([2, 3, 11])).shape).toEqual([2, 5, 11]);
  });

  it('refuses what PyTorch refuses, and the padding modes it does not implement yet', () => {
    expect(() => new nn.Conv2d(4, 4, [3, 3, 3] as never)).toThrow(new TypeError('Conv2d: kernel_size must be an integer or a tuple of two integers, got [3,3,3]'));
    expect(() => new nn.Conv2d(-1, 4, 3)).toThrow(new RangeError('Conv2d: in_channels must be a non-negative integer, got -1'));
    expect(() => new nn.Conv2d(4, 4, 3, 1 as never)).toThrow(/Conv2d.*fourth/);
    expect(() => new nn.Conv2d(4, 4, 3, { strides: 2 } as never)).toThrow(/Conv2d.*strides/);
  });
});
