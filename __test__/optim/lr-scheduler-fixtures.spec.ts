import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { Adagrad, Adam, SGD, lrScheduler } from '../../src/optim';
import { Tensor } from '../../src/tensor';
import { OPTIM2 } from './optim2-fixtures';

/*
 * MultiStepLR, LambdaLR, OneCycleLR and ReduceLROnPlateau against PyTorch's sequences
 * (scripts/fixtures/make_optim2_fixtures.py `lr_sequence`): groups with lr 0.1 (and 0.05),
 * SGD(momentum=0.9) unless Adam is named; getLastLr() after construction and after each step.
 */
function param(): nn.Parameter {
  return new nn.Parameter(new Tensor(new Float32Array(1), [1]));
}

function sgd(groups: number): SGD {
  return new SGD([0.1, 0.05].slice(0, groups).map((lr) => ({ params: [param()], lr })), { lr: 0.1, momentum: 0.9 });
}

function momentums(optimizer: SGD | Adam): number[] {
  return optimizer.paramGroups.map((g) => ('betas' in g ? g.betas[0] : (g as { momentum: number }).momentum));
}

function run(
  optimizer: SGD | Adam,
  scheduler: { step(metric: number): void; getLastLr(): number[] } | lrScheduler.LRScheduler,
  steps: number,
  metrics?: number[],
): { lrs: number[][]; momentums: number[][] } {
  const lrs = [scheduler.getLastLr()];
  const moms = [momentums(optimizer)];
  for (let i = 0; i < steps; i++) {
    if (scheduler instanceof lrScheduler.LRScheduler) scheduler.step();
    else scheduler.step((metrics as number[])[i]);
    lrs.push(scheduler.getLastLr());
    moms.push(momentums(optimizer));
  }
  return { lrs, momentums: moms };
}

function expectClose(actual: number[][], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, i) =>
    row.forEach((v, j) => {
      if (Math.abs(v - expected[i][j]) > 1e-15 + 1e-13 * Math.abs(expected[i][j])) {
        throw new Error(`step ${i}, group ${j}: got ${v}, PyTorch ${expected[i][j]}`);
      }
    }),
  );
}

const S = OPTIM2.schedulers;
const E = OPTIM2.errors;

describe('MultiStepLR matches torch', () => {
  it('milestones [3, 7, 7, 12] (7 twice: gamma²), gamma 0.5, two groups, 20 steps', () => {
    const optimizer = sgd(2);
    const scheduler = new lrScheduler.MultiStepLR(optimizer, { milestones: [12, 7, 3, 7], gamma: 0.5 });
    expectClose(run(optimizer, scheduler, 20).lrs, S.multistep.lrs);
    expect(scheduler.stateDict().milestones).toEqual([3, 7, 7, 12]);
  });

  it('rejects milestones that are not integers', () => {
    expect(() => new lrScheduler.MultiStepLR(sgd(1), { milestones: 3 as never })).toThrow(
      new TypeError('MultiStepLR: milestones must be an iterable of integers, got number 3'),
    );
    expect(() => new lrScheduler.MultiStepLR(sgd(1), {} as never)).toThrow(TypeError);
  });
});

describe('LambdaLR matches torch', () => {
  it('one function for every group', () => {
    const optimizer = sgd(2);
    const scheduler = new lrScheduler.LambdaLR(optimizer, { lrLambda: (e) => 0.95 ** e });
    expectClose(run(optimizer, scheduler, 20).lrs, S.lambda_one.lrs);
  });

  it('one function per group; the functions stay out of stateDict()', () => {
    const optimizer = sgd(2);
    const scheduler = new lrScheduler.LambdaLR(optimizer, { lrLambda: [(e) => 0.95 ** e, (e) => 1 / (e + 1)] });
    expectClose(run(optimizer, scheduler, 20).lrs, S.lambda_per_group.lrs);
    expect(Object.keys(scheduler.stateDict())).not.toContain('lrLambdas');
    expect(scheduler.stateDict().lastEpoch).toBe(20);
  });

  it("rejects a wrong number of functions with PyTorch's message", () => {
    expect(() => new lrScheduler.LambdaLR(sgd(1), { lrLambda: [() => 1, () => 2] })).toThrow(new RangeError(E.lambda_count));
    expect(() => new lrScheduler.LambdaLR(sgd(1), { lrLambda: 0.5 as never })).toThrow(TypeError);
  });
});

