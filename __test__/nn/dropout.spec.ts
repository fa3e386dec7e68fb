import { describe, expect, it } from 'vitest';
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
