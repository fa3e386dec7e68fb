import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose } from '../helpers/close';
import { expectGradcheck } from '../helpers/gradcheck';

// a = torch.tensor([[0.5,-1.0,2.0],[1.5,0.25,-0.75]]); b = torch.tensor([0.2,-0.4,1.2])
const A = [
  [0.5, -1.0, 2.0],
  [1.5, 0.25, -0.75],
];
const B = [0.2, -0.4, 1.2];
const leaf = (v: torch.NestedArray): torch.Tensor => torch.tensor(v, { dtype: torch.float32, requiresGrad: true });

describe('binary ops forward (values from PyTorch)', () => {
  const a = torch.tensor(A);
  const b = torch.tensor(B);
  it('add/sub/mul/div broadcast', () => {
    // (a+b).tolist()
    expectClose(a.add(b), [[0.7, -1.4, 3.2], [1.7, -0.15, 0.45]]);
    // torch.sub(a, b, alpha=2)
    expectClose(torch.sub(a, b, { alpha: 2 }), [[0.1, -0.2, -0.4], [1.1, 1.05, -3.15]]);
    expectClose(a.mul(b), [[0.1, 0.4, 2.4], [0.3, -0.1, -0.9]]);
    expectClose(a.div(b), [[2.5, 2.5, 1.6666666], [7.5, -0.625, -0.625]]);
    expectClose(torch.add(a, b, { alpha: -1 }), a.sub(b).tolist());
  });

  it('scalars and 0-d tensors', () => {
    expectClose(a.add(1), [[1.5, 0, 3], [2.5, 1.25, 0.25]]);
    expectClose(a.mul(torch.tensor(2)), [[1, -2, 4], [3, 0.5, -1.5]]);
    expectClose(torch.tensor(2).mul(a), [[1, -2, 4], [3, 0.5, -1.5]]);
    expectClose(a.div(2), [[0.25, -0.5, 1], [0.75, 0.125, -0.375]]);
  });

  it('pow with scalar and tensor exponents', () => {
    // a.abs()**1.5 ; a.abs()**b
    expectClose(a.abs().pow(1.5), [[0.35355338, 1, 2.828427], [1.8371173, 0.125, 0.649519]]);
    expectClose(a.abs().pow(b), [[0.87055057, 1, 2.2973969], [1.0844718, 1.7411011, 0.70806563]]);
  });

  it('follows PyTorch type promotion for integer tensors', () => {
    const i = torch.tensor([1, 2, 3], { dtype: torch.int32 });
    expect(i.add(1).dtype).toBe('int32');
    expect(i.add(1).tolist()).toEqual([2, 3, 4]);
    expect(i.mul(0.5).dtype).toBe('float32');
    expect(i.div(2).dtype).toBe('float32');
    expect(i.div(2).tolist()).toEqual([0.5, 1, 1.5]);
    expect(i.add(torch.tensor([0.5])).dtype).toBe('float32');
    expect(i.sub(i).tolist()).toEqual([0, 0, 0]);
    expect(i.neg().tolist()).toEqual([-1, -2, -3]);
    expect(i.abs().dtype).toBe('int32');
    expect(i.exp().dtype).toBe('float32');
  });

  it('reports broadcasting failures in PyTorch words', () => {
    expect(() => torch.zeros(2, 3).add(torch.zeros(2, 4))).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1',
    );
    expect(() => torch.zeros(2, 3).add(torch.zeros(2, 4))).toThrow(torch.ShapeError);
    expect(() => torch.zeros(2).add('x' as unknown as number)).toThrow("add(): argument 'other' must be Tensor or Number, not string");
  });

  it('names graph nodes like PyTorch', () => {
    const x = leaf(A);
    expect(x.add(1).gradFn?.name).toBe('AddBackward0');
    expect(x.sub(x).gradFn?.name).toBe('SubBackward0');
    expect(x.mul(2).gradFn?.name).toBe('MulBackward0');
    expect(x.div(x).gradFn?.name).toBe('DivBackward0');
    expect(x.pow(2).gradFn?.name).toBe('PowBackward0');
    expect(x.pow(x).gradFn?.name).toBe('PowBackward1');
    expect(x.add(1).gradFn?.next[1]).toBeNull();
  });
});

