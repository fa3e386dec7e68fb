import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

const u32 = (xs: number[]) => new Uint32Array(xs);

describe('stridedCopy', () => {
  it('transposes and expands through strides', () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6]); // 2×3
    const out = new Float32Array(6);
    native.stridedCopy(x, u32([3, 2]), u32([1, 3]), out);
    expect([...out]).toEqual([1, 4, 2, 5, 3, 6]);
    native.stridedCopy(new Float32Array([7, 8]), u32([2, 3]), u32([1, 0]), out);
    expect([...out]).toEqual([7, 7, 7, 8, 8, 8]);
  });

  it('rejects an output of the wrong length', () => {
    const err = thrown(() => native.stridedCopy(new Float32Array(6), u32([3, 2]), u32([1, 3]), new Float32Array(5)));
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toMatchObject({ message: 'stridedCopy: out has 5 elements, expected 6 (shape [3, 2])', code: 'ERR_KINDLING_LENGTH' });
  });
});

describe('stridedAdd', () => {
  it('adds through strides: rows, strided columns, and overlapping positions summed', () => {
    const dst = new Float32Array([1, 1, 1, 1, 1, 1]); // 2×3
    native.stridedAdd(new Float32Array([10, 20, 30, 40]), u32([2, 2]), u32([3, 1]), dst.subarray(1));
    expect([...dst]).toEqual([1, 11, 21, 1, 31, 41]);
    native.stridedAdd(new Float32Array([1, 2, 3, 4, 5, 6]), u32([3, 2]), u32([1, 3]), dst); // a transpose
    expect([...dst]).toEqual([2, 14, 26, 3, 35, 47]);
    const acc = new Float32Array(2);
    native.stridedAdd(new Float32Array([1, 2, 3, 4, 5, 6]), u32([2, 3]), u32([1, 0]), acc); // an expand's gradient
    expect([...acc]).toEqual([6, 15]);
  });

  it('rejects a destination too short for the layout and a source of the wrong length', () => {
    const short = thrown(() => native.stridedAdd(new Float32Array(4), u32([2, 2]), u32([3, 1]), new Float32Array(4)));
    expect(short).toBeInstanceOf(RangeError);
    expect(short.message).toBe('stridedAdd: dst has 4 elements, expected at least 5 (shape [2, 2], strides [3, 1])');
    const src = thrown(() => native.stridedAdd(new Float32Array(3), u32([2, 2]), u32([2, 1]), new Float32Array(4)));
    expect(src.message).toBe('stridedAdd: src has 3 elements, expected 4 (shape [2, 2])');
  });
});

describe('sumToShape', () => {
  it('sums the broadcast dimensions of a gradient', () => {
    const g = new Float32Array([1, 2, 3, 4, 5, 6]);
    const cols = new Float32Array(3);
    native.sumToShape(g, u32([2, 3]), u32([1, 3]), cols);
    expect([...cols]).toEqual([5, 7, 9]);
    const rows = new Float32Array(2);
    native.sumToShape(g, u32([2, 3]), u32([2, 1]), rows);
    expect([...rows]).toEqual([6, 15]);
  });

  it('rejects a shape that is not a broadcast of the gradient', () => {
    expect(() => native.sumToShape(new Float32Array(6), u32([2, 3]), u32([2, 2]), new Float32Array(4))).toThrow(
      'sumToShape: outShape [2, 2] has size 2 at dimension 1, expected 3 or 1 (gradShape [2, 3])',
    );
  });
});
