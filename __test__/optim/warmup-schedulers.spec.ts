/**
 * `lrScheduler.LinearLR` and `lrScheduler.SequentialLR` against PyTorch's rate sequences
 * (`__test__/fixtures/warmup.json`, scripts/fixtures/make_warmup_fixtures.py): two SGD groups
 * (lr 0.1 and 0.05), `getLastLr()` after construction and after each of 30 steps; errors;
 * stateDict round trip.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { SGD, lrScheduler } from '../../src/optim';
import { Tensor } from '../../src/tensor';
import { loadFixture } from '../helpers/fixtures';

const fixture = loadFixture<{ cases: { name: string; lrs: number[][] }[] }>('warmup');
const { LinearLR, SequentialLR, CosineAnnealingLR, ExponentialLR, StepLR } = lrScheduler;

function sgd(): SGD {
  const param = () => new nn.Parameter(new Tensor(new Float32Array(1), [1]));
  return new SGD([{ params: [param()], lr: 0.1 }, { params: [param()], lr: 0.05 }], { lr: 0.1 });
}

const builders: Record<string, (o: SGD) => { step(): void; getLastLr(): number[] }> = {
  'LinearLR defaults': (o) => new LinearLR(o),
  'LinearLR 0.01 → 1 over 10': (o) => new LinearLR(o, { startFactor: 0.01, totalIters: 10 }),
  'LinearLR 1 → 0.1 over 20 (decay)': (o) => new LinearLR(o, { startFactor: 1.0, endFactor: 0.1, totalIters: 20 }),
  'warm-up 5 then cosine 20': (o) =>
    new SequentialLR(o, { schedulers: [new LinearLR(o, { startFactor: 0.1, totalIters: 5 }), new CosineAnnealingLR(o, { tMax: 20, etaMin: 0.001 })], milestones: [5] }),
  'linear, exponential, step at 4 and 12': (o) =>
    new SequentialLR(o, {
      schedulers: [new LinearLR(o, { startFactor: 0.5, totalIters: 4 }), new ExponentialLR(o, { gamma: 0.9 }), new StepLR(o, { stepSize: 3, gamma: 0.5 })],
      milestones: [4, 12],
    }),
};

describe('LinearLR / SequentialLR against PyTorch', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const o = sgd();
      const s = builders[c.name](o);
      const lrs = [s.getLastLr()];
      for (let i = 0; i < c.lrs.length - 1; i++) {
        s.step();
        lrs.push(s.getLastLr());
      }
      lrs.forEach((row, i) => row.forEach((lr, g) => expect(lr, `step ${i} group ${g}`).toBeCloseTo(c.lrs[i][g], 12)));
    });
  }
});

describe('LinearLR / SequentialLR', () => {
  it('refuses bad factors and mismatched milestones with PyTorch\'s messages', () => {
    const o = sgd();
    expect(() => new LinearLR(o, { startFactor: 0 })).toThrow('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    expect(() => new LinearLR(o, { endFactor: 1.5 })).toThrow('Ending multiplicative factor expected to be between 0 and 1.');
    const a = new LinearLR(o);
    expect(() => new SequentialLR(o, { schedulers: [a], milestones: [3] })).toThrow(
      'Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 1 and the number of milestones to be equal to 1',
    );
    expect(() => new SequentialLR(o, { schedulers: [], milestones: [] })).toThrow('SequentialLR expects at least one scheduler, but got no scheduler.');
    const other = sgd();
    expect(() => new SequentialLR(o, { schedulers: [a, new LinearLR(other)], milestones: [2] })).toThrow(
      'SequentialLR expects all schedulers to belong to the same optimizer, but got scheduler LinearLR at index 1 has SGD, which is different from SGD.',
    );
  });

  it('saves and restores its place, its schedulers\' included', () => {
    const make = (o: SGD) => new SequentialLR(o, { schedulers: [new LinearLR(o, { startFactor: 0.1, totalIters: 5 }), new CosineAnnealingLR(o, { tMax: 20 })], milestones: [5] });
    const o1 = sgd();
    const s1 = make(o1);
    for (let i = 0; i < 8; i++) s1.step();
    const o2 = sgd();
    const s2 = make(o2);
    s2.loadStateDict(s1.stateDict());
    o2.paramGroups.forEach((g, i) => (g.lr = o1.paramGroups[i].lr));
    s1.step();
    s2.step();
    expect(s2.getLastLr()).toEqual(s1.getLastLr());
    // Epoch 9 of the sequence is epoch 4 of the cosine, which restarted from 0 at milestone 5.
    expect(s1.stateDict()['schedulers.1.lastEpoch']).toBe(4);
  });
});
