import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { linear } from '../../src/ops/matmul';
import { expectClose } from '../helpers/close';
import { expectGradcheck } from '../helpers/gradcheck';

const seq = (shape: number[], phase = 0): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + phase))).reshape(shape).detach();
};
const leaf = (shape: number[], phase = 0): torch.Tensor => seq(shape, phase).requiresGrad_();

/** Reference product of 2-D nested lists (test oracle). */
function refMm(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

// a = [[0.5,-1,2],[1.5,0.25,-0.75]], w = [[0.1,0.2,0.3],[-0.3,0.5,0.1]], bias = [0.5,-0.5]
const A = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]);
const W = torch.tensor([[0.1, 0.2, 0.3], [-0.3, 0.5, 0.1]]);
const BIAS = torch.tensor([0.5, -0.5]);

describe('mm / matmul', () => {
  it('mm forward (PyTorch: a @ w.t())', () => {
    expectClose(A.mm(W.t()), [[0.45, -0.45], [-0.025, -0.4]]);
  });

  it('matmul follows PyTorch’s 1-D/2-D/batched rules', () => {
    const v = seq([3]);
    const m = seq([3, 4], 1);
    expect(torch.matmul(v, v).shape).toEqual([]);
    expectClose(torch.matmul(v, v), (v.tolist() as number[]).reduce((s, x) => s + x * x, 0));
    expect(torch.matmul(v, m).shape).toEqual([4]);
    expectClose(torch.matmul(v, m), refMm([v.tolist() as number[]], m.tolist() as number[][])[0]);
    expect(torch.matmul(m.t(), v).shape).toEqual([4]);
    const b = seq([2, 5, 3], 2);
    expect(b.matmul(m).shape).toEqual([2, 5, 4]);
    expectClose(b.matmul(m), (b.tolist() as number[][][]).map((x) => refMm(x, m.tolist() as number[][])));
    const c = seq([3, 1, 2, 3], 3);
    const d = seq([2, 3, 4], 4);
    const out = c.matmul(d);
    expect(out.shape).toEqual([3, 2, 2, 4]);
    const cl = c.tolist() as number[][][][];
    const dl = d.tolist() as number[][][];
    expectClose(out, cl.map((ci) => dl.map((dj) => refMm(ci[0], dj))));
    expect(v.matmul(b.transpose(1, 2)).shape).toEqual([2, 5]);
    expect(b.matmul(v).shape).toEqual([2, 5]);
  });

  it('shape errors in PyTorch words', () => {
    expect(() => torch.zeros(2, 3).mm(torch.zeros(4, 5))).toThrow('mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
    expect(() => torch.zeros(2, 3).mm(torch.zeros(4, 5))).toThrow(torch.ShapeError);
    expect(() => torch.zeros(2, 3).mm(torch.zeros(3))).toThrow('mm: mat2 must be a matrix, got 1-D tensor');
    expect(() => torch.zeros(3).matmul(torch.zeros(4))).toThrow(
      'inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively',
    );
    expect(() => torch.zeros(3, 4).matmul(torch.zeros(5))).toThrow('size mismatch, got input (3), mat (3x4), vec (5)');
    expect(() => torch.zeros(4).matmul(torch.zeros(5, 3))).toThrow('mm: mat1 and mat2 shapes cannot be multiplied (1x4 and 5x3)');
    expect(() => torch.tensor(1.5).matmul(torch.zeros(5, 3))).toThrow(
      'both arguments to matmul need to be at least 1D, but they are 0D and 2D',
    );
    expect(() => torch.zeros(3, 2, 3, 4).matmul(torch.zeros(2, 2, 4, 5))).toThrow(
      'The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0',
    );
    expect(() => torch.tensor([[1n, 2n]]).mm(torch.tensor([[1n], [2n]]))).toThrow('mm: expected float32 tensors, got int64 and int64');
  });

  it('backward (gradcheck) for every matmul form, with names', () => {
    expectGradcheck((a, b) => a.mm(b), [leaf([2, 3]), leaf([3, 4], 1)]);
    expectGradcheck((a, b) => a.matmul(b), [leaf([3]), leaf([3], 1)]);
    expectGradcheck((a, b) => a.matmul(b), [leaf([3]), leaf([3, 2], 1)]);
    expectGradcheck((a, b) => a.matmul(b), [leaf([2, 3]), leaf([3], 1)]);
    expectGradcheck((a, b) => a.matmul(b), [leaf([2, 2, 3]), leaf([3, 2], 1)]);
    expectGradcheck((a, b) => a.matmul(b), [leaf([2, 1, 2, 3]), leaf([3, 3, 2], 1)]);
    const a = leaf([2, 3]);
    expect(a.mm(leaf([3, 1])).gradFn?.name).toBe('MmBackward0');
    expect(a.matmul(leaf([3]))?.gradFn?.name).toBe('SqueezeBackward1');
    expect(leaf([3]).matmul(leaf([3])).gradFn?.name).toBe('DotBackward0');
  });
});

describe('addmm', () => {
  it('beta·input + alpha·mat1·mat2 with a broadcast input', () => {
    expectClose(torch.addmm(BIAS, A, W.t()), [[0.95, -0.95], [0.475, -0.9]]);
    const out = torch.addmm(torch.ones(2, 2), A, W.t(), { beta: 0.5, alpha: 2 });
    expectClose(out, [[1.4, -0.4], [0.45, -0.3]]);
    expect(() => torch.addmm(torch.zeros(3), torch.zeros(2, 3), torch.zeros(4, 3))).toThrow(
      'addmm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x3)',
    );
  });
  it('backward (gradcheck)', () => {
    expectGradcheck((b, x, w) => torch.addmm(b, x, w, { beta: 0.5, alpha: 1.5 }), [leaf([4]), leaf([2, 3], 1), leaf([3, 4], 2)]);
    expect(torch.addmm(leaf([4]), leaf([2, 3]), leaf([3, 4])).gradFn?.name).toBe('AddmmBackward0');
  });
});

describe('linear (x·Wᵀ + b, one fused sgemm)', () => {
  it('forward (PyTorch: F.linear(a, w, bias))', () => {
    expectClose(linear(A, W, BIAS), [[0.95, -0.95], [0.475, -0.9]]);
    expectClose(linear(A, W), [[0.45, -0.45], [-0.025, -0.4]]);
    expect(linear(seq([4, 2, 3]), W, BIAS).shape).toEqual([4, 2, 2]);
    expect(linear(seq([3]), W, BIAS).shape).toEqual([2]);
  });

  it('backward: dX = dY·W, dW = dYᵀ·X, db = column sums (gradcheck) and PyTorch node names', () => {
    expectGradcheck((x, w, b) => linear(x, w, b), [leaf([5, 3]), leaf([4, 3], 1), leaf([4], 2)]);
    expectGradcheck((x, w) => linear(x, w), [leaf([2, 2, 3]), leaf([4, 3], 1)]);
    const x = seq([5, 3]);
    const w = leaf([4, 3], 1);
    const b = leaf([4], 2);
    const y = linear(x, w, b);
    expect(y.gradFn?.name).toBe('AddmmBackward0');
    expect(y.gradFn?.next.map((n) => n?.name ?? null)).toEqual(['AccumulateGrad', null, 'AccumulateGrad']);
    expect(linear(x, w).gradFn?.name).toBe('MmBackward0');
  });

  it('db is the column sums of dY, with sum()’s bits, taken by the weight-gradient product or alone', () => {
    // 600 rows × 130 outputs: dW = dYᵀ·X runs on the packed path, which sums dY as it packs it.
    const x = seq([600, 40], 0.3);
    const gy = seq([600, 130], 1.1);
    const colSums = Array.from(gy.sum(0).data as Float32Array);
    const w = leaf([130, 40], 0.5);
    const b = leaf([130], 0.9);
    linear(x, w, b).backward(gy);
    expect(Array.from(b.grad!.data as Float32Array)).toEqual(colSums);
    // A second backward adds into the existing .grad.
    linear(x, w, b).backward(gy);
    expect(Array.from(b.grad!.data as Float32Array)).toEqual(colSums.map((v) => Math.fround(v + v)));
    // The bias alone (no dW product) and a non-leaf bias (its gradient flows on as a tensor).
    const frozen = seq([130, 40], 0.5);
    const b2 = leaf([130], 0.9);
    linear(x, frozen, b2).backward(gy);
    expect(Array.from(b2.grad!.data as Float32Array)).toEqual(colSums);
    const base = leaf([130], 0.9);
    const w3 = leaf([130, 40], 0.5);
    linear(x, w3, base.mul(2)).backward(gy);
    expect(Array.from(base.grad!.data as Float32Array)).toEqual(colSums.map((v) => Math.fround(2 * v)));
    expect(w3.grad!.shape).toEqual([130, 40]);
  });

  it('shape errors name both shapes like PyTorch', () => {
    expect(() => linear(torch.zeros(10, 783), torch.zeros(64, 784), torch.zeros(64))).toThrow(
      'mat1 and mat2 shapes cannot be multiplied (10x783 and 784x64)',
    );
    expect(() => linear(torch.zeros(2, 10, 783), torch.zeros(64, 784))).toThrow(
      'mat1 and mat2 shapes cannot be multiplied (20x783 and 784x64)',
    );
    expect(() => linear(torch.zeros(10, 784), torch.zeros(64, 784), torch.zeros(5))).toThrow(
      'linear: bias has shape [5], expected [64]',
    );
  });
});
