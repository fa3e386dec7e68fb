/**
 * LR schedulers against PyTorch (`__test__/fixtures/schedulers.json`): StepLR, ExponentialLR and
 * CosineAnnealingLR lr sequences over 30 steps (before any step, then after each), both from
 * `getLastLr()` and from the optimizer's param group.
 *
 * Tolerance: these are float64 computations on both sides, so rtol 1e-12 / atol 1e-15. PyTorch
 * computes them recursively (lr · gamma, and a cosine ratio); a closed form agrees to ~1e-15.
 */
import { describe, it } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';

interface SchedulerFixture {
  name: string;
  scheduler: 'StepLR' | 'ExponentialLR' | 'CosineAnnealingLR';
  options: Record<string, number>;
  lr: number;
  torch: string;
  last_lrs: number[];
  group_lrs: number[];
}

const file = loadFixture<{ fixtures: SchedulerFixture[] }>('schedulers');
const TOL = { rtol: 1e-12, atol: 1e-15 };

function makeScheduler(fx: SchedulerFixture, opt: torch.optim.SGD): { step(): void; getLastLr(): number[] } {
  const o = fx.options;
  const { lrScheduler } = torch.optim;
  switch (fx.scheduler) {
    case 'StepLR':
      return new lrScheduler.StepLR(opt, { stepSize: o.step_size, gamma: o.gamma });
    case 'ExponentialLR':
      return new lrScheduler.ExponentialLR(opt, { gamma: o.gamma });
    case 'CosineAnnealingLR':
      return new lrScheduler.CosineAnnealingLR(opt, { tMax: o.T_max, etaMin: o.eta_min });
  }
}

describe('lr schedulers match PyTorch', () => {
  for (const fx of file.fixtures) {
    it(`${fx.name}: 30 steps`, () => {
      const p = torch.zeros([1], { requiresGrad: true });
      const opt = new torch.optim.SGD([p], { lr: fx.lr });
      const sched = makeScheduler(fx, opt);
      const lastLrs = [sched.getLastLr()[0]];
      const groupLrs = [opt.paramGroups[0].lr];
      for (let i = 0; i < 30; i++) {
        opt.step();
        sched.step();
        lastLrs.push(sched.getLastLr()[0]);
        groupLrs.push(opt.paramGroups[0].lr);
      }
      expectClose(lastLrs, fx.last_lrs, { ...TOL, label: `schedulers/${fx.name} getLastLr()\n${fx.torch}` });
      expectClose(groupLrs, fx.group_lrs, { ...TOL, label: `schedulers/${fx.name} paramGroups[0].lr\n${fx.torch}` });
    });
  }
});
