import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { Tensor } from '../../src/tensor';

const F = nn.functional;

describe('nn.functional', () => {
  it('linear computes x·Wᵀ + b, with or without bias, and records AddmmBackward0', () => {
    const x = new Tensor(Float32Array.from([1, 2]), [1, 2]);
    const w = new Tensor(Float32Array.from([1, 0, 0, 1, 1, 1]), [3, 2]).requiresGrad_();
    const b = new Tensor(Float32Array.from([0, 1, 2]), [3]);
    const y = F.linear(x, w, b);
    expect(Array.from(y.data)).toEqual([1, 3, 5]);
    expect(y.gradFn?.name).toBe('AddmmBackward0');
    expect(Array.from(F.linear(x, w).data)).toEqual([1, 2, 3]);
  });

  it('relu / sigmoid / tanh / softmax / logSoftmax / flatten delegate to the ops', () => {
    const x = new Tensor(Float32Array.from([-1, 0, 2, 3]), [2, 2]);
    expect(Array.from(F.relu(x).data)).toEqual([0, 0, 2, 3]);
    expect(F.sigmoid(x).data[1]).toBe(0.5);
    expect(F.tanh(x).data[1]).toBe(0);
    const s = F.softmax(x, 1);
    expect(s.data[0] + s.data[1]).toBeCloseTo(1, 6);
    expect(F.logSoftmax(x, 0).data[0]).toBeCloseTo(-1 - Math.log(Math.exp(-1) + Math.exp(2)), 6);
    expect(F.flatten(x).shape).toEqual([4]);
    expect(F.flatten(x, 1).shape).toEqual([2, 2]);
  });

  it('dropout defaults to training = true (as PyTorch) and is the identity otherwise', () => {
    const x = new Tensor(new Float32Array(1000).fill(1), [1000]);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    const y = F.dropout(x);
    const zeros = Array.from(y.data).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(400);
    expect(zeros).toBeLessThan(600);
  });

  it('losses take PyTorch options in camelCase', () => {
    const logits = new Tensor(Float32Array.from([0, 0, 5, 0]), [2, 2]);
    const target = new Tensor(Int32Array.from([0, -100]), [2], 'int32');
    // F.cross_entropy(torch.tensor([[0., 0.], [5., 0.]]), torch.tensor([0, -100])) == log(2)
    expect(F.crossEntropy(logits, target).item()).toBeCloseTo(Math.log(2), 6);
    expect(() => F.crossEntropy(logits, target, { ignoreIndex: 5 })).toThrow('Target -100 is out of bounds.');
    const logp = F.logSoftmax(logits, 1);
    expect(F.nllLoss(logp, target).item()).toBeCloseTo(Math.log(2), 6);
    expect(F.mseLoss(logits, new Tensor(new Float32Array(4), [2, 2])).item()).toBeCloseTo(25 / 4, 6);
  });
});
