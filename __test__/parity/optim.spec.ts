/**
 * Optimizers against PyTorch (`__test__/fixtures/optim.json`): 20-step trajectories of Adam
 * (defaults, lr, betas/eps, amsgrad, weightDecay, maximize, all together), AdamW (defaults,
 * weightDecay, + amsgrad) and SGD (plain, momentum, dampening, nesterov, weightDecay, maximize) on
 *   loss = Σ c1·(p1 − t1)² + Σ c2·(p2 − t2)² + 0.05·Σ p1⁴,
 * plus three runs where p2.grad is None on every third step (PyTorch then skips p2 entirely).
 *
 * Two ways per optimizer: (1) feeding PyTorch's recorded gradients into `p.grad` (isolates the
 * update maths), (2) computing the gradients with kindling's autograd (end to end).
 *
 * Tolerances: rtol 1e-5 / atol 1e-6 on every step's params. Re-running PyTorch's trajectories in
 * float64 stays within 0.17 of that tolerance (worst: adamw_weight_decay), so any float32
 * implementation of the same maths fits with room to spare; a wrong formula does not.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type EncodedTensor, type ErrorFixture, expectClose, expectPyTorchError, loadFixture, toTensor } from '../helpers/fixtures';

interface OptimFixture {
  name: string;
  optimizer: 'Adam' | 'AdamW' | 'SGD';
  options: Record<string, number | boolean | number[]>;
  defaults: Record<string, number | boolean | number[]>;
  torch: string;
  initial_params: EncodedTensor[];
  /** `grads[i]` is null on steps where PyTorch's `p.grad` was None (the optimizer skips that param). */
  steps: { loss: number; grads: (EncodedTensor | null)[]; params: EncodedTensor[] }[];
  /** `opt.state_dict()['state']` after the last step: per param number, `step` and buffers by PyTorch's names. */
  final_state: Record<string, Record<string, number | EncodedTensor>>;
}

interface OptimFile {
  problem: { torch: string; t1: EncodedTensor; t2: EncodedTensor; c1: EncodedTensor; c2: EncodedTensor };
  fixtures: OptimFixture[];
  errors: ErrorFixture[];
}

const file = loadFixture<OptimFile>('optim');
const TOL = { rtol: 1e-5, atol: 1e-6 };

const leaf = () => [torch.zeros([1], { requiresGrad: true })];

/** The kindling call for each PyTorch snippet in `errors` (which must throw PyTorch's message). */
const ERRORS: Record<string, () => unknown> = {
  adam_lr: () => new torch.optim.Adam(leaf(), { lr: -1 }),
  adam_beta0: () => new torch.optim.Adam(leaf(), { betas: [1.5, 0.999] }),
  adam_beta1: () => new torch.optim.Adam(leaf(), { betas: [0.9, -0.5] }),
  adam_eps: () => new torch.optim.Adam(leaf(), { eps: -0.5 }),
  adam_weight_decay: () => new torch.optim.Adam(leaf(), { weightDecay: -0.5 }),
  adamw_lr: () => new torch.optim.AdamW(leaf(), { lr: -1 }),
  sgd_lr: () => new torch.optim.SGD(leaf(), { lr: -0.1 }),
  sgd_momentum: () => new torch.optim.SGD(leaf(), { lr: 0.1, momentum: -0.5 }),
  sgd_weight_decay: () => new torch.optim.SGD(leaf(), { lr: 0.1, weightDecay: -0.5 }),
  sgd_nesterov: () => new torch.optim.SGD(leaf(), { lr: 0.1, nesterov: true }),
  empty_params: () => new torch.optim.Adam([], { lr: 0.1 }),
};

/** PyTorch's snake_case option names → kindling's camelCase. */
function camelOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

type AnyOptimizer = torch.optim.Adam | torch.optim.AdamW | torch.optim.SGD;

function makeOptimizer(fx: OptimFixture, params: torch.Tensor[]): AnyOptimizer {
  const options = camelOptions(fx.options);
  switch (fx.optimizer) {
    case 'Adam':
      return new torch.optim.Adam(params, options);
    case 'AdamW':
      return new torch.optim.AdamW(params, options);
    case 'SGD':
      return new torch.optim.SGD(params, options as { lr: number });
  }
}

/** Feeds step k's recorded gradients into the params (null where PyTorch's grad was None). */
function feedGradients(params: torch.Tensor[], step: OptimFixture['steps'][number]): void {
  params.forEach((p, i) => {
    const g = step.grads[i];
    p.grad = g === null ? null : toTensor(g);
  });
}

