/**
 * The activation ops (src/ops/activation.ts): values and gradients equal PyTorch's on a grid with
 * the edges (fixtures from scripts/fixtures/make_activation_fixtures.py), finite-difference
 * gradients, PyTorch's node names, and the argument errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { uninitF32 } from '../../src/dtype';
import { kernels, UnaryOp } from '../../src/ops/kernels';

const F = torch.nn.functional;

type Encoded = Array<number | string>;
interface Case {
  op: string;
  args: Record<string, number | string>;
  node: string;
  input: Encoded;
  output: Encoded;
  grad: Encoded;
}

const FILE = path.join(__dirname, '..', 'fixtures', 'activations.json');
const { cases } = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { cases: Case[] };

const decode = (values: Encoded): number[] => values.map((v) => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity));

/** The fixture's call, in kindling's API. */
function call(c: Case, x: torch.Tensor): torch.Tensor {
  const a = c.args as Record<string, never>;
  switch (c.op) {
    case 'erf':
      return x.erf();
    case 'leakyRelu':
      return F.leakyRelu(x, a.negativeSlope);
    case 'elu':
      return F.elu(x, a.alpha);
    case 'silu':
      return F.silu(x);
    case 'gelu':
      return F.gelu(x, { approximate: a.approximate });
    case 'hardtanh':
      return F.hardtanh(x, a.minVal, a.maxVal);
    case 'softplus':
      return F.softplus(x, a.beta, a.threshold);
    default:
      throw new Error(`no kindling call for ${c.op}`);
  }
}

/** NaN matches NaN, ±inf itself, finite values to float32 rounding (subnormals absolutely). */
function expectSame(actual: ArrayLike<number>, expected: number[], input: number[], label: string): void {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const same = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= 1e-6 + 4e-6 * Math.abs(e);
    if (!same) throw new Error(`${label} at ${input[i]}: got ${a}, PyTorch ${e}`);
  }
}

describe('activations match PyTorch on a grid with the edges', () => {
  for (const c of cases) {
    it(`${c.op}(${JSON.stringify(c.args)}): value, gradient and node`, () => {
      const input = decode(c.input);
      const x = torch.tensor(Float32Array.from(input), { requiresGrad: true });
      const y = call(c, x);
      expect(y.gradFn?.name).toBe(c.node);
      expect(y.dtype).toBe('float32');
      expectSame(y.data as Float32Array, decode(c.output), input, `${c.op} value`);
      y.sum().backward();
      expectSame(x.grad!.data as Float32Array, decode(c.grad), input, `${c.op} gradient`);
    });
  }
});

describe('activation gradients against finite differences', () => {
  // Points away from the kinks (0, the hardtanh bounds, softplus's threshold).
  const x = () => torch.tensor([-3.1, -1.7, -0.6, -0.23, 0.31, 0.77, 1.4, 2.9], { requiresGrad: true });
  const fns: Array<[string, (t: torch.Tensor) => torch.Tensor]> = [
    ['erf', (t) => torch.erf(t)],
    ['leakyRelu', (t) => F.leakyRelu(t, 0.2)],
    ['elu', (t) => F.elu(t, 1.3)],
    ['silu', (t) => F.silu(t)],
    ['gelu', (t) => F.gelu(t)],
    ['gelu tanh', (t) => F.gelu(t, { approximate: 'tanh' })],
    ['hardtanh', (t) => F.hardtanh(t, -2, 2)],
    ['softplus', (t) => F.softplus(t, 1.5, 3)],
  ];
  for (const [name, fn] of fns) {
    it(name, () => expectGradcheck(fn, [x()]));
  }
});

