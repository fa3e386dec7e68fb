import { describe, expect, it } from 'vitest';
import * as torch from '../src';

describe('Tensor reading', () => {
  const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: torch.float32 });

  it('reports shape, numel, dim, size', () => {
    expect(x.shape).toEqual([2, 3]);
    expect(x.numel()).toBe(6);
    expect(x.dim()).toBe(2);
    expect(x.ndim).toBe(2);
    expect(x.size()).toEqual([2, 3]);
    expect(x.size(-1)).toBe(3);
    expect(() => x.size(2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
  });

  it('item() needs exactly one element', () => {
    expect(torch.tensor([[2.5]]).item()).toBe(2.5);
    expect(() => x.item()).toThrow('a Tensor with 6 elements cannot be converted to Scalar');
  });

  it('tolist() nests like the shape; data is the typed array', () => {
    expect(x.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(torch.tensor(4).tolist()).toBe(4);
    expect(torch.tensor([true]).tolist()).toEqual([true]);
    expect(x.data).toBeInstanceOf(Float32Array);
  });

  it('the constructor checks the buffer against shape and dtype', () => {
    expect(() => new torch.Tensor(new Float32Array(5), [2, 3])).toThrow(
      'Tensor: shape [2, 3] needs 6 elements, but the buffer has 5',
    );
    expect(() => new torch.Tensor(new Float32Array(1), [1], 'int32')).toThrow('Tensor: Float32Array cannot store dtype int32');
  });

  it('casts with to()/float()/long()/bool()', () => {
    const f = torch.tensor([1.9, -0.5, 0]);
    expect(f.long().tolist()).toEqual([1, 0, 0]);
    expect(f.bool().tolist()).toEqual([true, true, false]);
    expect(torch.tensor([1, 2]).float().dtype).toBe('float32');
    expect(f.to('float32')).toBe(f);
  });
});

describe('views share data', () => {
  it('reshape/view with -1', () => {
    const x = torch.arange(6);
    const y = x.reshape(2, -1);
    expect(y.shape).toEqual([2, 3]);
    expect(y.data).toBe(x.data);
    expect(x.view([3, 2]).shape).toEqual([3, 2]);
    expect(() => x.reshape(4, -1)).toThrow("shape '[4, -1]' is invalid for input of size 6");
    expect(() => x.reshape(-1, -1)).toThrow('only one dimension can be inferred');
    expect(() => x.view(5)).toThrow("shape '[5]' is invalid for input of size 6");
    expect(() => x.view(5)).toThrow(torch.ShapeError);
  });

  it('flatten/unsqueeze/squeeze', () => {
    const x = torch.zeros(2, 1, 3, 4);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(x.flatten(1, 2).shape).toEqual([2, 3, 4]);
    expect(torch.tensor(1).flatten().shape).toEqual([1]);
    expect(() => x.flatten(2, 1)).toThrow('flatten() has invalid args: start_dim cannot come after end_dim');
    expect(x.squeeze().shape).toEqual([2, 3, 4]);
    expect(x.squeeze(1).shape).toEqual([2, 3, 4]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3, 4]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 1, 3, 4]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 4, 1]);
    expect(() => torch.zeros(2, 3).unsqueeze(3)).toThrow(
      'Dimension out of range (expected to be in range of [-3, 2], but got 3)',
    );
    expect(() => torch.zeros(2, 3).squeeze(3)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 3)');
  });

  it('detach shares data and leaves the graph', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const d = x.detach();
    expect(d.data).toBe(x.data);
    expect(d.requiresGrad).toBe(false);
  });
});

