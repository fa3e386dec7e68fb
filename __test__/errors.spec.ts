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
    expect(normalizeDim(-1, 3)).toBe(2);
    expect(normalizeDim(0, 0)).toBe(0);
    expect(() => normalizeDim(2, 2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => normalizeDim(-3, 2)).toThrow(RangeError);
    expect(() => normalizeDim(0.5, 2)).toThrow('dim must be an integer, but got 0.5');
  });
});
