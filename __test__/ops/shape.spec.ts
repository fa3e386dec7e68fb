import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose } from '../helpers/close';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1))).reshape(shape).detach().requiresGrad_();
};

describe('float shape ops', () => {
  it('permute/transpose/t/T reorder dimensions (views whose data reads in the new order)', () => {
    const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3);
    expect(x.t().tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.t().data).not.toBe(x.data);
    const y = torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);
    expect(y.permute(2, 0, 1).tolist()).toEqual(torch.arange(24).reshape(2, 3, 4).permute(2, 0, 1).tolist());
    expect(y.transpose(0, -1).shape).toEqual([4, 3, 2]);
    expect(y.transpose(0, -1).tolist()).toEqual(torch.arange(24).reshape(2, 3, 4).transpose(0, 2).tolist());
  });

  it('expand broadcasts and adds leading dims', () => {
    const x = torch.tensor([[1.5], [2.5]]);
    expect(x.expand(2, 3).tolist()).toEqual([[1.5, 1.5, 1.5], [2.5, 2.5, 2.5]]);
    expect(x.expand(2, 2, -1).shape).toEqual([2, 2, 1]);
    expect(x.expandAs(torch.zeros(2, 4)).shape).toEqual([2, 4]);
  });

  it('backward of views and copies (gradcheck) and PyTorch node names', () => {
    expectGradcheck((x) => x.reshape(3, 2), [leaf([2, 3])]);
    expectGradcheck((x) => x.flatten(), [leaf([2, 3])]);
    expectGradcheck((x) => x.unsqueeze(1).squeeze(1), [leaf([2, 3])]);
    expectGradcheck((x) => x.permute(2, 0, 1), [leaf([2, 3, 4])]);
    expectGradcheck((x) => x.transpose(0, 1), [leaf([2, 3])]);
    expectGradcheck((x) => x.t(), [leaf([2, 3])]);
    expectGradcheck((x) => x.expand(4, 2, 3), [leaf([2, 1])]);
    expectGradcheck((x) => x.clone(), [leaf([3])]);
    const x = leaf([2, 1, 3]);
    expect(x.reshape(6).gradFn?.name).toBe('ViewBackward0');
    expect(x.flatten().gradFn?.name).toBe('ViewBackward0');
    expect(x.squeeze().gradFn?.name).toBe('SqueezeBackward0');
    expect(x.squeeze(1).gradFn?.name).toBe('SqueezeBackward1');
    expect(x.unsqueeze(0).gradFn?.name).toBe('UnsqueezeBackward0');
    expect(x.permute(2, 1, 0).gradFn?.name).toBe('PermuteBackward0');
    expect(x.transpose(0, 1).gradFn?.name).toBe('TransposeBackward0');
    expect(x.expand(2, 4, 3).gradFn?.name).toBe('ExpandBackward0');
    expect(x.clone().gradFn?.name).toBe('CloneBackward0');
    expect(x.squeeze().t().gradFn?.name).toBe('TBackward0');
  });

  it('clone owns its buffer', () => {
    const x = torch.tensor([1.5, 2]);
    const c = x.clone();
    c.data[0] = 7;
    expect(x.data[0]).toBe(1.5);
  });
});

