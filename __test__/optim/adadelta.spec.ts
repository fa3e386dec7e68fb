import { describe, expect, it } from 'vitest';
import { Adadelta } from '../../src/optim';
import { OPTIM2, camelOptions, copiesOf, expectState, expectTrajectory, fixtureParams, runFixture } from './optim2-fixtures';

describe('Adadelta matches torch.optim.Adadelta', () => {
  for (const name of ['adadelta', 'adadelta_wd', 'adadelta_maximize']) {
    const fixture = OPTIM2.trajectories[name];
    it(`${name}: 20 steps of Adadelta(${JSON.stringify(fixture.options)}) and the final state`, () => {
      const [p, q] = fixtureParams();
      const optimizer = new Adadelta([p, q], camelOptions(fixture.options));
      expectTrajectory(runFixture(optimizer, p, q, fixture.noise), fixture.params);
      expectState(optimizer, fixture.state);
    });
  }

  it("has PyTorch's defaults", () => {
    const [p] = fixtureParams();
    expect(new Adadelta([p]).defaults).toEqual({ lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false });
  });

  it("rejects bad options with PyTorch's messages", () => {
    const [p] = fixtureParams();
    const e = OPTIM2.errors;
    expect(() => new Adadelta([p], { lr: -1 })).toThrow(new RangeError(e.adadelta_lr));
    expect(() => new Adadelta([p], { rho: 1.5 })).toThrow(new RangeError(e.adadelta_rho));
    expect(() => new Adadelta([p], { eps: -0.5 })).toThrow(new RangeError(e.adadelta_eps));
    expect(() => new Adadelta([p], { weightDecay: -0.5 })).toThrow(new RangeError(e.adadelta_weight_decay));
    expect(() => new Adadelta([p], { weight_decay: 0.1 } as never)).toThrow(TypeError);
    expect(() => new Adadelta([p], { fused: true } as never)).toThrow(TypeError);
  });

  it('resumes identically from its stateDict and bumps each parameter version per step', () => {
    const fixture = OPTIM2.trajectories.adadelta_wd;
    const options = camelOptions(fixture.options);
    const [p, q] = fixtureParams();
    const first = new Adadelta([p, q], options);
    runFixture(first, p, q, fixture.noise.slice(0, 10));
    const [p2, q2] = copiesOf(p, q);
    const resumed = new Adadelta([p2, q2], {});
    resumed.loadStateDict(first.stateDict());
    expect(resumed.paramGroups[0].rho).toBe(0.95);
    const before = p2._version;
    const rest = runFixture(resumed, p2, q2, fixture.noise.slice(10));
    expect(p2._version).toBe(before + 10);
    expectTrajectory(rest, fixture.params.slice(10));
  });

  it('steps param groups with their own options and skips parameters without gradients', () => {
    const [p, q] = fixtureParams();
    const optimizer = new Adadelta([{ params: [p] }, { params: [q], lr: 0 }]);
    const q0 = [...q.data];
    p.grad = p.clone();
    optimizer.step();
    expect([...q.data]).toEqual(q0);
    expect(optimizer.state.has(q)).toBe(false);
    expect(optimizer.state.get(p)?.step).toBe(1);
  });
});
