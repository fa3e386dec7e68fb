import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { Adam, SGD, lrScheduler } from '../../src/optim';
import { Tensor } from '../../src/tensor';

function optimizerWithGroups(lrs: number[]): SGD {
  return new SGD(lrs.map((lr) => ({ params: [new nn.Parameter(new Tensor(new Float32Array(1), [1]))], lr })));
}

/** getLastLr() after construction and after each of `steps` steps. */
function sequence(scheduler: lrScheduler.LRScheduler, steps: number): number[][] {
  const out = [scheduler.getLastLr()];
  for (let i = 0; i < steps; i++) {
    scheduler.step();
    out.push(scheduler.getLastLr());
  }
  return out;
}

function expectClose(actual: number[][], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 14)));
}

/*
 * Expected values from PyTorch 2.15:
 *   ps = [nn.Parameter(torch.zeros(1)) for _ in lrs]
 *   opt = torch.optim.SGD([{'params': [p], 'lr': lr} for p, lr in zip(ps, lrs)], lr=lrs[0])
 *   s = Scheduler(opt, ...); out = [s.get_last_lr()]
 *   for _ in range(n): opt.step(); s.step(); out.append(s.get_last_lr())
 */
describe('lr schedulers match torch.optim.lr_scheduler', () => {
  it('StepLR(step_size=3, gamma=0.5), two groups', () => {
    const optimizer = optimizerWithGroups([0.1, 0.05]);
    const scheduler = new lrScheduler.StepLR(optimizer, { stepSize: 3, gamma: 0.5 });
    expectClose(sequence(scheduler, 10), [
      [0.1, 0.05], [0.1, 0.05], [0.1, 0.05], [0.05, 0.025], [0.05, 0.025], [0.05, 0.025],
      [0.025, 0.0125], [0.025, 0.0125], [0.025, 0.0125], [0.0125, 0.00625], [0.0125, 0.00625],
    ]);
    expect(optimizer.paramGroups.map((g) => g.lr)).toEqual([0.0125, 0.00625]);
    expect(optimizer.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    // s.state_dict() → {'step_size': 3, 'gamma': 0.5, 'base_lrs': [0.1, 0.05], 'last_epoch': 10,
    //                   '_step_count': 11, ..., '_last_lr': [0.0125, 0.00625]}
    expect(scheduler.stateDict()).toEqual({
      baseLrs: [0.1, 0.05],
      lastEpoch: 10,
      _stepCount: 11,
      _lastLr: [0.0125, 0.00625],
      stepSize: 3,
      gamma: 0.5,
    });
  });

  it('ExponentialLR(gamma=0.9)', () => {
    const scheduler = new lrScheduler.ExponentialLR(optimizerWithGroups([0.1]), { gamma: 0.9 });
    expectClose(sequence(scheduler, 6), [
      [0.1], [0.09000000000000001], [0.08100000000000002], [0.07290000000000002], [0.06561000000000002],
      [0.05904900000000002], [0.05314410000000002],
    ]);
  });

  it('CosineAnnealingLR(T_max=4, eta_min=0.001), through a restart', () => {
    const scheduler = new lrScheduler.CosineAnnealingLR(optimizerWithGroups([0.1]), { tMax: 4, etaMin: 0.001 });
    expectClose(sequence(scheduler, 13), [
      [0.1], [0.0855017856687341], [0.0505], [0.0154982143312659], [0.001], [0.015498214331265896],
      [0.05050000000000001], [0.08550178566873413], [0.10000000000000003], [0.08550178566873413],
      [0.05050000000000003], [0.015498214331265945], [0.001], [0.015498214331265896],
    ]);
  });

  it('resumes from a state dict and chains on the same optimizer', () => {
    const optimizer = optimizerWithGroups([0.1]);
    const first = new lrScheduler.StepLR(optimizer, { stepSize: 2 });
    sequence(first, 3);
    const saved = first.stateDict();
    const second = new lrScheduler.StepLR(optimizerWithGroups([0.1]), { stepSize: 99 });
    second.loadStateDict(saved);
    expect(second.stepSize).toBe(2);
    expect(second.lastEpoch).toBe(3);
    expect(second.getLastLr()).toEqual(first.getLastLr());
  });

  it('needs initialLr to resume with lastEpoch ≥ 0, as PyTorch', () => {
    expect(() => new lrScheduler.ExponentialLR(optimizerWithGroups([0.1]), { gamma: 0.5, lastEpoch: 3 })).toThrow(
      "param 'initial_lr' is not specified in param_groups[0] when resuming scheduler with last_epoch >= 0.",
    );
  });

  it('drives the rate Adam uses at its next step', () => {
    const p = new nn.Parameter(new Tensor(Float32Array.from([1]), [1]));
    const optimizer = new Adam([p], { lr: 0.1 });
    const scheduler = new lrScheduler.ExponentialLR(optimizer, { gamma: 0.5 });
    scheduler.step();
    expect(optimizer.paramGroups[0].lr).toBe(0.05);
    p.grad = new Tensor(Float32Array.from([1]), [1]);
    optimizer.step();
    // Adam's first step moves by lr·sign(grad) (up to eps): 1 − 0.05.
    expect(p.data[0]).toBeCloseTo(0.95, 6);
  });

  it('rejects something that is not an optimizer', () => {
    expect(() => new lrScheduler.StepLR({} as SGD, { stepSize: 1 })).toThrow(new TypeError('Object is not an Optimizer'));
  });
});