describe('strided views (shared storage, PyTorch strides and offsets)', () => {
  const grid = (): torch.Tensor => torch.arange(12, { dtype: torch.float32 }).reshape(3, 4);

  it('transpose, t, T, permute and expand are views with PyTorch strides', () => {
    const x = grid();
    const t = x.t();
    expect(t.storage).toBe(x.storage);
    expect(t.stride()).toEqual([1, 4]);
    expect(t.isContiguous()).toBe(false);
    expect(x.T.stride()).toEqual([1, 4]);
    expect(x.expand(2, 3, 4).stride()).toEqual([0, 4, 1]);
    expect(x.unsqueeze(1).stride()).toEqual([4, 4, 1]);
    expect(t.unsqueeze(0).stride()).toEqual([4, 1, 4]);
    expect(t.unsqueeze(2).stride()).toEqual([1, 4, 1]);
    expect(t.unsqueeze(0).squeeze(0).stride()).toEqual([1, 4]);
    expect(t.unsqueeze(2).squeeze().stride()).toEqual([1, 4]);
    expect(torch.narrow(x, 1, 1, 2).tolist()).toEqual(x.narrow(1, 1, 2).tolist());
    expect(torch.select(x, 0, 1).tolist()).toEqual([4, 5, 6, 7]);
    expect(torch.diagonal(x, 1).tolist()).toEqual([1, 6, 11]);
    expect(torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4).permute(2, 0, 1).stride()).toEqual([1, 12, 4]);
  });

  it('narrow, select, slice, unfold and diagonal pick elements as views', () => {
    const x = grid();
    expect(x.narrow(0, 1, 2).storageOffset()).toBe(4);
    expect(x.narrow(0, 1, 2).isContiguous()).toBe(true);
    expect(x.narrow(1, 1, 2).isContiguous()).toBe(false);
    expect(x.narrow(-1, -3, 2).tolist()).toEqual([[1, 2], [5, 6], [9, 10]]);
    const col = x.select(1, 2);
    expect([col.tolist(), col.stride(), col.storageOffset()]).toEqual([[2, 6, 10], [4], 2]);
    expect(x.select(0, -1).tolist()).toEqual([8, 9, 10, 11]);
    expect(x.slice(1, 1, null, 2).tolist()).toEqual([[1, 3], [5, 7], [9, 11]]);
    expect(x.slice(1, 1, null, 2).stride()).toEqual([4, 2]);
    expect(x.slice(1, -3, -1).tolist()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(x.slice(1, 5, 9).shape).toEqual([3, 0]);
    expect(x.slice(1, 3, 1).shape).toEqual([3, 0]);
    expect(x.slice(0).tolist()).toEqual(x.tolist());
    expect(x.unfold(1, 2, 1).tolist()).toEqual([
      [[0, 1], [1, 2], [2, 3]],
      [[4, 5], [5, 6], [6, 7]],
      [[8, 9], [9, 10], [10, 11]],
    ]);
    expect(x.unfold(1, 2, 1).stride()).toEqual([4, 1, 1]);
    expect(x.unfold(1, 0, 1).shape).toEqual([3, 5, 0]);
    expect(torch.tensor(5.5).unfold(0, 1, 1).tolist()).toEqual([5.5]);
    expect(x.diagonal().tolist()).toEqual([0, 5, 10]);
    expect(x.diagonal(1).tolist()).toEqual([1, 6, 11]);
    expect(x.diagonal(1).storageOffset()).toBe(1);
    expect(x.diagonal(-1).tolist()).toEqual([4, 9]);
    expect(x.diagonal(5).shape).toEqual([0]);
    for (const v of [x.narrow(0, 1, 2), x.select(1, 0), x.slice(1, 0, 4, 3), x.unfold(0, 2, 1), x.diagonal()]) {
      expect(v.storage).toBe(x.storage);
    }
  });

  it('refuses bad view arguments with PyTorch messages', () => {
    const x = grid();
    expect(() => x.narrow(0, 5, 1)).toThrow(new RangeError('start out of range (expected to be in range of [-3, 3], but got 5)'));
    expect(() => x.narrow(0, 2, 3)).toThrow(new RangeError('start (2) + length (3) exceeds dimension size (3).'));
    expect(() => x.narrow(0, 1, -1)).toThrow(new RangeError('narrow(): length must be non-negative.'));
    expect(() => x.select(0, 5)).toThrow(new RangeError('select(): index 5 out of range for tensor of size [3, 4] at dimension 0'));
    expect(() => torch.tensor(5).select(0, 0)).toThrow(new RangeError('select() cannot be applied to a 0-dim tensor.'));
    expect(() => x.unfold(1, 5, 1)).toThrow(new RangeError('maximum size for tensor at dimension 1 is 4 but size is 5'));
    expect(() => x.unfold(1, 2, 0)).toThrow(new RangeError('step is 0 but must be > 0'));
    expect(() => x.diagonal(0, 0, 0)).toThrow(new torch.ShapeError('diagonal dimensions cannot be identical 0, 0'));
    expect(() => x.slice(1, 0, 4, 0)).toThrow(new RangeError('slice step cannot be zero'));
    expect(() => x.slice(1, 0, 4, -1)).toThrow(new RangeError('step must be greater than zero'));
    expect(() => x.slice(1, 0.5)).toThrow(new TypeError("slice(): argument 'start' must be an integer, but got 0.5"));
  });

  it('writes through a view change the base (and bump the shared version)', () => {
    const x = grid();
    x.select(1, 0).fill_(5);
    expect(x.tolist()).toEqual([[5, 1, 2, 3], [5, 5, 6, 7], [5, 9, 10, 11]]);
    expect(x._version).toBe(1);
    const y = torch.arange(10, { dtype: torch.float32 }).reshape(5, 2);
    y.narrow(0, 2, 3).add_(1);
    expect(y.tolist()).toEqual([[0, 1], [2, 3], [5, 6], [7, 8], [9, 10]]);
    const z = grid();
    z.t().mul_(torch.tensor([1, 2, 3]));
    expect(z.tolist()).toEqual([[0, 1, 2, 3], [8, 10, 12, 14], [24, 27, 30, 33]]);
    z.diagonal().zero_();
    expect(z.diagonal().tolist()).toEqual([0, 0, 0]);
    z.slice(1, 1, null, 2).copy_(torch.tensor([-1, -2]));
    expect(z.tolist()).toEqual([[0, -1, 2, -2], [8, -1, 12, -2], [24, -1, 0, -2]]);
    const w = torch.zeros(2, 3);
    w.t().uniform_(1, 2);
    expect((w.tolist() as number[][]).flat().every((v) => v >= 1 && v < 2)).toBe(true);
    expect(w._version).toBe(1);
    expect(() => torch.zeros(1).expand(3).fill_(1)).toThrow(
      'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.',
    );
  });

  it('view refuses a layout it cannot give; reshape copies only then', () => {
    const a = torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4).permute(1, 0, 2);
    expect(() => a.view(3, 8)).toThrow(
      new torch.ShapeError(
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
      ),
    );
    expect(a.view(3, 2, 2, 2).stride()).toEqual([4, 12, 2, 1]);
    expect(a.reshape(3, 2, 4).storage).toBe(a.storage);
    const copied = a.reshape(3, 8);
    expect(copied.storage).not.toBe(a.storage);
    expect(copied.tolist()).toEqual(a.contiguous().view(3, 8).tolist());
    const b = torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4).slice(2, 0, 2);
    expect(b.stride()).toEqual([12, 4, 1]);
    expect(b.reshape(6, 2).stride()).toEqual([4, 1]);
    expect(b.reshape(6, 2).storage).toBe(b.storage);
    const t = grid().t();
    expect(t.reshape(12).tolist()).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(t.flatten().tolist()).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  it('contiguous returns itself when contiguous, else a copy; clone always copies', () => {
    const x = grid();
    expect(x.contiguous()).toBe(x);
    const t = x.t();
    const c = t.contiguous();
    expect(c.stride()).toEqual([3, 1]);
    expect(c.storage).not.toBe(x.storage);
    expect(c.tolist()).toEqual(t.tolist());
    expect(x.clone().storage).not.toBe(x.storage);
    expect(t.clone().isContiguous()).toBe(true);
    const ints = torch.tensor([[1, 2], [3, 4]], { dtype: torch.int32 });
    expect(ints.t().contiguous().tolist()).toEqual([[1, 3], [2, 4]]);
    expect(ints.t().dtype).toBe('int32');
  });

  it('elementwise ops, reductions and matmul read non-contiguous inputs', () => {
    const x = grid();
    const t = x.t();
    expect(t.add(1).tolist()).toEqual([[1, 5, 9], [2, 6, 10], [3, 7, 11], [4, 8, 12]]);
    expect(t.sum(1).tolist()).toEqual([12, 15, 18, 21]);
    expect(x.slice(1, 0, 4, 2).mul(x.slice(1, 1, 4, 2)).tolist()).toEqual([[0, 6], [20, 42], [72, 110]]);
    // sgemm's transposed paths sum in another order than a copied operand's: same values to rounding.
    const w = torch.randn(5, 4);
    const expected = x.mm(w.contiguous().t().contiguous()).tolist();
    expectClose(x.mm(w.t()), expected);
    expectClose(t.t().mm(w.t()), expected);
    expectClose(torch.nn.functional.linear(x, w), expected);
    const wt = w.t().contiguous(); // (4, 5), so wt.t() is a transposed view of the weight
    expectClose(torch.nn.functional.linear(x, wt.t()), expected);
    expectClose(torch.addmm(torch.zeros(3, 5), x, w.t()), expected);
  });

  it('matmul of transposed views differentiates like the copies', () => {
    const a = leaf([3, 4]);
    const b = leaf([5, 4]);
    expectGradcheck((p, q) => p.mm(q.t()), [a, b]);
    expectGradcheck((p, q) => p.t().mm(q.t()), [leaf([4, 3]), b]);
    expectGradcheck((p, q) => torch.nn.functional.linear(p, q.t()), [a, leaf([4, 5])]);
    expectGradcheck((p, q) => torch.addmm(torch.ones(3, 5), p, q.t(), { beta: 0.5, alpha: 2 }), [a, b]);
  });

  it('backward of each view (gradcheck, PyTorch values and node names)', () => {
    expectGradcheck((x) => x.narrow(1, 1, 2), [leaf([3, 4])]);
    expectGradcheck((x) => x.select(0, -1), [leaf([3, 4])]);
    expectGradcheck((x) => x.slice(1, -3, null, 2), [leaf([3, 4])]);
    expectGradcheck((x) => x.unfold(1, 2, 1), [leaf([3, 4])]);
    expectGradcheck((x) => x.unfold(0, 2, 2), [leaf([5, 2])]);
    expectGradcheck((x) => x.diagonal(-1), [leaf([3, 4])]);
    expectGradcheck((x) => x.diagonal(1, 2, 0), [leaf([3, 2, 4])]);
    expectGradcheck((x) => x.t().reshape(12), [leaf([3, 4])]);
    expectGradcheck((x) => x.permute(2, 0, 1).select(1, 1).unsqueeze(0).squeeze(), [leaf([2, 3, 4])]);
    const w = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3).requiresGrad_();
    w.unfold(1, 2, 1).sum().backward();
    expect(w.grad?.tolist()).toEqual([[1, 2, 1], [1, 2, 1]]);
    w.grad = null;
    w.diagonal().mul(torch.tensor([2, 3])).sum().backward();
    expect((w.grad as torch.Tensor | null)?.tolist()).toEqual([[2, 0, 0], [0, 3, 0]]);
    w.grad = null;
    w.slice(1, null, null, 2).mul(torch.tensor([[1, 2], [3, 4]])).sum().backward();
    expect((w.grad as torch.Tensor | null)?.tolist()).toEqual([[1, 0, 2], [3, 0, 4]]);
    const x = leaf([3, 4]);
    const names = [
      x.narrow(0, 1, 2), x.select(1, 0), x.slice(1, 1, 3), x.unfold(1, 2, 1), x.diagonal(), x.expand(2, 3, 4),
      x.permute(1, 0), x.transpose(0, 1), x.t(), x.T, x.view(12), x.t().reshape(12), x.t().contiguous(),
    ].map((v) => v.gradFn?.name);
    expect(names).toEqual([
      'SliceBackward0', 'SelectBackward0', 'SliceBackward0', 'UnfoldBackward0', 'DiagonalBackward0', 'ExpandBackward0',
      'PermuteBackward0', 'TransposeBackward0', 'TBackward0', 'PermuteBackward0', 'ViewBackward0', 'UnsafeViewBackward0',
      'CloneBackward0',
    ]);
  });

  it("picked views of a non-leaf (slice, select, unfold, diagonal) add into the engine's sum for it", () => {
    // Several views of one non-leaf beside another consumer: they share the engine's buffer
    // (Node.gradAccumulator); overlapping unfold windows still sum.
    expectGradcheck((x) => {
      const y = x.mul(2);
      return torch.cat([
        y.narrow(1, 1, 2).flatten(),
        y.select(0, 2).mul(3),
        y.unfold(1, 2, 1).flatten(),
        y.diagonal().mul(-1),
        y.slice(0, 0, 4, 2).flatten(),
        y.exp().flatten(),
      ]);
    }, [leaf([4, 4])]);
    const x = leaf([3, 3]);
    const y = x.mul(1);
    y.select(1, 0).sum().add(y.narrow(0, 1, 2).sum()).add(y.unfold(0, 2, 1).sum()).backward();
    expect(x.grad?.tolist()).toEqual([
      [2, 1, 1],
      [4, 3, 3],
      [3, 2, 2],
    ]);
  });
});
