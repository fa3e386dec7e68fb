import { describe, expect, it } from 'vitest';
import { Adagrad } from '../../src/optim';
import { OPTIM2, camelOptions, copiesOf, expectState, expectTrajectory, fixtureParams, runFixture } from './optim2-fixtures';

describe('Adagrad matches torch.optim.Adagrad', () => {
  for (const name of ['adagrad', 'adagrad_lr_decay', 'adagrad_wd_maximize']) {
    const fixture = OPTIM2.trajectories[name];
    it(`${name}: 20 steps of Adagrad(${JSON.stringify(fixture.options)}) and the final state`, () => {
      const [p, q] = fixtureParams();
      const optimizer = new Adagrad([p, q], camelOptions(fixture.options));
      expectTrajectory(runFixture(optimizer, p, q, fixture.noise), fixture.params);
      expectState(optimizer, fixture.state);
    });
  }

  it("has PyTorch's defaults and, as PyTorch, every parameter's state from construction", () => {
    const [p, q] = fixtureParams();
    const optimizer = new Adagrad([p, q], { initialAccumulatorValue: 0.25 });
    expect(optimizer.defaults).toEqual({ lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0.25, eps: 1e-10, maximize: false });
    expect(optimizer.state.get(q)?.step).toBe(0);
    expect([...(optimizer.state.get(q)?.sum.data ?? [])]).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    expect(optimizer.state.get(q)?.sum.shape).toEqual([2, 3]);
  });

  it("rejects bad options with PyTorch's messages", () => {
    const [p] = fixtureParams();
    const e = OPTIM2.errors;
    expect(() => new Adagrad([p], { lr: -0.01 })).toThrow(new RangeError(e.adagrad_lr));
    expect(() => new Adagrad([p], { lrDecay: -0.5 })).toThrow(new RangeError(e.adagrad_lr_decay));
    expect(() => new Adagrad([p], { weightDecay: -0.5 })).toThrow(new RangeError(e.adagrad_weight_decay));
    expect(() => new Adagrad([p], { initialAccumulatorValue: -0.5 })).toThrow(new RangeError(e.adagrad_initial_accumulator_value));
    expect(() => new Adagrad([p], { eps: -0.5 })).toThrow(new RangeError(e.adagrad_eps));
    expect(() => new Adagrad([p], { capturable: true } as never)).toThrow(TypeError);
  });

  it('resumes identically from its stateDict (lrDecay uses the restored step counts)', () => {
    const fixture = OPTIM2.trajectories.adagrad_lr_decay;
    const options = camelOptions(fixture.options);
    const [p, q] = fixtureParams();
    const first = new Adagrad([p, q], options);
    runFixture(first, p, q, fixture.noise.slice(0, 5));
    const [p2, q2] = copiesOf(p, q);
    const resumed = new Adagrad([p2, q2]);
    resumed.loadStateDict(first.stateDict());
    const before = p2._version;
    expectTrajectory(runFixture(resumed, p2, q2, fixture.noise.slice(5)), fixture.params.slice(5));
    expect(p2._version).toBe(before + 15);
  });
});
