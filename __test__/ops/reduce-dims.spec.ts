/**
 * The dim handling shared by sort, cumsum, prod, var/std, norm, logsumexp and any/all
 * (src/ops/reduce-dims.ts): `outputIndex` against a brute-force coordinate computation, and the
 * dim list rules (all dims, negatives, repeats, 0-d).
 */
import { describe, expect, it } from 'vitest';
import { dimsOf, outputIndex, reducedShape } from '../../src/ops/reduce-dims';

/** Output flat index of every input element, from explicit coordinates. */
function bruteForce(shape: number[], dims: number[]): number[] {
  const out: number[] = [];
  const n = shape.reduce((a, b) => a * b, 1);
  const kept = shape.map((s, i) => (dims.includes(i) ? 1 : s));
  for (let k = 0; k < n; k++) {
    let rest = k;
    const coord = new Array<number>(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) {
      coord[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
    }
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * kept[d] + (dims.includes(d) ? 0 : coord[d]);
    out.push(o);
  }
  return out;
}

describe('reduce-dims', () => {
  it('outputIndex matches explicit coordinates for every subset of dims', () => {
    const shape = [2, 3, 1, 4];
    for (let mask = 0; mask < 16; mask++) {
      const dims = [0, 1, 2, 3].filter((d) => mask & (1 << d));
      expect(Array.from(outputIndex(shape, dims)), JSON.stringify(dims)).toEqual(bruteForce(shape, dims));
    }
  });

  it('dimsOf normalizes, sorts and checks dims', () => {
    expect(dimsOf('op', 3, undefined)).toEqual([0, 1, 2]);
    expect(dimsOf('op', 3, [])).toEqual([0, 1, 2]);
    expect(dimsOf('op', 3, [-1, 0])).toEqual([0, 2]);
    expect(dimsOf('op', 0, -1)).toEqual([]);
    expect(() => dimsOf('op', 3, [1, -2])).toThrow(new RangeError('op(): dim 1 appears multiple times in the list of dims'));
    expect(() => dimsOf('op', 3, 3)).toThrow(new RangeError('op(): Dimension out of range (expected to be in range of [-3, 2], but got 3)'));
    expect(() => dimsOf('op', 3, '1')).toThrow(TypeError);
    expect(reducedShape([2, 3, 4], [0, 2], true)).toEqual([1, 3, 1]);
    expect(reducedShape([2, 3, 4], [0, 2], false)).toEqual([3]);
  });
});
