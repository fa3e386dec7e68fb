import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import * as torch from '../../src';
import { Adam, SGD } from '../../src/optim';
import { Tensor } from '../../src/tensor';

function param(values: number[]): nn.Parameter {
  return new nn.Parameter(new Tensor(Float32Array.from(values), [values.length]));
}

describe('Optimizer parameter groups', () => {
  it('takes an iterable of tensors as one group with the defaults', () => {
    const model = new nn.Linear(3, 2);
    const optimizer = new Adam(model.parameters(), { lr: 1e-4 });
    expect(optimizer.paramGroups).toHaveLength(1);
    const [group] = optimizer.paramGroups;
    expect(group.params).toEqual([model.weight, model.bias]);
    expect({ ...group, params: undefined }).toEqual({
      params: undefined,
      lr: 1e-4,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      decoupledWeightDecay: false,
    });
    expect(optimizer.defaults.lr).toBe(1e-4);
    expect(optimizer.state.size).toBe(0); // state is created lazily, on the first step
  });

  it('accepts a generator (any iterable), and a list of groups with per-group options', () => {
    const a = param([1]);
    const b = param([2]);
    function* gen(): Generator<nn.Parameter> {
      yield a;
    }
    expect(new SGD(gen()).paramGroups[0].params).toEqual([a]);
    const optimizer = new SGD([{ params: [a] }, { params: b, lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(optimizer.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.1, 0],
      [0.5, 0.9],
    ]);
    expect(optimizer.paramGroups[1].params).toEqual([b]);
  });

  it('addParamGroup adds a group, and refuses a parameter already optimized', () => {
    const a = param([1]);
    const optimizer = new Adam([a]);
    optimizer.addParamGroup({ params: [param([2])], lr: 3 });
    expect(optimizer.paramGroups[1].lr).toBe(3);
    expect(optimizer.paramGroups[1].betas).toEqual([0.9, 0.999]);
    expect(optimizer.paramGroups[1].betas).not.toBe(optimizer.paramGroups[0].betas);
    expect(() => optimizer.addParamGroup({ params: [a] })).toThrow(
      new RangeError('some parameters appear in more than one parameter group'),
    );
  });

  it("rejects bad parameter lists with PyTorch's messages", () => {
    expect(() => new Adam([])).toThrow(new RangeError('optimizer got an empty parameter list'));
    expect(() => new Adam(param([1]) as unknown as nn.Parameter[])).toThrow(
      new TypeError('params argument given to the optimizer should be an iterable of Tensors or dicts, but got Parameter'),
    );
    expect(() => new Adam([{ params: [3 as unknown as Tensor] }])).toThrow(
      new TypeError('optimizer can only optimize Tensors, but one of the params is number'),
    );
    expect(() => new Adam([{ params: new Set([param([1])]) }])).toThrow(
      'optimizer parameters need to be organized in ordered collections',
    );
    const nonLeaf = param([1]);
    nonLeaf.gradFn = { name: 'AddBackward0' } as unknown as Tensor['gradFn'];
    expect(() => new Adam([nonLeaf])).toThrow(new RangeError("can't optimize a non-leaf Tensor"));
  });

  it('refuses a strided leaf, whose elements a native step could not write in place (no silent no-op)', () => {
    const strided = torch.randn(4, 3).t().requiresGrad_();
    expect(strided.isLeaf).toBe(true);
    expect(() => new SGD([strided], { lr: 0.1 })).toThrow(
      new RangeError('optimizer: kindling can only optimize contiguous tensors; pass p.contiguous() (a copy) instead of a strided view'),
    );
  });
});

describe('Optimizer.step', () => {
  it('calls the closure first and returns its loss', () => {
    const p = param([1]);
    const optimizer = new SGD([p], { lr: 0.5 });
    const loss = optimizer.step(() => {
      p.grad = new Tensor(Float32Array.from([2]), [1]);
      return 3;
    });
    expect(loss).toBe(3);
    expect(p.data[0]).toBe(0); // 1 − 0.5·2
    expect(optimizer.step()).toBeUndefined();
  });
});

describe('Optimizer.zeroGrad', () => {
  it('sets gradients to null by default, or zeroes them in place', () => {
    const p = param([1, 2]);
    const optimizer = new SGD([p]);
    p.grad = new Tensor(Float32Array.from([3, 4]), [2]);
    optimizer.zeroGrad();
    expect(p.grad).toBeNull();
    const grad = new Tensor(Float32Array.from([3, 4]), [2]);
    p.grad = grad;
    optimizer.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(grad);
    expect(Array.from(grad.data)).toEqual([0, 0]);
  });
});

describe('Optimizer.stateDict / loadStateDict', () => {
  it("numbers parameters across groups as PyTorch does, and validates the layout on load", () => {
    const [a, b, c] = [param([1]), param([2]), param([3])];
    const optimizer = new SGD([{ params: [a, b] }, { params: [c], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    const sd = optimizer.stateDict();
    expect(sd.state).toEqual({});
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0, 1], [2]]);
    expect(sd.param_groups[1]).toEqual({
      lr: 0.5,
      momentum: 0.9,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
      params: [2],
    });

    const other = new SGD([{ params: [param([0]), param([0])] }, { params: [param([0])] }]);
    sd.param_groups[0].lr = 0.25;
    other.loadStateDict(sd);
    expect(other.paramGroups.map((g) => g.lr)).toEqual([0.25, 0.5]);
    expect(other.paramGroups[0].momentum).toBe(0.9);
    expect(optimizer.paramGroups[0].lr).toBe(0.1); // the source is not modified through the copy

    expect(() => new SGD([param([0])]).loadStateDict(sd)).toThrow(
      new RangeError('loaded state dict has a different number of parameter groups'),
    );
    expect(() => new SGD([{ params: [param([0])] }, { params: [param([0])] }]).loadStateDict(sd)).toThrow(
      new RangeError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group"),
    );
  });

  it('maps saved state to parameters by number, copies tensors, and accepts a PyTorch-style tensor step', () => {
    const p = param([1, 2]);
    const q = param([3, 4]);
    const optimizer = new Adam([p, q]);
    const expAvg = new Tensor(Float32Array.from([0.5, 0.25]), [2]);
    optimizer.loadStateDict({
      state: { 1: { step: new Tensor(Float32Array.from([7]), []) as unknown as number, exp_avg: expAvg, exp_avg_sq: expAvg } },
      param_groups: [{ ...optimizer.paramGroups[0], params: [0, 1] }],
    });
    const state = optimizer.state.get(q);
    expect(state?.step).toBe(7);
    expect(Array.from(state?.exp_avg.data ?? [])).toEqual([0.5, 0.25]);
    expect(state?.exp_avg.data).not.toBe(expAvg.data);
    expect(optimizer.state.has(p)).toBe(false);
    expect(() =>
      optimizer.loadStateDict({
        state: { 0: { step: 1, exp_avg: new Tensor(new Float32Array(3), [3]), exp_avg_sq: expAvg } },
        param_groups: [{ ...optimizer.paramGroups[0], params: [0, 1] }],
      }),
    ).toThrow(new RangeError('loaded state dict has exp_avg of shape [3] for parameter 0, whose shape is [2]'));
  });
});