/** kindling's `stateDict().state` must hold PyTorch's buffers (same names, values and step counts). */
function expectStateMatches(opt: AnyOptimizer, fx: OptimFixture): void {
  const state = opt.stateDict().state as unknown as Record<number, Record<string, unknown>>;
  const present = (s: Record<string, unknown> | undefined) => Object.keys(s ?? {}).filter((k) => s![k] !== null && s![k] !== undefined);
  const indices = Object.keys(state).filter((i) => present(state[Number(i)]).length > 0);
  expect(indices, `optim/${fx.name}: params with state`).toEqual(Object.keys(fx.final_state));
  for (const [i, expected] of Object.entries(fx.final_state)) {
    const actual = state[Number(i)];
    expect(present(actual).sort(), `optim/${fx.name}: state keys of param ${i}`).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      const label = `optim/${fx.name} final state[${i}].${key}\n${fx.torch}`;
      if (typeof value === 'number') expect(actual[key], label).toBe(value);
      else expectClose(actual[key] as torch.Tensor, value, { ...TOL, label });
    }
  }
}

describe('optimizers match PyTorch trajectories', () => {
  for (const err of file.errors) {
    it(`error: ${err.case}`, () => expectPyTorchError(ERRORS[err.case], err));
  }

  for (const fx of file.fixtures) {
    it(`${fx.name}: 20 steps from PyTorch's gradients`, () => {
      const params = fx.initial_params.map((p) => toTensor(p, { requiresGrad: true }));
      const opt = makeOptimizer(fx, params);
      fx.steps.forEach((step, k) => {
        opt.zeroGrad();
        feedGradients(params, step);
        opt.step();
        params.forEach((p, i) => expectClose(p, step.params[i], { ...TOL, label: `optim/${fx.name} step ${k + 1} param ${i}\n${fx.torch}` }));
      });
      expectStateMatches(opt, fx);
    });

    it(`${fx.name}: resumes from stateDict() after 10 steps onto PyTorch's trajectory`, () => {
      const params = fx.initial_params.map((p) => toTensor(p, { requiresGrad: true }));
      const first = makeOptimizer(fx, params);
      for (const step of fx.steps.slice(0, 10)) {
        first.zeroGrad();
        feedGradients(params, step);
        first.step();
      }
      // A fresh optimizer over fresh copies of the params, given the first one's state.
      const resumed = params.map((p) => torch.tensor(p.detach(), { requiresGrad: true }));
      const second = makeOptimizer(fx, resumed);
      second.loadStateDict(first.stateDict() as never);
      fx.steps.slice(10).forEach((step, k) => {
        second.zeroGrad();
        feedGradients(resumed, step);
        second.step();
        resumed.forEach((p, i) => expectClose(p, step.params[i], { ...TOL, label: `optim/${fx.name} resumed step ${k + 11} param ${i}\n${fx.torch}` }));
      });
      expectStateMatches(second, fx);
    });

    it(`${fx.name}: 20 steps with kindling's own gradients`, () => {
      const [t1, t2, c1, c2] = [file.problem.t1, file.problem.t2, file.problem.c1, file.problem.c2].map((e) => toTensor(e));
      const [p1, p2] = fx.initial_params.map((p) => toTensor(p, { requiresGrad: true }));
      const opt = makeOptimizer(fx, [p1, p2]);
      fx.steps.forEach((step, k) => {
        opt.zeroGrad();
        const loss = c1.mul(p1.sub(t1).pow(2)).sum().add(c2.mul(p2.sub(t2).pow(2)).sum()).add(p1.pow(4).sum().mul(0.05));
        const label = `optim/${fx.name} step ${k + 1}\n${fx.torch}`;
        expectClose(loss.item(), step.loss, { ...TOL, label: `${label}\nloss` });
        loss.backward();
        if (step.grads[1] === null) p2.grad = null;
        opt.step();
        expectClose(p1, step.params[0], { ...TOL, label: `${label}\nparam 0` });
        expectClose(p2, step.params[1], { ...TOL, label: `${label}\nparam 1` });
      });
    });
  }

  for (const cls of ['Adam', 'AdamW'] as const) {
    it(`${cls} defaults are PyTorch's`, () => {
      const fx = file.fixtures.find((f) => f.name === `${cls.toLowerCase()}_default`)!;
      const opt = makeOptimizer(fx, [toTensor(fx.initial_params[0], { requiresGrad: true })]);
      const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
      for (const key of ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize']) {
        const camel = Object.keys(camelOptions({ [key]: 0 }))[0];
        expect(group[camel], `${cls} default ${camel}`).toEqual(fx.defaults[key]);
      }
    });
  }
});
