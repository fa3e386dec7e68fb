import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import * as nn from '../../src/nn';
import type { Optimizer } from '../../src/optim';
import { Tensor } from '../../src/tensor';

/**
 * `__test__/fixtures/optim2.json` (scripts/fixtures/make_optim2_fixtures.py): PyTorch's 20-step
 * trajectories of Adadelta, RMSprop and Adagrad, scheduler sequences, and option errors.
 */
export interface Trajectory {
  optimizer: string;
  options: Record<string, number | boolean>;
  noise: number[][];
  params: number[][];
  state: Record<string, Record<string, number | number[]>>;
}

export const OPTIM2 = JSON.parse(readFileSync(join(__dirname, '../fixtures/optim2.json'), 'utf8')) as {
  trajectories: Record<string, Trajectory>;
  schedulers: Record<string, { lrs: number[][]; momentums?: number[][] }>;
  plateau_metrics: { min: number[]; max: number[] };
  errors: Record<string, string>;
};

/** The fixture's p (5 values) and q (2×3). */
export function fixtureParams(): [nn.Parameter, nn.Parameter] {
  return [
    new nn.Parameter(new Tensor(Float32Array.from([0.5, -1.0, 2.0, 0.25, -0.75]), [5])),
    new nn.Parameter(new Tensor(Float32Array.from([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]), [2, 3])),
  ];
}

/** Steps `optimizer` with the fixture's gradients (`param + noise[t]`, one float32 add) and returns p‖q after each step. */
export function runFixture(optimizer: Optimizer<{ lr: number }, object>, p: nn.Parameter, q: nn.Parameter, noise: number[][]): number[][] {
  const out: number[][] = [];
  for (const n of noise) {
    optimizer.zeroGrad();
    p.grad = new Tensor(Float32Array.from(p.data as Float32Array, (v, i) => v + n[i]), [5]);
    q.grad = new Tensor(Float32Array.from(q.data as Float32Array, (v, i) => v + n[5 + i]), [2, 3]);
    optimizer.step();
    out.push([...(p.data as Float32Array), ...(q.data as Float32Array)]);
  }
  return out;
}

/** Every step's parameters within float32 rounding of PyTorch's (relative 1e-6, absolute 1e-7). */
export function expectTrajectory(actual: number[][], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, t) =>
    row.forEach((v, i) => {
      const want = expected[t][i];
      if (Math.abs(v - want) > 1e-7 + 1e-6 * Math.abs(want)) {
        throw new Error(`step ${t + 1}, element ${i}: got ${v}, PyTorch ${want}`);
      }
    }),
  );
}

/** The optimizer's state after the run equals PyTorch's under the same keys. */
export function expectState(optimizer: Optimizer<{ lr: number }, object>, expected: Trajectory['state']): void {
  const { state } = optimizer.stateDict() as { state: Record<string, Record<string, unknown>> };
  expect(Object.keys(state).sort()).toEqual(Object.keys(expected).sort());
  for (const [id, want] of Object.entries(expected)) {
    expect(Object.keys(state[id]).sort()).toEqual(Object.keys(want).sort());
    for (const [key, value] of Object.entries(want)) {
      const got = state[id][key];
      if (typeof value === 'number') expect(got).toBe(value);
      else expectTrajectory([[...((got as Tensor).data as Float32Array)]], [value]);
    }
  }
}

/** camelCase options from the fixture's Python keyword arguments. */
export function camelOptions(options: Record<string, number | boolean>): Record<string, number | boolean> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]));
}

/** Fresh parameters holding copies of `p` and `q`'s current values (to resume a run elsewhere). */
export function copiesOf(p: nn.Parameter, q: nn.Parameter): [nn.Parameter, nn.Parameter] {
  return [
    new nn.Parameter(new Tensor(Float32Array.from(p.data as Float32Array), [5])),
    new nn.Parameter(new Tensor(Float32Array.from(q.data as Float32Array), [2, 3])),
  ];
}
