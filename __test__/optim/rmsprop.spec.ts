import { describe, expect, it } from 'vitest';
import { RMSprop } from '../../src/optim';
import { OPTIM2, camelOptions, copiesOf, expectState, expectTrajectory, fixtureParams, runFixture } from './optim2-fixtures';

describe('RMSprop matches torch.optim.RMSprop', () => {
  for (const name of ['rmsprop', 'rmsprop_centered', 'rmsprop_momentum', 'rmsprop_centered_momentum']) {
    const fixture = OPTIM2.trajectories[name];
    it(`${name}: 20 steps of RMSprop(${JSON.stringify(fixture.options)}) and the final state`, () => {
      const [p, q] = fixtureParams();
      const optimizer = new RMSprop([p, q], camelOptions(fixture.options));
      expectTrajectory(runFixture(optimizer, p, q, fixture.noise), fixture.params);
      expectState(optimizer, fixture.state);
    });
  }

  it("has PyTorch's defaults", () => {
    const [p] = fixtureParams();
    expect(new RMSprop([p]).defaults).toEqual({
      lr: 0.01,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
  });

  it("rejects bad options with PyTorch's messages", () => {
    const [p] = fixtureParams();
    const e = OPTIM2.errors;
    expect(() => new RMSprop([p], { lr: -0.01 })).toThrow(new RangeError(e.rmsprop_lr));
    expect(() => new RMSprop([p], { eps: -0.5 })).toThrow(new RangeError(e.rmsprop_eps));
    expect(() => new RMSprop([p], { momentum: -0.5 })).toThrow(new RangeError(e.rmsprop_momentum));
    expect(() => new RMSprop([p], { weightDecay: -0.5 })).toThrow(new RangeError(e.rmsprop_weight_decay));
    expect(() => new RMSprop([p], { alpha: -0.5 })).toThrow(new RangeError(e.rmsprop_alpha));
    expect(() => new RMSprop([p], { centered: 1 } as never)).toThrow(TypeError);
  });

  it('resumes identically from its stateDict (centered, momentum)', () => {
    const fixture = OPTIM2.trajectories.rmsprop_centered_momentum;
    const options = camelOptions(fixture.options);
    const [p, q] = fixtureParams();
    const first = new RMSprop([p, q], options);
    runFixture(first, p, q, fixture.noise.slice(0, 7));
    const [p2, q2] = copiesOf(p, q);
    const resumed = new RMSprop([p2, q2]);
    resumed.loadStateDict(first.stateDict());
    const before = q2._version;
    expectTrajectory(runFixture(resumed, p2, q2, fixture.noise.slice(7)), fixture.params.slice(7));
    expect(q2._version).toBe(before + 13);
  });

  it('starts a momentum buffer at zero when momentum is switched on mid-training', () => {
    const [p] = fixtureParams();
    const optimizer = new RMSprop([p], { lr: 0.01 });
    p.grad = p.clone();
    optimizer.step();
    expect(optimizer.state.get(p)?.momentum_buffer).toBeUndefined();
    optimizer.paramGroups[0].momentum = 0.9;
    optimizer.step();
    expect(optimizer.state.get(p)?.momentum_buffer?.data.some((v) => v !== 0)).toBe(true);
    expect(optimizer.state.get(p)?.step).toBe(2);
  });
});
