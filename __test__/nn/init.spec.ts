import { describe, expect, it, vi } from 'vitest';
import * as nn from '../../src/nn';
import { Tensor } from '../../src/tensor';

const { init } = nn;

function zeros(shape: number[]): Tensor {
  return new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
}

function maxAbs(t: Tensor): number {
  return Array.from(t.data).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

function stats(t: Tensor): { mean: number; std: number } {
  const values = Array.from(t.data);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance) };
}

describe('calculateGain', () => {
  it("returns PyTorch's gains", () => {
    // [nn.init.calculate_gain(n) for n in ('linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu')]
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('conv_transpose2d')).toBe(1);
    expect(init.calculateGain('convTranspose2d')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('relu')).toBe(Math.SQRT2);
    expect(init.calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain('leakyRelu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
  });

  it("rejects what PyTorch rejects, with its messages", () => {
    expect(() => init.calculateGain('swish' as nn.init.Nonlinearity)).toThrow(new RangeError('Unsupported nonlinearity swish'));
    expect(() => init.calculateGain('leaky_relu', 'x' as unknown as number)).toThrow(
      new TypeError('negative_slope x not a valid number'),
    );
  });
});

describe('fan computation', () => {
  it('uses dims 1 and 0 times the receptive field', () => {
    expect(init.calculateFanInAndFanOut(zeros([64, 784]))).toEqual([784, 64]);
    expect(init.calculateFanInAndFanOut(zeros([8, 3, 5, 5]))).toEqual([75, 200]);
  });

  it('needs at least two dimensions', () => {
    const message = 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions';
    expect(() => init.calculateFanInAndFanOut(zeros([5]))).toThrow(new RangeError(message));
    expect(() => init.kaimingUniform_(zeros([5]))).toThrow(new RangeError(message));
    expect(() => init.xavierNormal_(zeros([5]))).toThrow(new RangeError(message));
  });

  it('accepts fan_in / fanOut spellings and rejects other modes', () => {
    const w = zeros([10, 1000]);
    init.kaimingUniform_(w, { mode: 'fan_out', nonlinearity: 'relu' });
    expect(maxAbs(w)).toBeLessThanOrEqual(Math.sqrt(6 / 10));
    expect(maxAbs(w)).toBeGreaterThan(Math.sqrt(6 / 1000)); // clearly wider than fan_in would give
    init.kaimingUniform_(w, { mode: 'fanIn', nonlinearity: 'relu' });
    expect(maxAbs(w)).toBeLessThanOrEqual(Math.sqrt(6 / 1000));
    expect(() => init.kaimingNormal_(w, { mode: 'fan_avg' as nn.init.FanMode })).toThrow(
      new RangeError("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']"),
    );
  });
});

describe('initialisers', () => {
  it('kaimingUniform_ draws from U(±gain·√(3/fanIn))', () => {
    const w = zeros([256, 400]);
    expect(init.kaimingUniform_(w, { a: Math.sqrt(5) })).toBe(w);
    const bound = Math.fround(1 / Math.sqrt(400)); // as float32: -bound itself can be drawn
    expect(maxAbs(w)).toBeLessThanOrEqual(bound);
    expect(maxAbs(w)).toBeGreaterThan(0.99 * bound);
    expect(stats(w).std).toBeCloseTo(bound / Math.sqrt(3), 3);
  });

  it('kaimingNormal_ has std gain/√fan', () => {
    const w = zeros([256, 400]);
    init.kaimingNormal_(w, { nonlinearity: 'relu' });
    const { mean, std } = stats(w);
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(std).toBeCloseTo(Math.SQRT2 / 20, 3);
  });

  it('xavierUniform_ and xavierNormal_ use √(2/(fanIn+fanOut))·gain', () => {
    const w = zeros([300, 500]);
    init.xavierUniform_(w, 2);
    const a = 2 * Math.sqrt(6 / 800);
    expect(maxAbs(w)).toBeLessThanOrEqual(a);
    expect(maxAbs(w)).toBeGreaterThan(0.99 * a);
    init.xavierNormal_(w);
    expect(stats(w).std).toBeCloseTo(Math.sqrt(2 / 800), 3);
  });

  it('uniform_, normal_, constant_, ones_, zeros_', () => {
    const t = zeros([20000]);
    init.uniform_(t, -2, -1);
    expect(t.data.every((v) => v >= -2 && v <= -1)).toBe(true);
    init.normal_(t, 3, 0.5);
    expect(stats(t).mean).toBeCloseTo(3, 1);
    expect(stats(t).std).toBeCloseTo(0.5, 1);
    init.constant_(t, 0.25);
    expect(t.data.every((v) => v === 0.25)).toBe(true);
    init.ones_(t);
    expect(t.data.every((v) => v === 1)).toBe(true);
    init.zeros_(t);
    expect(t.data.every((v) => v === 0)).toBe(true);
  });

  it('leaves zero-element tensors alone, with a warning', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const t = zeros([0, 3]);
    expect(init.kaimingUniform_(t)).toBe(t);
    expect(warn).toHaveBeenCalledWith('Initializing zero-element tensors is a no-op');
    warn.mockRestore();
  });

  it('does not record a graph when filling a parameter', () => {
    const p = new nn.Parameter(zeros([4, 4]));
    init.kaimingUniform_(p);
    expect(p.gradFn).toBeNull();
    expect(p.isLeaf).toBe(true);
  });
});
