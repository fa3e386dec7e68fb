/**
 * Gradients at the edges (#10.5): every elementwise op's value and gradient at 0, −0, negative
 * bases and ±inf equal PyTorch's (fixtures from scripts/fixtures/make_edge_grads.py). `pow` with
 * a tensor exponent gave [NaN, −Inf] for d/de of 0^e and NaN for d/dx of x^0 at x = 0.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';

type Encoded = Array<number | string>;
interface Case {
  op: string;
  inputs: Encoded[];
  output: Encoded;
  grads: Encoded[];
}

const FILE = path.join(__dirname, '..', '..', 'fixtures', 'edge_grads.json');
const { cases } = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { cases: Case[] };

const decode = (values: Encoded): number[] => values.map((v) => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity));

const OPS: Record<string, (...xs: torch.Tensor[]) => torch.Tensor> = {
  neg: (x) => x.neg(),
  exp: (x) => x.exp(),
  log: (x) => x.log(),
  sqrt: (x) => x.sqrt(),
  relu: (x) => x.relu(),
  sigmoid: (x) => x.sigmoid(),
  tanh: (x) => x.tanh(),
  abs: (x) => x.abs(),
  pow_0: (x) => x.pow(0),
  pow_1: (x) => x.pow(1),
  pow_2: (x) => x.pow(2),
  pow_3: (x) => x.pow(3),
  pow_half: (x) => x.pow(0.5),
  pow_neg1: (x) => x.pow(-1),
  pow_neg_half: (x) => x.pow(-0.5),
  mul_scalar: (x) => x.mul(3),
  div_scalar: (x) => x.div(4),
  add_scalar: (x) => x.add(1),
  clamp: (x) => x.clamp(-1, 1),
  erf: (x) => x.erf(),
  leaky_relu: (x) => torch.nn.functional.leakyRelu(x, 0.2),
  elu: (x) => torch.nn.functional.elu(x),
  silu: (x) => torch.nn.functional.silu(x),
  gelu_tanh: (x) => torch.nn.functional.gelu(x, { approximate: 'tanh' }),
  hardtanh: (x) => torch.nn.functional.hardtanh(x),
  softplus: (x) => torch.nn.functional.softplus(x),
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  pow: (a, b) => a.pow(b),
  maximum: (a, b) => a.maximum(b),
  minimum: (a, b) => a.minimum(b),
};

/** Equal as PyTorch computes them: NaN matches NaN, ±inf itself, finite values to float32 rounding. */
function expectSame(actual: ArrayLike<number>, expected: number[], label: string, inputs: number[][]): void {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const same = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= 1e-6 + 1e-5 * Math.abs(e);
    if (!same) throw new Error(`${label} at (${inputs.map((x) => x[i]).join(', ')}): got ${a}, PyTorch ${e}`);
  }
}

describe('elementwise gradients at 0, negative bases and ±inf match PyTorch', () => {
  it('covers every op in the fixtures', () => {
    expect(cases.map((c) => c.op).filter((op) => !(op in OPS))).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.op}: value and gradient`, () => {
      const values = c.inputs.map(decode);
      const inputs = values.map((v) => torch.tensor(Float32Array.from(v), { requiresGrad: true }));
      const out = OPS[c.op](...inputs);
      expectSame(out.data as Float32Array, decode(c.output), `${c.op} value`, values);
      out.sum().backward();
      inputs.forEach((x, k) => expectSame(x.grad!.data as Float32Array, decode(c.grads[k]), `${c.op} gradient ${k}`, values));
    });
  }
});
