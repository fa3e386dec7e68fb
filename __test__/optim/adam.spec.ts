import { describe, expect, it } from 'vitest';
import { Adam, AdamW } from '../../src/optim';
import { Tensor } from '../../src/tensor';
import { runToy, toyParams } from './trajectory';

function expectTrajectory(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
}

describe('Adam', () => {
  it('matches torch.optim.Adam(lr=0.1) over three steps', () => {
    const [p, q] = toyParams();
    expectTrajectory(runToy(new Adam([p, q], { lr: 0.1 }), p, q), [
      0.7015863060951233, -1.7006233930587769, 2.7003815174102783, 0.2048712521791458, -0.1404363363981247,
      -0.047708652913570404, -0.5939879417419434, 0.11933524906635284,
    ]);
  });

  it('matches Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)', () => {
    const [p, q] = toyParams();
    const optimizer = new Adam([p, q], { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true });
    expectTrajectory(runToy(optimizer, p, q), [
      0.970020055770874, -1.9700099229812622, 2.9700064659118652, 0.4700413942337036, 0.07052093744277954,
      0.17022913694381714, -0.33011144399642944, 0.370106041431427,
    ]);
    expect(Object.keys(optimizer.state.get(p) ?? {})).toEqual(['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']);
  });

  it('matches Adam(lr=0.05, maximize=True)', () => {
    const [p, q] = toyParams();
    expectTrajectory(runToy(new Adam([p, q], { lr: 0.05, maximize: true }), p, q), [
      1.1501761674880981, -2.1501030921936035, 3.1500720977783203, 0.6502450108528137, 0.2442454844713211,
      0.34834611415863037, -0.15483564138412476, 0.5499264597892761,
    ]);
  });

  it('keeps PyTorch-named state with a step count, and skips parameters without gradients', () => {
    const [p, q] = toyParams();
    const optimizer = new Adam([p, q], { lr: 0.1 });
    runToy(optimizer, p, q, 2);
    q.grad = null;
    p.grad = p.detach();
    optimizer.step();
    expect(optimizer.state.get(p)?.step).toBe(3);
    expect(optimizer.state.get(q)?.step).toBe(2);
    const sd = optimizer.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    expect(Object.keys(sd.state[0])).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    expect(sd.param_groups[0].params).toEqual([0, 1]);
  });

  it('resumes identically from its stateDict', () => {
    const [p1, q1] = toyParams();
    const straight = runToy(new Adam([p1, q1], { lr: 0.1 }), p1, q1, 3);
    const [p2, q2] = toyParams();
    const first = new Adam([p2, q2], { lr: 0.1 });
    runToy(first, p2, q2, 2);
    const resumed = new Adam([p2, q2], { lr: 0.1 });
    resumed.loadStateDict(first.stateDict());
    expect(runToy(resumed, p2, q2, 1)).toEqual(straight);
  });

  it('rewinds when its own stateDict is loaded back mid-training', () => {
    const [p1, q1] = toyParams();
    const straight = runToy(new Adam([p1, q1], { lr: 0.1 }), p1, q1, 3);
    const [p2, q2] = toyParams();
    const optimizer = new Adam([p2, q2], { lr: 0.1 });
    runToy(optimizer, p2, q2, 2);
    const saved = optimizer.stateDict();
    const savedState = { ...saved, state: { 0: { ...saved.state[0] }, 1: { ...saved.state[1] } } };
    const snapshot = [Float32Array.from(saved.state[0].exp_avg.data), Float32Array.from(saved.state[0].exp_avg_sq.data)];
    const params = [Float32Array.from(p2.data), Float32Array.from(q2.data)];
    runToy(optimizer, p2, q2, 1); // moves on (and mutates the live buffers)…
    savedState.state[0].exp_avg = new Tensor(snapshot[0], [4]);
    savedState.state[0].exp_avg_sq = new Tensor(snapshot[1], [4]);
    savedState.state[0].step = 2;
    optimizer.loadStateDict(savedState); // …then goes back to step 2 for p
    p2.data.set(params[0]);
    q2.data.set(params[1]);
    const again = runToy(optimizer, p2, q2, 1);
    expect(again.slice(0, 4)).toEqual(straight.slice(0, 4));
    expect(optimizer.state.get(p2)?.step).toBe(3);
  });

  it("validates options with PyTorch's messages", () => {
    const [p] = toyParams();
    expect(() => new Adam([p], { lr: -1 })).toThrow(new RangeError('Invalid learning rate: -1'));
    expect(() => new Adam([p], { eps: -1 })).toThrow(new RangeError('Invalid epsilon value: -1'));
    expect(() => new Adam([p], { betas: [1.5, 0.999] })).toThrow(new RangeError('Invalid beta parameter at index 0: 1.5'));
    expect(() => new Adam([p], { betas: [0.9, 1] })).toThrow(new RangeError('Invalid beta parameter at index 1: 1'));
    expect(() => new Adam([p], { weightDecay: -1 })).toThrow(new RangeError('Invalid weight_decay value: -1'));
    expect(() => new Adam([p], { lr: Number.NaN })).toThrow(new RangeError('Invalid learning rate: NaN'));
  });
});

describe('AdamW', () => {
  it('matches torch.optim.AdamW(lr=0.1) (weight_decay 1e-2 by default, decoupled)', () => {
    const [p, q] = toyParams();
    const optimizer = new AdamW([p, q], { lr: 0.1 });
    expect(optimizer.defaults.weightDecay).toBe(1e-2);
    expect(optimizer.defaults.decoupledWeightDecay).toBe(true);
    expectTrajectory(runToy(optimizer, p, q), [
      0.6989112496376038, -1.6949446201324463, 2.6917035579681396, 0.20371240377426147, -0.14051055908203125,
      -0.04791908338665962, -0.5928292274475098, 0.11855347454547882,
    ]);
  });
});
