import { describe, expect, it } from 'vitest';
import { AutogradError, ShapeError, normalizeDim } from '../src/errors';

describe('error types', () => {
  it('ShapeError is a RangeError; AutogradError is an Error; both carry their names', () => {
    const s = new ShapeError('bad shape');
    expect(s).toBeInstanceOf(RangeError);
    expect(s.name).toBe('ShapeError');
    const a = new AutogradError('bad graph');
    expect(a).toBeInstanceOf(Error);
    expect(a.name).toBe('AutogradError');
  });

  it('normalizeDim wraps negative dims and reports PyTorch’s range message', () => {
    expect(normalizeDim(-1, 3, 'sum')).toBe(2);
    expect(normalizeDim(0, 0, 'sum')).toBe(0);
    expect(normalizeDim(-1, 0, 'sum')).toBe(0);
    expect(() => normalizeDim(2, 2, 'sum')).toThrow(new RangeError('Dimension out of range (expected to be in range of [-2, 1], but got 2)'));
    expect(() => normalizeDim(-3, 2, 'sum')).toThrow(RangeError);
    expect(() => normalizeDim(1e21, 2, 'sum')).toThrow(new RangeError('Dimension out of range (expected to be in range of [-2, 1], but got 1000000000000000000000)'));
  });

  it('normalizeDim names the op and the argument for a dim that is not an integer', () => {
    expect(() => normalizeDim(0.5, 2, 'sum')).toThrow(new TypeError("sum(): argument 'dim' must be an integer, but got 0.5"));
    expect(() => normalizeDim(NaN, 2, 'max')).toThrow(new TypeError("max(): argument 'dim' must be an integer, but got NaN"));
    expect(() => normalizeDim(-Infinity, 2, 'cat')).toThrow(new TypeError("cat(): argument 'dim' must be an integer, but got -Infinity"));
    expect(() => normalizeDim(-5e-324, 2, 'softmax')).toThrow(new TypeError("softmax(): argument 'dim' must be an integer, but got -5e-324"));
    expect(() => normalizeDim(0.5, 2, 'flatten', 'startDim')).toThrow(new TypeError("flatten(): argument 'startDim' must be an integer, but got 0.5"));
    expect(() => normalizeDim('1' as unknown as number, 2, 'size')).toThrow(new TypeError("size(): argument 'dim' must be an integer, but got 1 (string)"));
  });
});
