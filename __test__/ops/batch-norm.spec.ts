import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { batchNorm } from '../../src/ops/batch-norm';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[], seed: number): torch.Tensor => {
  torch.manualSeed(seed);
  return torch.randn(shape).requiresGrad_();
};

describe('batchNorm', () => {
  it('has the gradients of its formula in training (batch statistics) and in evaluation', () => {
    expectGradcheck((x, w, b) => batchNorm(x, null, null, { weight: w, bias: b, training: true }), [leaf([4, 3, 5], 1), leaf([3], 2), leaf([3], 3)]);
    expectGradcheck((x) => batchNorm(x, null, null, { training: true, eps: 1e-3 }), [leaf([3, 2, 2, 3], 4)]);
    const rm = torch.randn([3]);
    const rv = torch.rand([3]).add(0.5);
    expectGradcheck((x, w) => batchNorm(x, rm, rv, { weight: w, training: false }), [leaf([2, 3, 4], 5), leaf([3], 6)]);
  });

  it('updates the running statistics in place with the unbiased variance, bumping their versions', () => {
    const x = torch.tensor([[1, 10], [3, 30]]);
    const rm = torch.zeros([2]);
    const rv = torch.ones([2]);
    const v0 = rv._version;
    batchNorm(x, rm, rv, { training: true, momentum: 0.5 });
    expect(Array.from(rm.data)).toEqual([1, 10]); // 0.5·0 + 0.5·mean
    expect(Array.from(rv.data)).toEqual([1.5, 100.5]); // 0.5·1 + 0.5·(unbiased var 2 and 200)
    expect(rv._version).toBe(v0 + 1);
  });

  it('refuses what PyTorch refuses', () => {
    expect(() => batchNorm(torch.randn([2, 4]), torch.zeros([3]), torch.ones([3]))).toThrow('running_mean should contain 4 elements not 3');
    expect(() => batchNorm(torch.randn([2, 4]), torch.zeros([4]), torch.ones([4]), { weight: torch.ones([3]) })).toThrow('weight should contain 4 elements not 3');
    expect(() => batchNorm(torch.randn([1, 4]), null, null, { training: true })).toThrow(new RangeError('Expected more than 1 value per channel when training, got input size [1, 4]'));
    expect(() => batchNorm(torch.randn([2, 4]), null, null)).toThrow('batch_norm: running_mean and running_var are needed when training is false');
    expect(() => batchNorm(torch.randn([2, 4]), null, null, { training: true, momemtum: 0.1 } as never)).toThrow(/batchNorm.*momemtum/);
  });
});

describe('nn.BatchNorm2d', () => {
  it('keeps its buffers in stateDict (num_batches_tracked as int64) and round-trips them through a checkpoint', () => {
    const bn = new torch.nn.BatchNorm2d(3);
    bn.forward(torch.randn([4, 3, 2, 2]));
    bn.forward(torch.randn([4, 3, 2, 2]));
    const sd = bn.stateDict();
    expect(sd.num_batches_tracked.dtype).toBe('int64');
    expect(sd.num_batches_tracked.item()).toBe(2);
    const other = new torch.nn.BatchNorm2d(3);
    other.loadStateDict(sd);
    expect(Array.from((other.running_var as torch.Tensor).data)).toEqual(Array.from((bn.running_var as torch.Tensor).data));
    expect((other.num_batches_tracked as torch.Tensor).item()).toBe(2);
  });

  it('refuses a state_dict from a model without the buffers, naming them as PyTorch', () => {
    const bn = new torch.nn.BatchNorm2d(2);
    const sd = { weight: torch.ones([2]), bias: torch.zeros([2]) };
    expect(() => bn.loadStateDict(sd)).toThrow('Missing key(s) in state_dict: "running_mean", "running_var", "num_batches_tracked".');
  });

  it('uses the running statistics in eval() and the batch ones in train(); without tracking, always the batch ones', () => {
    const bn = new torch.nn.BatchNorm2d(1);
    const x = torch.tensor([[[[1, 2], [3, 4]]]]).mul(10);
    bn.eval();
    expect(Array.from(torch.noGrad(() => bn.forward(x)).data).map((v) => Math.round(v))).toEqual([10, 20, 30, 40]);
    const free = new torch.nn.BatchNorm2d(1, { trackRunningStats: false });
    free.eval();
    const y = Array.from(free.forward(x).data);
    expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(free.running_mean).toBeNull();
    expect(Object.keys(free.stateDict())).toEqual(['weight', 'bias']);
  });
});