describe('OneCycleLR matches torch', () => {
  it('cos, two groups with their own maxLr, cycling SGD momentum, 30 steps', () => {
    const optimizer = sgd(2);
    const scheduler = new lrScheduler.OneCycleLR(optimizer, { maxLr: [1.0, 0.5], totalSteps: 30 });
    const got = run(optimizer, scheduler, 30);
    expectClose(got.lrs, S.onecycle_sgd.lrs);
    expectClose(got.momentums, S.onecycle_sgd.momentums as number[][]);
  });

  it("linear, three phases, epochs × stepsPerEpoch, cycling Adam's betas[0]", () => {
    const optimizer = new Adam([{ params: [param()], lr: 0.1 }], { lr: 0.1 });
    const scheduler = new lrScheduler.OneCycleLR(optimizer, {
      maxLr: 0.01,
      epochs: 5,
      stepsPerEpoch: 5,
      pctStart: 0.25,
      annealStrategy: 'linear',
      threePhase: true,
      divFactor: 10,
      finalDivFactor: 100,
      baseMomentum: 0.8,
      maxMomentum: 0.9,
    });
    const got = run(optimizer, scheduler, 25);
    expectClose(got.lrs, S.onecycle_adam_linear_three_phase.lrs);
    expectClose(got.momentums, S.onecycle_adam_linear_three_phase.momentums as number[][]);
    expect(optimizer.paramGroups[0].betas[1]).toBe(0.999);
  });

  it("throws PyTorch's error when stepped past totalSteps", () => {
    const optimizer = new SGD([param()], { lr: 0.1, momentum: 0.9 });
    const scheduler = new lrScheduler.OneCycleLR(optimizer, { maxLr: 1.0, totalSteps: 3 });
    for (let i = 0; i < 3; i++) scheduler.step();
    expect(() => scheduler.step()).toThrow(new RangeError(E.onecycle_past_end));
  });

  it("rejects bad options with PyTorch's messages", () => {
    const one = () => new SGD([param()], { lr: 0.1 });
    expect(() => new lrScheduler.OneCycleLR(one(), { maxLr: 1.0, totalSteps: 0 })).toThrow(new RangeError(E.onecycle_total_steps));
    expect(() => new lrScheduler.OneCycleLR(one(), { maxLr: 1.0 })).toThrow(new TypeError(E.onecycle_no_steps));
    expect(() => new lrScheduler.OneCycleLR(one(), { maxLr: 1.0, totalSteps: 10, pctStart: 1.5 })).toThrow(new RangeError(E.onecycle_pct_start));
    expect(() => new lrScheduler.OneCycleLR(one(), { maxLr: 1.0, totalSteps: 10, annealStrategy: 'exp' as never })).toThrow(
      new RangeError(E.onecycle_anneal),
    );
    expect(() => new lrScheduler.OneCycleLR(new Adagrad([param()]), { maxLr: 1.0, totalSteps: 10 })).toThrow(new TypeError(E.onecycle_no_momentum));
    expect(() => new lrScheduler.OneCycleLR(one(), { maxLr: [1, 2], totalSteps: 10 })).toThrow(
      new RangeError('max_lr must have the same length as optimizer.param_groups. max_lr has 2 values, param_groups has 1.'),
    );
  });

  it('resumes from its stateDict', () => {
    const optimizer = sgd(2);
    const scheduler = new lrScheduler.OneCycleLR(optimizer, { maxLr: [1.0, 0.5], totalSteps: 30 });
    for (let i = 0; i < 10; i++) scheduler.step();
    const saved = scheduler.stateDict();
    const optimizer2 = sgd(2);
    optimizer2.loadStateDict(optimizer.stateDict());
    const resumed = new lrScheduler.OneCycleLR(optimizer2, { maxLr: [1.0, 0.5], totalSteps: 30, lastEpoch: 9 });
    resumed.loadStateDict(saved);
    const rest = [resumed.getLastLr()];
    for (let i = 0; i < 20; i++) {
      resumed.step();
      rest.push(resumed.getLastLr());
    }
    expectClose(rest, S.onecycle_sgd.lrs.slice(10));
  });
});

