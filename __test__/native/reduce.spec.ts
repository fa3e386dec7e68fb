import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';
import { ArgReduceOp, ReduceOp } from '../../src/native/codes';

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

// x = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
const x = new Float32Array([1, 2, 3, 4, 5, 6]);

describe('reduce', () => {
  it('sums over dim 0 and averages over dim 1', () => {
    const cols = new Float32Array(3);
    native.reduce(ReduceOp.Sum, x, 1, 2, 3, cols); // x.sum(0)
    expect([...cols]).toEqual([5, 7, 9]);
    const rows = new Float32Array(2);
    native.reduce(ReduceOp.Mean, x, 2, 3, 1, rows); // x.mean(1)
    expect([...rows]).toEqual([2, 5]);
    native.reduce(ReduceOp.Max, x, 2, 3, 1, rows);
    expect([...rows]).toEqual([3, 6]);
    native.reduce(ReduceOp.Min, x, 1, 2, 3, cols);
    expect([...cols]).toEqual([1, 2, 3]);
  });

  it('gives 0 for the sum and NaN for the mean of an empty dimension', () => {
    const out = new Float32Array(2);
    native.reduce(ReduceOp.Sum, new Float32Array(0), 2, 0, 1, out);
    expect([...out]).toEqual([0, 0]);
    native.reduce(ReduceOp.Mean, new Float32Array(0), 2, 0, 1, out);
    expect(out.every(Number.isNaN)).toBe(true);
  });

  it('rejects a buffer that does not match the view', () => {
    const err = thrown(() => native.reduce(ReduceOp.Sum, x, 2, 2, 2, new Float32Array(4)));
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toMatchObject({ message: 'reduce: x has 6 elements, expected 8 (outer=2, dim=2, inner=2)', code: 'ERR_KINDLING_LENGTH' });
  });
});

describe('reduceArg', () => {
  it('returns the first maximal index and propagates NaN like torch.max(dim)', () => {
    const values = new Float32Array(2);
    const indices = new Int32Array(2);
    // torch.tensor([[1., 5., 5.], [1., nan, 3.]]).max(1) → values [5, nan], indices [1, 1]
    native.reduceArg(ArgReduceOp.Max, new Float32Array([1, 5, 5, 1, NaN, 3]), 2, 3, 1, values, indices);
    expect(values[0]).toBe(5);
    expect(values[1]).toBeNaN();
    expect([...indices]).toEqual([1, 1]);
    native.reduceArg(ArgReduceOp.Min, x, 1, 2, 3, new Float32Array(3), new Int32Array(3));
  });

  it('rejects an empty dimension', () => {
    expect(() =>
      native.reduceArg(ArgReduceOp.Max, new Float32Array(0), 2, 0, 1, new Float32Array(2), new Int32Array(2)),
    ).toThrow('reduceArg: cannot take the argmax of an empty dimension (outer=2, dim=0, inner=1)');
  });
});
