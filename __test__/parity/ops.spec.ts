/**
 * Tensor ops against PyTorch (`__test__/fixtures/ops.json`): forward outputs, and the gradient of
 * every float input for the recorded upstream gradient (`out.backward(gradOut)`).
 *
 * Tolerances: ops that are one correctly rounded IEEE operation per element (add, sub, mul, div,
 * neg, abs, relu, max/min values) and pure data movement (transpose, permute, reshape, …) must be
 * bit-exact. Everything else — transcendental functions (exp/log/tanh/sigmoid/pow: a few ulps
 * between libm and SIMD polynomials), sums and products (summation order), gradients — is held to
 * rtol 1e-5 / atol 1e-6; the two larger reductions (2,000 / 300 terms) to atol 1e-5, since a
 * different but equally valid summation order moves a sum of n unit normals by ~√n·ulp.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type Args, type CloseOptions, type ErrorFixture, type FixtureFile, type OpFixture, expectClose, expectEqualValues, expectPyTorchError, loadFixture, toTensor } from '../helpers/fixtures';

type Inputs = Record<string, torch.Tensor>;
type OpResult = torch.Tensor | torch.Tensor[];

const num = (args: Args, key: string): number => args[key] as number;
const bool = (args: Args, key: string): boolean => args[key] as boolean;
const dims = (args: Args, key: string): number | number[] => args[key] as number | number[];

const scalar = (args: Args): torch.Tensor => torch.tensor(num(args, 's'), { dtype: 'float32' });

/** `(values, indices)` from a max/min over a dim, whichever form kindling returns it in. */
function valuesIndices(r: unknown): torch.Tensor[] {
  if (Array.isArray(r)) return r as torch.Tensor[];
  const { values, indices } = r as { values: torch.Tensor; indices: torch.Tensor };
  return [values, indices];
}

/** The kindling call for each `op` kind of the fixtures (the PyTorch code is in each entry's `torch`). */
const KINDLING: Record<string, (x: Inputs, args: Args) => OpResult> = {
  add: ({ a, b }) => a.add(b),
  sub: ({ a, b }) => a.sub(b),
  mul: ({ a, b }) => a.mul(b),
  div: ({ a, b }) => a.div(b),
  add_scalar: ({ a }, args) => a.add(num(args, 's')),
  sub_scalar: ({ a }, args) => a.sub(num(args, 's')),
  mul_scalar: ({ a }, args) => a.mul(num(args, 's')),
  div_scalar: ({ a }, args) => a.div(num(args, 's')),
  // `s + a` etc. in PyTorch (Tensor.__radd__/__rsub__/__rmul__/__rtruediv__): JS has no operator
  // overloading, so the scalar becomes a 0-d tensor that broadcasts.
  add_scalar_reversed: ({ a }, args) => scalar(args).add(a),
  sub_scalar_reversed: ({ a }, args) => scalar(args).sub(a),
  mul_scalar_reversed: ({ a }, args) => scalar(args).mul(a),
  div_scalar_reversed: ({ a }, args) => scalar(args).div(a),
  neg: ({ a }) => a.neg(),
  exp: ({ a }) => a.exp(),
  log: ({ a }) => a.log(),
  sqrt: ({ a }) => a.sqrt(),
  relu: ({ a }) => a.relu(),
  sigmoid: ({ a }) => a.sigmoid(),
  tanh: ({ a }) => a.tanh(),
  abs: ({ a }) => a.abs(),
  pow_scalar: ({ a }, args) => a.pow(num(args, 'e')),
  pow: ({ a, b }) => a.pow(b),
  matmul: ({ a, b }) => a.matmul(b),
  sum: ({ a }, args) => ('dim' in args ? a.sum(dims(args, 'dim'), bool(args, 'keepdim')) : a.sum()),
  mean: ({ a }, args) => ('dim' in args ? a.mean(dims(args, 'dim'), bool(args, 'keepdim')) : a.mean()),
  max_all: ({ a }) => a.max(),
  min_all: ({ a }) => a.min(),
  max_dim: ({ a }, args) => valuesIndices(a.max(num(args, 'dim'), bool(args, 'keepdim'))),
  min_dim: ({ a }, args) => valuesIndices(a.min(num(args, 'dim'), bool(args, 'keepdim'))),
  argmax: ({ a }, args) => ('dim' in args ? a.argmax(num(args, 'dim'), (args.keepdim as boolean | undefined) ?? false) : a.argmax()),
  argmin: ({ a }, args) => a.argmin(num(args, 'dim')),
  softmax: ({ a }, args) => a.softmax(num(args, 'dim')),
  log_softmax: ({ a }, args) => a.logSoftmax(num(args, 'dim')),
  transpose: ({ a }, args) => a.transpose(num(args, 'dim0'), num(args, 'dim1')),
  t: ({ a }) => a.t(),
  permute: ({ a }, args) => a.permute(...(args.dims as number[])),
  reshape: ({ a }, args) => a.reshape(...(args.shape as number[])),
  view: ({ a }, args) => a.view(...(args.shape as number[])),
  flatten: ({ a }, args) => a.flatten(args.start_dim as number | undefined, args.end_dim as number | undefined),
  unsqueeze: ({ a }, args) => a.unsqueeze(num(args, 'dim')),
  squeeze: ({ a }, args) => ('dim' in args ? a.squeeze(num(args, 'dim')) : a.squeeze()),
  composite: ({ a, w, b }) => a.matmul(w).add(b).relu().mul(a.sum(1, true)).sigmoid(),
};

