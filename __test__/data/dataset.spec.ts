import { describe, expect, it } from 'vitest';
import { ConcatDataset, type Dataset, Subset, TensorDataset } from '../../src/data';
import { Tensor } from '../../src/tensor';

const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => i), [4, 3], 'float32');
const y = new Tensor(Int32Array.from([10, 11, 12, 13]), [4], 'int32');

/** A dataset of numbers, i -> i * 10. */
function numbers(n: number): Dataset<number> {
  return { length: n, getItem: (i) => i * 10 };
}

describe('TensorDataset', () => {
  it('returns row i of every tensor', () => {
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.getItem(2);
    expect(xi.shape).toEqual([3]);
    expect(Array.from(xi.data)).toEqual([6, 7, 8]);
    expect(yi.shape).toEqual([]);
    expect(Array.from(yi.data)).toEqual([12]);
    expect(yi.dtype).toBe('int32');
  });

  it('counts negative indices from the end, like PyTorch', () => {
    expect(Array.from(new TensorDataset(y).getItem(-1)[0].data)).toEqual([13]);
  });

  it('rejects an index out of range with PyTorch message', () => {
    const ds = new TensorDataset(x, y);
    expect(() => ds.getItem(4)).toThrow(RangeError);
    expect(() => ds.getItem(4)).toThrow('index 4 is out of bounds for dimension 0 with size 4');
    expect(() => ds.getItem(-5)).toThrow('index -5 is out of bounds for dimension 0 with size 4');
    expect(() => ds.getItem(1.5)).toThrow(TypeError);
  });

  it('rejects arguments that are not tensors with a first dimension', () => {
    expect(() => new TensorDataset([1, 2] as unknown as Tensor)).toThrow(
      'TensorDataset: every argument must be a tensor with at least one dimension',
    );
  });

  it('rejects tensors whose first dimensions differ', () => {
    expect(() => new TensorDataset(x, new Tensor(new Int32Array(3), [3], 'int32'))).toThrow('Size mismatch between tensors');
  });
});

describe('Subset', () => {
  it('maps indices through the subset list', () => {
    const sub = new Subset(numbers(10), [7, 2, 5]);
    expect(sub.length).toBe(3);
    expect([0, 1, 2].map((i) => sub.getItem(i))).toEqual([70, 20, 50]);
    expect(sub.getItems([2, 0])).toEqual([50, 70]);
    expect(() => sub.getItem(3)).toThrow('index 3 is out of bounds for dimension 0 with size 3');
  });

  it("uses the inner dataset's getItems when it has one", () => {
    const calls: number[][] = [];
    const inner: Dataset<number> = {
      length: 10,
      getItem: (i) => i,
      getItems: (indices) => {
        calls.push(Array.from(indices));
        return Array.from(indices, (i) => -i);
      },
    };
    expect(new Subset(inner, [4, 5, 6]).getItems([0, 2])).toEqual([-4, -6]);
    expect(calls).toEqual([[4, 6]]);
  });
});

describe('ConcatDataset', () => {
  it('chains datasets and keeps cumulative sizes', () => {
    const cat = new ConcatDataset([numbers(2), numbers(3)]);
    expect(cat.length).toBe(5);
    expect(cat.cumulativeSizes).toEqual([2, 5]);
    expect([0, 1, 2, 3, 4].map((i) => cat.getItem(i))).toEqual([0, 10, 0, 10, 20]);
    expect(cat.getItem(-1)).toBe(20);
  });

  it('rejects out-of-range indices and an empty list', () => {
    const cat = new ConcatDataset([numbers(2), numbers(3)]);
    expect(() => cat.getItem(5)).toThrow('index 5 is out of bounds for dimension 0 with size 5');
    expect(() => cat.getItem(-6)).toThrow('absolute value of index should not exceed dataset length');
    expect(() => new ConcatDataset([])).toThrow('datasets should not be an empty iterable');
  });
});
