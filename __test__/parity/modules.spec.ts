/**
 * nn modules against PyTorch (`__test__/fixtures/modules.json`): each module gets PyTorch's
 * state_dict through `loadStateDict`, then forward outputs and the gradients of the input and of
 * every parameter must match, and `String(module)` must be PyTorch's repr.
 *
 * Tolerances: rtol 1e-5 / atol 1e-6 (Linear sums up to 300 products; sigmoid/tanh/softmax are a
 * few ulps apart between libm and SIMD polynomials). Flatten, ReLU and eval-mode Dropout move or
 * select values, so they must be bit-exact.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type Args, type ErrorFixture, type FixtureFile, type ModuleFixture, expectClose, expectEqualValues, expectPyTorchError, loadFixture, toTensor } from '../helpers/fixtures';

const { nn } = torch;

/** The kindling constructor for each PyTorch module of the fixtures (PyTorch's is in `torch`). */
const KINDLING: Record<string, (args: Args) => torch.nn.Module> = {
  Linear: (a) => new nn.Linear(a.in_features as number, a.out_features as number, { bias: a.bias as boolean }),
  Flatten: (a) => new nn.Flatten(a.start_dim as number | undefined, a.end_dim as number | undefined),
  ReLU: () => new nn.ReLU(),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  Softmax: (a) => new nn.Softmax(a.dim as number),
  LogSoftmax: (a) => new nn.LogSoftmax(a.dim as number),
  Dropout: (a) => new nn.Dropout(a.p as number),
  // nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.Dropout(p=0.5), nn.ReLU(), nn.Linear(4, 3))
  Sequential: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(6, 4), new nn.Dropout(0.5), new nn.ReLU(), new nn.Linear(4, 3)),
};

const EXACT = new Set(['Flatten', 'ReLU', 'Dropout']);

const file = loadFixture<FixtureFile<ModuleFixture> & { errors: ErrorFixture[] }>('modules');

/** The kindling call for each PyTorch snippet in `errors` (which must throw PyTorch's message). */
const ERRORS: Record<string, () => unknown> = {
  linear_features: () => new nn.Linear(784, 64).forward(torch.zeros([10, 783])),
  load_missing: () => new nn.Linear(4, 3).loadStateDict({ weight: torch.zeros([3, 4]) }),
  load_unexpected: () => new nn.Linear(4, 3).loadStateDict({ weight: torch.zeros([3, 4]), bias: torch.zeros([3]), extra: torch.zeros([1]) }),
  load_size: () => new nn.Linear(4, 3).loadStateDict({ weight: torch.zeros([3, 5]), bias: torch.zeros([3]) }),
  dropout_p: () => new nn.Dropout(1.5),
};

function build(fx: ModuleFixture): torch.nn.Module {
  const m = KINDLING[fx.module](fx.args);
  const sd: Record<string, torch.Tensor> = {};
  for (const [k, v] of Object.entries(fx.state_dict)) sd[k] = toTensor(v);
  m.loadStateDict(sd);
  m.eval(); // every fixture ran with m.train(False)
  return m;
}

describe('nn modules match PyTorch', () => {
  for (const err of file.errors) {
    it(`error: ${err.case}`, () => expectPyTorchError(ERRORS[err.case], err));
  }

  for (const fx of file.fixtures) {
    const tol = { rtol: 1e-5, atol: 1e-6 };

    it(`${fx.name}: state_dict keys and shapes`, () => {
      const m = build(fx);
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(fx.state_dict));
      for (const [k, v] of Object.entries(fx.state_dict)) expect(sd[k].shape, `${fx.name} ${k}`).toEqual(v.shape);
    });

    it(`${fx.name}: forward and gradients`, () => {
      const m = build(fx);
      const x = toTensor(fx.inputs.x, { requiresGrad: true });
      const out = m.forward(x);
      const label = `modules/${fx.name}\n${fx.torch}`;
      if (EXACT.has(fx.module)) expectEqualValues(out, fx.outputs[0], `${label}\noutput`);
      else expectClose(out, fx.outputs[0], { ...tol, label: `${label}\noutput` });

      out.backward(toTensor(fx.grad_outputs![0]!));
      const params = new Map(m.namedParameters());
      for (const [name, expected] of Object.entries(fx.grads!)) {
        const t = name === 'x' ? x : params.get(name);
        expect(t, `${label}: no parameter ${name}`).toBeDefined();
        expect(t!.grad, `${label}: ${name}.grad`).not.toBeNull();
        if (EXACT.has(fx.module)) expectEqualValues(t!.grad!, expected, `${label}\ngrad of ${name}`);
        else expectClose(t!.grad!, expected, { ...tol, label: `${label}\ngrad of ${name}` });
      }
    });

    it(`${fx.name}: repr is PyTorch's`, () => {
      expect(String(build(fx))).toBe(fx.repr);
    });
  }
});
