/**
 * nn.init against PyTorch (`__test__/fixtures/init.json`): `calculateGain`, fan-in/fan-out, the
 * bound or standard deviation each initialiser derives from them (checked on the values it draws),
 * nn.Linear's default init, and PyTorch's error messages.
 *
 * kindling's generator is not PyTorch's, so drawn values are compared by their range and spread:
 * uniform draws must lie within ±bound and reach past 0.99·bound (for n ≥ 1000 draws the chance
 * of missing that is 0.99^n < 5e-5); normal draws' sample std must be within 5 standard errors
 * (5/√(2n): 10% at n = 1200, 1.6% at n = 50176) of the target. A wrong formula is off by far more
 * (√2, √3, or the wrong fan: ≥ 40% for these shapes). Each test seeds the generator, so the draws
 * are the same on every run. Gains and fans are exact (float64 both sides).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type ErrorFixture, expectClose, expectPyTorchError, loadFixture } from '../helpers/fixtures';

interface FanFixture {
  shape: number[];
  fan_in: number;
  fan_out: number;
  kaiming_uniform_bound: { default: number; a_sqrt5: number; fan_out_relu: number };
  kaiming_normal_std: { default: number; fan_out_relu: number };
  xavier_uniform_bound: { default: number; gain_2: number };
  xavier_normal_std: { default: number };
  linear_bias_bound: number;
}

interface InitFile {
  gains: { nonlinearity: string; param: number | null; gain: number; torch: string }[];
  fans: FanFixture[];
  errors: ErrorFixture[];
}

const file = loadFixture<InitFile>('init');
const { init } = torch.nn;

function stats(t: torch.Tensor): { maxAbs: number; std: number; mean: number } {
  const d = t.data as Float32Array;
  let sum = 0;
  let maxAbs = 0;
  for (const v of d) {
    sum += v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = sum / d.length;
  let sq = 0;
  for (const v of d) sq += (v - mean) ** 2;
  return { maxAbs, std: Math.sqrt(sq / (d.length - 1)), mean };
}

function expectUniformWithin(t: torch.Tensor, bound: number, label: string): void {
  const { maxAbs } = stats(t);
  expect(maxAbs, `${label}: max |value| ${maxAbs} exceeds bound ${bound}`).toBeLessThanOrEqual(bound);
  if (t.data.length >= 1000) expect(maxAbs, `${label}: max |value| ${maxAbs} never nears bound ${bound}`).toBeGreaterThan(0.99 * bound);
}

function expectNormalStd(t: torch.Tensor, std: number, label: string): void {
  if (t.data.length < 1000) return;
  const s = stats(t);
  const standardErrors = 5 / Math.sqrt(2 * t.data.length);
  expect(Math.abs(s.std / std - 1), `${label}: sample std ${s.std}, expected ${std}`).toBeLessThan(standardErrors);
}

describe('nn.init matches PyTorch', () => {
  beforeEach(() => {
    torch.manualSeed(0);
  });

  for (const g of file.gains) {
    it(`calculateGain(${g.nonlinearity}${g.param === null ? '' : `, ${g.param}`})`, () => {
      const nonlinearity = g.nonlinearity as torch.nn.init.Nonlinearity;
      const gain = g.param === null ? init.calculateGain(nonlinearity) : init.calculateGain(nonlinearity, g.param);
      expectClose(gain, g.gain, { rtol: 1e-15, atol: 0, label: g.torch });
    });
  }

  for (const f of file.fans) {
    const shape = `[${f.shape.join(', ')}]`;

    it(`fan in/out of ${shape}`, () => {
      expect(init.calculateFanInAndFanOut(torch.empty(f.shape))).toEqual([f.fan_in, f.fan_out]);
    });

    it(`initialisers of ${shape} use PyTorch's bounds`, () => {
      const t = () => torch.empty(f.shape);
      expectUniformWithin(init.kaimingUniform_(t()), f.kaiming_uniform_bound.default, `kaimingUniform_ ${shape}`);
      expectUniformWithin(init.kaimingUniform_(t(), { a: Math.sqrt(5) }), f.kaiming_uniform_bound.a_sqrt5, `kaimingUniform_(a=√5) ${shape}`);
      expectUniformWithin(
        init.kaimingUniform_(t(), { mode: 'fan_out', nonlinearity: 'relu' }),
        f.kaiming_uniform_bound.fan_out_relu,
        `kaimingUniform_(fan_out, relu) ${shape}`,
      );
      expectNormalStd(init.kaimingNormal_(t()), f.kaiming_normal_std.default, `kaimingNormal_ ${shape}`);
      expectNormalStd(init.kaimingNormal_(t(), { mode: 'fan_out', nonlinearity: 'relu' }), f.kaiming_normal_std.fan_out_relu, `kaimingNormal_(fan_out) ${shape}`);
      expectUniformWithin(init.xavierUniform_(t()), f.xavier_uniform_bound.default, `xavierUniform_ ${shape}`);
      expectUniformWithin(init.xavierUniform_(t(), 2), f.xavier_uniform_bound.gain_2, `xavierUniform_(gain=2) ${shape}`);
      expectNormalStd(init.xavierNormal_(t()), f.xavier_normal_std.default, `xavierNormal_ ${shape}`);
    });
  }

  it("nn.Linear(784, 64) draws weight and bias within PyTorch's bounds", () => {
    const f = file.fans.find((x) => x.shape.join() === '64,784')!;
    const linear = new torch.nn.Linear(784, 64);
    expectUniformWithin(linear.weight, f.kaiming_uniform_bound.a_sqrt5, 'Linear(784, 64).weight');
    const bias = stats(linear.bias!);
    expect(bias.maxAbs).toBeLessThanOrEqual(f.linear_bias_bound);
    expect(bias.maxAbs).toBeGreaterThan(0.8 * f.linear_bias_bound); // 64 draws: P(all < 0.8·bound) = 0.8^64 ≈ 6e-7
  });

  for (const e of file.errors) {
    it(`error: ${e.case}`, () => {
      const run: Record<string, () => unknown> = {
        fan_1d: () => init.calculateFanInAndFanOut(torch.empty([5])),
        gain_unknown: () => init.calculateGain('foo' as 'linear'),
        kaiming_bad_mode: () => init.kaimingUniform_(torch.empty([3, 4]), { mode: 'fan_avg' as 'fan_in' }),
      };
      expectPyTorchError(run[e.case], e);
    });
  }
});