describe('binary ops backward (gradcheck)', () => {
  it('add/sub with broadcasting and alpha', () => {
    expectGradcheck((x, y) => torch.add(x, y, { alpha: 0.5 }), [leaf(A), leaf(B)]);
    expectGradcheck((x, y) => torch.sub(x, y, { alpha: 2 }), [leaf(A), leaf([[0.3], [0.7]])]);
    expectGradcheck((x) => x.add(3), [leaf(A)]);
  });
  it('mul/div with broadcasting', () => {
    expectGradcheck((x, y) => x.mul(y), [leaf(A), leaf(B)]);
    expectGradcheck((x, y) => x.div(y), [leaf(A), leaf(B)], { eps: 1e-3 });
    expectGradcheck((x) => x.mul(-1.5).div(4), [leaf(A)]);
  });
  it('pow', () => {
    expectGradcheck((x) => x.pow(3), [leaf(A)]);
    expectGradcheck((x, y) => x.pow(y), [leaf([[0.5, 1.2, 2.0]]), leaf(B)], { eps: 1e-3 });
  });
  it('accumulates gradients when a tensor is used twice (x·x)', () => {
    const x = leaf([1, -2, 3]);
    x.mul(x).sum().backward();
    expect(x.grad?.tolist()).toEqual([2, -4, 6]);
  });
});

describe('unary ops', () => {
  const a = torch.tensor(A);
  it('forward values (PyTorch)', () => {
    expectClose(a.exp(), [[1.6487212, 0.36787945, 7.389056], [4.481689, 1.2840254, 0.47236654]]);
    expectClose(a.sigmoid(), [[0.62245935, 0.26894143, 0.880797], [0.81757444, 0.56217653, 0.32082129]]);
    expectClose(a.tanh(), [[0.46211717, -0.76159418, 0.96402758], [0.90514827, 0.24491866, -0.63514894]]);
    expectClose(a.relu(), [[0.5, 0, 2], [1.5, 0.25, 0]]);
    expectClose(a.abs(), [[0.5, 1, 2], [1.5, 0.25, 0.75]]);
    expectClose(a.neg(), [[-0.5, 1, -2], [-1.5, -0.25, 0.75]]);
    expectClose(a.abs().sqrt(), [[Math.sqrt(0.5), 1, Math.sqrt(2)], [Math.sqrt(1.5), 0.5, Math.sqrt(0.75)]]);
    expectClose(a.abs().log(), [[Math.log(0.5), 0, Math.log(2)], [Math.log(1.5), Math.log(0.25), Math.log(0.75)]]);
  });
  it('backward (gradcheck, away from kinks)', () => {
    for (const f of [
      (x: torch.Tensor) => x.exp(),
      (x: torch.Tensor) => x.sigmoid(),
      (x: torch.Tensor) => x.tanh(),
      (x: torch.Tensor) => x.relu(),
      (x: torch.Tensor) => x.abs(),
      (x: torch.Tensor) => x.neg(),
    ]) {
      expectGradcheck(f, [leaf(A)]);
    }
    expectGradcheck((x) => x.sqrt(), [leaf([0.5, 1, 2.5])], { eps: 1e-3 });
    expectGradcheck((x) => x.log(), [leaf([0.5, 1, 2.5])], { eps: 1e-3 });
  });
  it('names', () => {
    const x = leaf(A);
    expect([x.exp(), x.log(), x.sqrt(), x.relu(), x.sigmoid(), x.tanh(), x.abs(), x.neg()].map((t) => t.gradFn?.name)).toEqual([
      'ExpBackward0',
      'LogBackward0',
      'SqrtBackward0',
      'ReluBackward0',
      'SigmoidBackward0',
      'TanhBackward0',
      'AbsBackward0',
      'NegBackward0',
    ]);
  });
  it('records nothing under noGrad', () => {
    const x = leaf(A);
    const y = torch.noGrad(() => x.exp().mul(x).add(1));
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
  });
});

describe('bool arithmetic', () => {
  it('bool + bool stays bool (logical or), as PyTorch', () => {
    const t = torch.tensor([true, false, false]);
    const u = torch.tensor([true, true, false]);
    expect(t.add(u).dtype).toBe('bool');
    expect(t.add(u).tolist()).toEqual([true, true, false]);
    expect(t.mul(u).tolist()).toEqual([true, false, false]);
    expect(t.add(1).tolist()).toEqual([2, 1, 1]);
    expect(() => t.sub(u)).toThrow('Subtraction, the `-` operator, with two bool tensors is not supported.');
  });
});