describe('ReduceLROnPlateau matches torch', () => {
  it("mode 'min', threshold 'rel', patience 2, factor 0.5, a minLr per group", () => {
    const optimizer = sgd(2);
    const scheduler = new lrScheduler.ReduceLROnPlateau(optimizer, { patience: 2, factor: 0.5, minLr: [0.01, 0.02] });
    const metrics = OPTIM2.plateau_metrics.min;
    expectClose(run(optimizer, scheduler, metrics.length, metrics).lrs, S.plateau_min_rel.lrs);
  });

  it("threshold 'abs' with cooldown", () => {
    const optimizer = sgd(1);
    const scheduler = new lrScheduler.ReduceLROnPlateau(optimizer, { patience: 1, threshold: 0.05, thresholdMode: 'abs', cooldown: 2 });
    const metrics = OPTIM2.plateau_metrics.min;
    expectClose(run(optimizer, scheduler, metrics.length, metrics).lrs, S.plateau_min_abs_cooldown.lrs);
  });

  it("mode 'max', patience 0, eps skipping tiny reductions", () => {
    const optimizer = sgd(1);
    const scheduler = new lrScheduler.ReduceLROnPlateau(optimizer, { mode: 'max', patience: 0, factor: 0.3, eps: 1e-3 });
    const metrics = OPTIM2.plateau_metrics.max;
    expectClose(run(optimizer, scheduler, metrics.length, metrics).lrs, S.plateau_max.lrs);
  });

  it('takes a one-element tensor as the metric and round-trips its stateDict', () => {
    const optimizer = sgd(1);
    const scheduler = new lrScheduler.ReduceLROnPlateau(optimizer, { patience: 0 });
    scheduler.step(new Tensor(Float32Array.from([2]), []));
    scheduler.step(3);
    expect(scheduler.getLastLr()[0]).toBeCloseTo(0.01, 15);
    const saved = scheduler.stateDict();
    expect(saved).toMatchObject({ best: 2, mode: 'min', lastEpoch: 2, numBadEpochs: 0 });
    const other = new lrScheduler.ReduceLROnPlateau(sgd(1), { mode: 'max' });
    other.loadStateDict(saved);
    expect(other.stateDict()).toEqual(saved);
    expect(() => scheduler.step('low' as never)).toThrow(new TypeError("ReduceLROnPlateau.step: expected the metric as a number, got string 'low'"));
  });

  it("rejects bad options with PyTorch's messages", () => {
    expect(() => new lrScheduler.ReduceLROnPlateau(sgd(1), { factor: 1.0 })).toThrow(new RangeError(E.plateau_factor));
    expect(() => new lrScheduler.ReduceLROnPlateau(sgd(1), { mode: 'avg' as never })).toThrow(new RangeError(E.plateau_mode));
    expect(() => new lrScheduler.ReduceLROnPlateau(sgd(1), { thresholdMode: 'x' as never })).toThrow(new RangeError(E.plateau_threshold_mode));
    expect(() => new lrScheduler.ReduceLROnPlateau(sgd(2), { minLr: [0.1] })).toThrow(new RangeError('expected 2 min_lrs, got 1'));
    expect(() => new lrScheduler.ReduceLROnPlateau(sgd(1), { min_lr: 0.1 } as never)).toThrow(TypeError);
  });
});