describe('copies for integer tensors (TypeScript gathers)', () => {
  it('permute/transpose/t/T/expand on int32', () => {
    const x = torch.arange(6).reshape(2, 3);
    expect(x.t().tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.T.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.transpose(0, 1).tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    const y = torch.arange(24).reshape(2, 3, 4).permute(2, 0, 1);
    expect(y.shape).toEqual([4, 2, 3]);
    expect(y.tolist()).toEqual([
      [[0, 4, 8], [12, 16, 20]],
      [[1, 5, 9], [13, 17, 21]],
      [[2, 6, 10], [14, 18, 22]],
      [[3, 7, 11], [15, 19, 23]],
    ]);
    expect(torch.tensor([[1], [2]]).expand(2, 3).tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(torch.tensor([1, 2]).expand(2, -1).tolist()).toEqual([[1, 2], [1, 2]]);
  });

  it('reports permute/expand/t errors in PyTorch words', () => {
    const x = torch.zeros(2, 3, { dtype: torch.int32 });
    expect(() => x.permute(0, 0)).toThrow('permute(): duplicate dims are not allowed.');
    expect(() => x.permute(0)).toThrow('input.dim() = 2 is not equal to len(dims) = 1');
    expect(() => x.expand(3, 3)).toThrow(
      'The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 3]',
    );
    expect(() => torch.zeros(2, 3, 4).t()).toThrow('t() expects a tensor with <= 2 dimensions, but self is 3D');
  });
});

describe('requiresGrad', () => {
  it('only floating point leaves can require grad', () => {
    expect(() => torch.tensor([1n]).requiresGrad_()).toThrow('only Tensors of floating point dtype can require gradients');
    const x = torch.zeros(2);
    x.requiresGrad = true;
    expect(x.requiresGrad).toBe(true);
    const y = x.reshape(2);
    expect(y.isLeaf).toBe(false);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow('you can only change requires_grad flags of leaf variables.');
  });

  it('retainGrad needs requiresGrad', () => {
    expect(() => torch.zeros(1).retainGrad()).toThrow("can't retain_grad on Tensor that has requires_grad=False");
  });
});

// Regressions (#10.6): invalid shapes were accepted at construction and failed later with
// `expected 18446744065119617025` or `Invalid array length`; `.grad` took anything.
describe('tensors are valid when constructed', () => {
  it('new Tensor(data, [-1, -1]) throws a RangeError naming the size', () => {
    expect(() => new torch.Tensor(new Float32Array(1), [-1, -1])).toThrow(new RangeError('Tensor: shape [-1, -1] has a negative size -1 at dim 0'));
  });

  it('new Tensor(data, [0.5, 2]) throws a TypeError naming the size', () => {
    expect(() => new torch.Tensor(new Float32Array(1), [0.5, 2])).toThrow(new TypeError('Tensor: shape [0.5, 2] has a non-integer size 0.5 at dim 0'));
    expect(() => new torch.Tensor(new Float32Array(1), [NaN])).toThrow(new TypeError('Tensor: shape [NaN] has a non-integer size NaN at dim 0'));
    expect(() => new torch.Tensor(new Float32Array(1), 1 as never)).toThrow(new TypeError('Tensor: shape must be an array of sizes, got number'));
  });

  it('checks the dtype and that the buffer stores it', () => {
    expect(() => new torch.Tensor(new Float32Array(1), [1], 'float64' as never)).toThrow(
      new TypeError('Tensor: unsupported dtype float64 (expected float32, int32, int64, uint8 or bool)'),
    );
    expect(() => new torch.Tensor(new Int32Array(1), [1], 'int64')).toThrow(new TypeError('Tensor: Int32Array cannot store dtype int64'));
    expect(() => new torch.Tensor([1] as never, [1])).toThrow(new TypeError('Tensor: Array cannot store dtype float32'));
    expect(new torch.Tensor(new BigInt64Array([5n]), [], 'int64').item()).toBe(5);
  });
});

describe('.grad assignments are checked as PyTorch does', () => {
  const leaf = (): torch.Tensor => torch.zeros([2], { requiresGrad: true });

  it('a gradient of the wrong shape throws (it used to make the next backward write NaN)', () => {
    expect(() => {
      leaf().grad = torch.zeros(3);
    }).toThrow(
      new torch.ShapeError(
        "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. Please ensure that the gradient and the tensor are the same size",
      ),
    );
  });

  it('a gradient of an integer dtype throws (Adam then failed with a raw napi message)', () => {
    expect(() => {
      leaf().grad = torch.zeros([2], { dtype: torch.long });
    }).toThrow(
      new TypeError(
        "attempting to assign a gradient with dtype 'long int' to a tensor with grad_dtype 'Float'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype).",
      ),
    );
  });

  it('a number, or the tensor itself, throws', () => {
    expect(() => {
      leaf().grad = 5 as never;
    }).toThrow(new TypeError('assigned grad expected to be a Tensor or None but got grad of type number'));
    const t = leaf();
    expect(() => {
      t.grad = t;
    }).toThrow(new torch.AutogradError("can't assign Variable as its own grad"));
  });

  it('null and a matching gradient are accepted, and backward accumulates into it', () => {
    const t = leaf();
    t.grad = torch.ones(2);
    t.mul(3).sum().backward();
    expect(t.grad?.tolist()).toEqual([4, 4]);
    t.grad = null;
    expect(t.grad).toBeNull();
  });
});
