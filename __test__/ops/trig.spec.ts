/**
 * `torch.sin` / `torch.cos` against PyTorch (`misc-ops.json`, scripts/fixtures/make_misc_ops_fixtures.py):
 * values within 1 ulp (PyTorch's Sleef kernels and libm are each faithfully rounded, not always
 * the same way), input gradients `g·cos(x)` / `−g·sin(x)` within 3 ulps (the 1 ulp of cos/sin
 * scaled by g ∈ [−1.5, 2], plus the product's rounding), grad_fn names, gradcheck.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';
import { expectUlps, num } from '../helpers/ulps';

interface UnaryCase {
  input: (number | string)[];
  shape: number[];
  values: (number | string)[];
  gradOutput: number[];
  gradInput: (number | string)[];
  gradFn: string;
}
const fixture = loadFixture<{ sin: UnaryCase; cos: UnaryCase }>('misc-ops');

describe('sin / cos against PyTorch', () => {
  for (const name of ['sin', 'cos'] as const) {
    it(`${name}: values, input gradient and grad_fn`, () => {
      const c = fixture[name];
      const x = torch.tensor(c.input.map(num)).reshape(c.shape).detach().requiresGrad_(true);
      const y = name === 'sin' ? torch.sin(x) : x.cos();
      expect(y.gradFn?.name).toBe(c.gradFn);
      expectUlps(y.data as Float32Array, c.values, 1, `${name} values`);
      y.backward(torch.tensor(c.gradOutput).reshape(c.shape));
      expectUlps((x.grad as torch.Tensor).data as Float32Array, c.gradInput, 3, `${name} gradient`);
    });
  }

  it('keeps the sign of zero in sin, gives NaN at ±inf, and float32 for integer input', () => {
    expect(Object.is(torch.sin(torch.tensor([-0])).item(), -0)).toBe(true);
    expect(torch.cos(torch.tensor([-0, Infinity])).tolist()).toEqual([1, NaN]);
    const i = torch.tensor([0n, 1n]);
    expect(torch.sin(i).dtype).toBe('float32');
    expectUlps(i.cos().data as Float32Array, [1, Math.fround(Math.cos(1))], 1, 'cos of int64');
  });

  it('passes gradcheck', () => {
    expectGradcheck((x) => torch.sin(x).mul(x.cos()), [torch.randn([3, 4]).mul(3).detach().requiresGrad_(true)]);
  });

  it('refuses a non-tensor, naming the op', () => {
    expect(() => torch.sin([1, 2] as never)).toThrow(TypeError);
    expect(() => torch.cos(1 as never)).toThrow(/cos/);
  });
});
