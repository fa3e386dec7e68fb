/**
 * Issue #11.4 for `optim`: options are checked at construction (not inside the native step),
 * per parameter group as well, and `loadStateDict` checks the structure it is given.
 */
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, SGD, lrScheduler } from '../../src/optim';
import { Tensor } from '../../src/tensor';

function param(values: number[]): Tensor {
  const t = new Tensor(Float32Array.from(values), [values.length], 'float32');
  t.requiresGrad = true;
  return t;
}

describe('optimizer options', () => {
  it("new optim.Adam(params, { lr: '0.1' }) throws a TypeError at construction, not inside the binding", () => {
    expect(() => new Adam([param([1])], { lr: '0.1' } as never)).toThrow(new TypeError("Adam: option 'lr' must be a number, got string '0.1'"));
    expect(() => new AdamW([param([1])], { lr: '0.1' } as never)).toThrow(new TypeError("AdamW: option 'lr' must be a number, got string '0.1'"));
    expect(() => new SGD([param([1])], { momentum: '0.9' } as never)).toThrow(new TypeError("SGD: option 'momentum' must be a number, got string '0.9'"));
    expect(() => new Adam([param([1])], { betas: [0.9] } as never)).toThrow(new TypeError("Adam: option 'betas' must be an array of 2 numbers, got array"));
  });

  it('misspelled and snake_case options are refused with the camelCase name', () => {
    expect(() => new Adam([param([1])], { weight_decay: 0.1 } as never)).toThrow(
      new TypeError("Adam got an unexpected option 'weight_decay' (did you mean 'weightDecay'?)"),
    );
    expect(() => new AdamW([param([1])], { decoupledWeightDecay: false } as never)).toThrow(
      new TypeError("AdamW got an unexpected option 'decoupledWeightDecay'"),
    );
    expect(() => new SGD([param([1])], { nesterow: true } as never)).toThrow(new TypeError("SGD got an unexpected option 'nesterow' (did you mean 'nesterov'?)"));
  });

  it("PyTorch's implementation switches are accepted only when they ask for nothing else", () => {
    expect(() => new Adam([param([1])], { foreach: null, fused: false, capturable: false, differentiable: false } as never)).not.toThrow();
    expect(() => new SGD([param([1])], { fused: true } as never)).toThrow(
      new TypeError("SGD: option 'fused' is not supported by kindling yet (kindling always updates each group in one native call)"),
    );
  });

  it('new optim.SGD(params, 0.1) (positional lr) shows the options call', () => {
    expect(() => new SGD([param([1])], 0.1 as never)).toThrow(new TypeError('SGD: the second argument is an options object; use new optim.SGD(params, { lr: 0.1 })'));
    expect(() => new Adam([param([1])], 0.001 as never)).toThrow(new TypeError('Adam: the second argument is an options object; use new optim.Adam(params, { lr: 0.001 })'));
  });

  it('per-parameter-group options are checked as well (type and name)', () => {
    expect(() => new Adam([{ params: [param([1])], lr: '0.1' }] as never)).toThrow(
      new TypeError("Adam param group: option 'lr' must be a number, got string '0.1'"),
    );
    expect(() => new SGD([{ params: [param([1])], weight_decay: 0.1 }] as never)).toThrow(
      new TypeError("SGD param group got an unexpected option 'weight_decay' (did you mean 'weightDecay'?)"),
    );
    const optimizer = new SGD([param([1])], { lr: 0.1 });
    expect(() => optimizer.addParamGroup({ lr: 0.5 } as never)).toThrow(new TypeError("SGD param group: missing the required option 'params'"));
    expect(() => optimizer.addParamGroup({ params: [param([2])], betas: [0.9, 0.99] } as never)).toThrow(
      new TypeError("SGD param group got an unexpected option 'betas'"),
    );
    optimizer.addParamGroup({ params: [param([2])], lr: 0.5 });
    expect(optimizer.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
  });

  it("zeroGrad(false) (PyTorch's positional set_to_none) shows the options call", () => {
    const optimizer = new SGD([param([1])], { lr: 0.1 });
    expect(() => optimizer.zeroGrad(false as never)).toThrow(
      new TypeError('zeroGrad: the first argument is an options object; use optimizer.zeroGrad({ setToNone: false })'),
    );
  });
});

describe('optimizer.loadStateDict checks the structure', () => {
  const p = param([1, 2]);
  const make = () => new Adam([p], { lr: 0.1 });

  it("loadStateDict({}) says what is missing instead of 'Cannot read properties of undefined'", () => {
    expect(() => make().loadStateDict({} as never)).toThrow(
      new TypeError("Adam.loadStateDict: the state dict has no 'param_groups' (expected an object { state, param_groups } from optimizer.stateDict())"),
    );
    expect(() => make().loadStateDict({ param_groups: [] } as never)).toThrow(
      new TypeError("Adam.loadStateDict: the state dict has no 'state' (expected an object { state, param_groups } from optimizer.stateDict())"),
    );
    expect(() => make().loadStateDict(null as never)).toThrow(
      new TypeError('Adam.loadStateDict: expected an object { state, param_groups } from optimizer.stateDict(), got null'),
    );
    expect(() => make().loadStateDict({ state: {}, param_groups: [], extra: 1 } as never)).toThrow(
      new TypeError("Adam.loadStateDict: unexpected key 'extra' in the state dict (expected an object { state, param_groups } from optimizer.stateDict())"),
    );
  });

  it('keeps PyTorch’s messages for a layout of another size', () => {
    expect(() => make().loadStateDict({ state: {}, param_groups: [] })).toThrow(new RangeError('loaded state dict has a different number of parameter groups'));
  });

  it('refuses groups and states of the wrong shape or with PyTorch’s snake_case option names', () => {
    const sd = make().stateDict();
    expect(() => make().loadStateDict({ ...sd, param_groups: [{ ...sd.param_groups[0], params: 'all' as never }] })).toThrow(
      new TypeError("Adam.loadStateDict: param_groups[0].params must be an array of parameter numbers, got string 'all'"),
    );
    expect(() => make().loadStateDict({ ...sd, param_groups: [{ ...sd.param_groups[0], weight_decay: 0 } as never] })).toThrow(
      new TypeError("Adam.loadStateDict: param_groups[0] got an unexpected option 'weight_decay' (did you mean 'weightDecay'?)"),
    );
    expect(() => make().loadStateDict({ ...sd, param_groups: [{ ...sd.param_groups[0], lr: '0.1' as never }] })).toThrow(
      new TypeError("Adam.loadStateDict: param_groups[0]: option 'lr' must be a number, got string '0.1'"),
    );
    expect(() => make().loadStateDict({ ...sd, state: { x: {} } as never })).toThrow(new TypeError("Adam.loadStateDict: 'state' keys are parameter numbers, got 'x'"));
    expect(() => make().loadStateDict({ ...sd, state: { 0: 5 } as never })).toThrow(new TypeError('Adam.loadStateDict: state[0] must be an object, got number 5'));
  });

  it('an option a checkpoint predates takes its default', () => {
    const sd = make().stateDict();
    const { decoupledWeightDecay: _dropped, ...older } = sd.param_groups[0];
    const optimizer = make();
    optimizer.loadStateDict({ state: {}, param_groups: [older as never] });
    expect(optimizer.paramGroups[0].decoupledWeightDecay).toBe(false);
    expect(optimizer.paramGroups[0].lr).toBe(0.1);
  });
});

describe('scheduler options', () => {
  const optimizer = () => new SGD([param([1])], { lr: 0.1 });

  it('new StepLR(optimizer, 30) (positional step_size) shows the options call', () => {
    expect(() => new lrScheduler.StepLR(optimizer(), 30 as never)).toThrow(
      new TypeError('StepLR: the second argument is an options object; use new optim.lrScheduler.StepLR(optimizer, { stepSize: 30 })'),
    );
    expect(() => new lrScheduler.ExponentialLR(optimizer(), 0.9 as never)).toThrow(
      new TypeError('ExponentialLR: the second argument is an options object; use new optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.9 })'),
    );
  });

  it('a missing stepSize no longer gives NaN rates; typos and types are refused', () => {
    expect(() => new lrScheduler.StepLR(optimizer(), {} as never)).toThrow(new TypeError("StepLR: missing the required option 'stepSize'"));
    expect(() => new lrScheduler.StepLR(optimizer(), { step_size: 3 } as never)).toThrow(
      new TypeError("StepLR got an unexpected option 'step_size' (did you mean 'stepSize'?)"),
    );
    expect(() => new lrScheduler.CosineAnnealingLR(optimizer(), { T_max: 10 } as never)).toThrow(
      new TypeError("CosineAnnealingLR got an unexpected option 'T_max' (did you mean 'tMax'?)"),
    );
    expect(() => new lrScheduler.StepLR(optimizer(), { stepSize: 2.5 })).toThrow(new TypeError("StepLR: option 'stepSize' must be an integer, got number 2.5"));
    expect(() => new lrScheduler.ExponentialLR(optimizer(), { gamma: '0.5' } as never)).toThrow(
      new TypeError("ExponentialLR: option 'gamma' must be a number, got string '0.5'"),
    );
  });

  it('step(epoch) and loadStateDict check their arguments', () => {
    const scheduler = new lrScheduler.StepLR(optimizer(), { stepSize: 2 });
    expect(() => scheduler.step('1' as never)).toThrow(new TypeError("StepLR.step: epoch must be an integer, got string '1'"));
    expect(() => scheduler.loadStateDict({ step_size: 3 })).toThrow(new TypeError("StepLR.loadStateDict: unexpected key 'step_size' (not a field of StepLR)"));
    expect(() => scheduler.loadStateDict(null as never)).toThrow(new TypeError('StepLR.loadStateDict: expected an object from scheduler.stateDict(), got null'));
  });
});
