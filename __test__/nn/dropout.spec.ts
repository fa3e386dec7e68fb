import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import * as nn from '../../src/nn';
import { manualSeed } from '../../src/random/generator';
import { Tensor } from '../../src/tensor';

function ones(n: number): Tensor {
  return new Tensor(new Float32Array(n).fill(1), [n]);
}

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1−p) in training', () => {
    const drop = new nn.Dropout(0.25);
    const y = drop.forward(ones(100_000));
    const kept = Array.from(y.data).filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(1 - kept.length / 100_000).toBeCloseTo(0.25, 2);
  });

  it('is the identity in eval mode', () => {
    const drop = new nn.Dropout(0.5);
    drop.eval();
    const x = ones(1000);
    const y = drop.forward(x);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
    const model = new nn.Sequential(new nn.Dropout(0.9));
    model.eval();
    expect(Array.from(model.forward(x).data)).toEqual(Array.from(x.data));
  });

  it('draws its masks from the global generator (reproducible under manualSeed)', () => {
    const drop = new nn.Dropout(0.5);
    manualSeed(7);
    const a = Array.from(drop.forward(ones(64)).data);
    manualSeed(7);
    const b = Array.from(drop.forward(ones(64)).data);
    expect(b).toEqual(a);
    expect(Array.from(drop.forward(ones(64)).data)).not.toEqual(a);
  });

  it("validates p with PyTorch's message", () => {
    expect(() => new nn.Dropout(1.5)).toThrow(new RangeError('dropout probability has to be between 0 and 1, but got 1.5'));
    expect(() => new nn.Dropout(-0.1)).toThrow(new RangeError('dropout probability has to be between 0 and 1, but got -0.1'));
    expect(() => nn.functional.dropout(ones(2), 2)).toThrow(
      new RangeError('dropout probability has to be between 0 and 1, but got 2'),
    );
    expect(new nn.Dropout().p).toBe(0.5);
  });
});

describe('nn.Dropout1d / nn.Dropout2d (channel dropout)', () => {
  it('zeroes whole channels, scales the rest by 1/(1-p), and passes the same mask to the gradient', () => {
    torch.manualSeed(3);
    const drop = new torch.nn.Dropout2d(0.5);
    expect(String(drop)).toBe('Dropout2d(p=0.5, inplace=False)');
    const x = torch.ones([8, 64, 3, 3]).requiresGrad_();
    const y = drop.forward(x);
    const v = Array.from(y.data);
    let kept = 0;
    for (let ch = 0; ch < 8 * 64; ch++) {
      const plane = v.slice(ch * 9, ch * 9 + 9);
      expect(new Set(plane).size).toBe(1);
      expect([0, 2]).toContain(plane[0]);
      if (plane[0] === 2) kept++;
    }
    // 512 channels kept with probability 0.5: within 4.5 standard deviations (±51).
    expect(Math.abs(kept - 256)).toBeLessThan(51);
    y.sum().backward();
    expect(Array.from((x.grad as torch.Tensor).data)).toEqual(v);
    drop.eval();
    expect(drop.forward(x)).toBe(x);
  });

  it('is reproducible from the seed, and Dropout1d takes [C, L] and [N, C, L]', () => {
    const run = () => {
      torch.manualSeed(11);
      return Array.from(new torch.nn.Dropout1d(0.3).forward(torch.ones([4, 5, 6])).data);
    };
    expect(run()).toEqual(run());
    expect(new torch.nn.Dropout1d(0.3).forward(torch.ones([5, 6])).shape).toEqual([5, 6]);
    expect(() => new torch.nn.Dropout1d(0.3).forward(torch.ones([2, 3, 4, 5]))).toThrow(
      new RangeError('dropout1d: Expected 2D or 3D input, but received a 4D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).'),
    );
    expect(() => new torch.nn.Dropout2d(1.5)).toThrow(new RangeError('dropout probability has to be between 0 and 1, but got 1.5'));
  });
});
