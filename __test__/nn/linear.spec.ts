import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { manualSeed } from '../../src/random/generator';
import { Tensor } from '../../src/tensor';

describe('Linear', () => {
  it('has weight [out, in] and bias [out] as parameters, in that order', () => {
    const fc = new nn.Linear(784, 64);
    expect(fc.weight.shape).toEqual([64, 784]);
    expect(fc.bias?.shape).toEqual([64]);
    expect(fc.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(fc.inFeatures).toBe(784);
    expect(fc.outFeatures).toBe(64);
    const noBias = new nn.Linear(3, 2, { bias: false });
    expect(noBias.bias).toBeNull();
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
  });

  it('initialises weight and bias in U(±1/√fanIn), filling the range', () => {
    const fc = new nn.Linear(400, 300);
    // The bound as the float32 the weights are drawn in: `uniform_(-b, b)` can return -b itself,
    // which as float32 lies just outside the double -1/20.
    const bound = Math.fround(1 / Math.sqrt(400));
    const w = Array.from(fc.weight.data);
    const max = w.reduce((a, v) => Math.max(a, v), -Infinity);
    const min = w.reduce((a, v) => Math.min(a, v), Infinity);
    expect(max).toBeLessThanOrEqual(bound);
    expect(min).toBeGreaterThanOrEqual(-bound);
    expect(max).toBeGreaterThan(0.99 * bound);
    expect(min).toBeLessThan(-0.99 * bound);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.002);
    const b = Array.from(fc.bias?.data ?? []);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(new Set(b).size).toBeGreaterThan(290); // drawn, not constant
  });

  it('is reproducible under manualSeed, and draws weight before bias from the global generator', () => {
    manualSeed(42);
    const a = new nn.Linear(5, 3);
    manualSeed(42);
    const b = new nn.Linear(5, 3);
    expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
    expect(Array.from(b.bias?.data ?? [])).toEqual(Array.from(a.bias?.data ?? []));
    const c = new nn.Linear(5, 3); // the generator moved on
    expect(Array.from(c.weight.data)).not.toEqual(Array.from(a.weight.data));
    // Same draws as filling weight then bias by hand from the same seed.
    manualSeed(42);
    const w = new Tensor(new Float32Array(15), [3, 5]);
    nn.init.kaimingUniform_(w, { a: Math.sqrt(5) });
    const bias = new Tensor(new Float32Array(3), [3]);
    nn.init.uniform_(bias, -1 / Math.sqrt(5), 1 / Math.sqrt(5));
    expect(Array.from(w.data)).toEqual(Array.from(a.weight.data));
    expect(Array.from(bias.data)).toEqual(Array.from(a.bias?.data ?? []));
  });

  it('computes x·Wᵀ + b', () => {
    const fc = new nn.Linear(3, 2);
    fc.weight.data.set([1, 2, 3, -1, 0, 1]);
    fc.bias?.data.set([0.5, -0.5]);
    const y = fc.forward(new Tensor(Float32Array.from([1, 1, 1, 2, 0, -1]), [2, 3]));
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([6.5, -0.5, -0.5, -3.5]);
  });

  it("reports a feature mismatch with PyTorch's matmul message", () => {
    const fc = new nn.Linear(784, 64);
    expect(() => fc.forward(new Tensor(new Float32Array(10 * 783), [10, 783]))).toThrow(
      'mat1 and mat2 shapes cannot be multiplied (10x783 and 784x64)',
    );
  });

  it('rejects bad sizes', () => {
    expect(() => new nn.Linear(-1, 3)).toThrow(new RangeError('Linear: in_features must be a non-negative integer, got -1'));
    expect(() => new nn.Linear(2, 1.5)).toThrow(new RangeError('Linear: out_features must be a non-negative integer, got 1.5'));
  });
});