describe('activation ops', () => {
  it('save their input for backward, as PyTorch: modifying it in place is caught', () => {
    const x = torch.tensor([-1, 0.5], { requiresGrad: true });
    for (const f of [F.leakyRelu, F.elu, F.silu, F.gelu, F.hardtanh, F.softplus, torch.erf] as Array<(t: torch.Tensor) => torch.Tensor>) {
      const h = x.mul(1);
      const y = f(h);
      torch.noGrad(() => h.add_(1));
      expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
    }
  });

  it("exact gelu's backward multiplies by the derivative its forward kept: unaryBackward's bits, on a retained graph too, and the buffer is recycled once the graph is freed", () => {
    const n = 70_001; // several thread chunks and a vector tail; above the recycling minimum
    const values = new Float32Array(n).map((_, i) => Math.sin(i * 0.37) * 6);
    values.set([NaN, Infinity, -Infinity, -30, 0, -0], n - 6);
    const upstream = new Float32Array(n).map((_, i) => Math.cos(i * 0.11) * 2);
    const expected = new Float32Array(n);
    kernels.unaryBackward(UnaryOp.gelu, upstream, values, new Float32Array(0), expected, 0);
    const forward = new Float32Array(n);
    kernels.unary(UnaryOp.gelu, values, forward, 0);

    const x = torch.tensor(values, { requiresGrad: true });
    const g = torch.tensor(upstream);
    const y = F.gelu(x);
    expect(y.gradFn?.name).toBe('GeluBackward0');
    expect(y.data).toEqual(forward);
    // Twice through a retained graph: the kept derivative must survive the first pass.
    y.backward(g, { retainGraph: true });
    expect(x.grad?.data).toEqual(expected);
    x.grad = null;
    // The gradient gelu receives is a buffer the engine owns here (mul's fresh result), so the
    // backward writes over it in place.
    y.mul(1).backward(g);
    expect(x.grad?.data).toEqual(expected);
    // Freed with the graph, the derivative is the newest spare buffer of its length.
    const derivative = new Float32Array(n);
    kernels.unaryBackward(UnaryOp.gelu, new Float32Array(n).fill(1), values, new Float32Array(0), derivative, 0);
    expect(uninitF32(n)).toEqual(derivative);
    expect(() => y.backward(g)).toThrow(/backward through the graph a second time/);
  });

  it('give float32 for integer inputs and keep the shape', () => {
    const x = torch.tensor([[-1n, 0n], [1n, 2n]]);
    const y = torch.erf(x);
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([2, 2]);
    expect(y.data[2]).toBeCloseTo(0.8427007794380188, 6);
  });

  it('are not recorded without requiresGrad', () => {
    expect(F.silu(torch.tensor([1])).gradFn).toBeNull();
  });

  it('refuse arguments of the wrong type or range with PyTorch words', () => {
    const x = torch.tensor([1]);
    expect(() => F.hardtanh(x, 1, 0)).toThrow(new RangeError('hardtanh(): min_val cannot be greater than max_val'));
    expect(() => F.gelu(x, { approximate: 'erf' as never })).toThrow(new RangeError("gelu(): approximate argument must be either none or tanh, got string 'erf'"));
    expect(() => F.gelu(x, 'tanh' as never)).toThrow(new TypeError("gelu: the second argument is an options object; use F.gelu(input, { approximate: 'tanh' })"));
    expect(() => F.gelu(x, { approximat: 'tanh' } as never)).toThrow(TypeError);
    expect(() => F.leakyRelu(x, '0.1' as never)).toThrow(new TypeError("leaky_relu(): argument 'negative_slope' must be a number, got string '0.1'"));
    expect(() => F.elu(x, null as never)).toThrow(new TypeError("elu(): argument 'alpha' must be a number, got null"));
    expect(() => F.softplus(x, 1, 'x' as never)).toThrow(new TypeError("softplus(): argument 'threshold' must be a number, got string 'x'"));
    expect(() => F.silu([1] as never)).toThrow(new TypeError("silu(): argument 'input' must be Tensor, not object"));
    expect(() => F.hardtanh(x, -1, 1, true)).toThrow(
      new TypeError("hardtanh: argument 'inplace' boolean true is not supported by kindling yet (no in-place activations; use the returned tensor)"),
    );
    expect(() => F.leakyRelu(x, 0.2, true)).toThrow(/leaky_relu: argument 'inplace' boolean true/);
    expect(() => F.elu(x, 1, true)).toThrow(/elu: argument 'inplace' boolean true/);
    expect(() => F.silu(x, true)).toThrow(/silu: argument 'inplace' boolean true/);
    expect(F.silu(x, false).data[0]).toBeCloseTo(0.7310585975646973, 6);
  });
});