/** Forward results that must be bit-identical to PyTorch (see the file comment). */
const EXACT_FORWARD = new Set([
  'add', 'sub', 'mul', 'div', 'add_scalar', 'sub_scalar', 'mul_scalar', 'div_scalar',
  'add_scalar_reversed', 'sub_scalar_reversed', 'mul_scalar_reversed', 'neg', 'relu', 'abs',
  'max_all', 'min_all', 'max_dim', 'min_dim', 'argmax', 'argmin', 'transpose', 't', 'permute',
  'reshape', 'view', 'flatten', 'unsqueeze', 'squeeze',
]);

/** Looser absolute tolerance for long sums (see the file comment). */
const LONG_REDUCTIONS = new Set(['sum_large', 'mean_large_dim1']);

const file = loadFixture<FixtureFile<OpFixture> & { errors: ErrorFixture[] }>('ops');

/** The kindling call for each PyTorch snippet in `errors` (which must throw PyTorch's message). */
const ERRORS: Record<string, () => unknown> = {
  add_broadcast: () => torch.zeros([2, 3]).add(torch.zeros([2, 4])),
  matmul_2d: () => torch.zeros([3, 4]).matmul(torch.zeros([5, 6])),
  matmul_batch_broadcast: () => torch.zeros([2, 3, 4]).matmul(torch.zeros([3, 4, 5])),
  reshape: () => torch.zeros([2, 3, 4]).reshape(5, -1),
  softmax_dim: () => torch.zeros([2, 3, 4]).softmax(3),
  sum_dim: () => torch.zeros([2, 3]).sum(2),
  transpose_dim: () => torch.zeros([2, 3]).transpose(0, 2),
  permute_duplicate: () => torch.zeros([2, 3]).permute(0, 0),
};

describe('ops match PyTorch', () => {
  for (const err of file.errors) {
    it(`error: ${err.case}`, () => expectPyTorchError(ERRORS[err.case], err));
  }

  it('covers every op kind in the fixtures', () => {
    const missing = [...new Set(file.fixtures.map((f) => f.op))].filter((op) => !(op in KINDLING));
    expect(missing).toEqual([]);
  });

  for (const fx of file.fixtures) {
    const tol: CloseOptions = LONG_REDUCTIONS.has(fx.name) ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-5, atol: 1e-6 };

    it(`${fx.name}: forward`, () => {
      const inputs = buildInputs(fx, false);
      const outs = asList(KINDLING[fx.op](inputs, fx.args));
      expect(outs.length).toBe(fx.outputs.length);
      outs.forEach((out, i) => {
        const label = `ops/${fx.name} output ${i}\n${fx.torch}`;
        expect(out.dtype, label).toBe(fx.outputs[i].dtype);
        if (EXACT_FORWARD.has(fx.op) || fx.outputs[i].dtype !== 'float32') expectEqualValues(out, fx.outputs[i], label);
        else expectClose(out, fx.outputs[i], { ...tol, label });
      });
    });

    if (fx.grads !== undefined) {
      it(`${fx.name}: gradients`, () => {
        const inputs = buildInputs(fx, true);
        const outs = asList(KINDLING[fx.op](inputs, fx.args));
        const gradOuts = fx.grad_outputs ?? [];
        const floatOutputs = outs.filter((_, i) => gradOuts[i] != null);
        expect(floatOutputs.length).toBe(1);
        const i = gradOuts.findIndex((g) => g != null);
        outs[i].backward(toTensor(gradOuts[i]!));
        for (const [name, expected] of Object.entries(fx.grads!)) {
          const grad = inputs[name].grad;
          const label = `ops/${fx.name} grad of ${name}\n${fx.torch}`;
          expect(grad, label).not.toBeNull();
          expectClose(grad!, expected, { ...tol, label });
        }
      });
    }
  }
});

function buildInputs(fx: OpFixture, requiresGrad: boolean): Inputs {
  const out: Inputs = {};
  for (const [name, enc] of Object.entries(fx.inputs)) {
    out[name] = toTensor(enc, { requiresGrad: requiresGrad && enc.dtype === 'float32' });
  }
  return out;
}

function asList(r: OpResult): torch.Tensor[] {
  return Array.isArray(r) ? r : [r];
}
