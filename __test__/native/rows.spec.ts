import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/ops/kernels';

// A table of 2 batches × 3 rows × 2: values b·100 + r·10 + j.
const table = new Float32Array([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);

describe('row kernels through the seam (gatherRows / scatterAddRows)', () => {
  it('gatherRows picks the same rows of every batch', () => {
    const out = new Float32Array(2 * 3 * 2).fill(NaN);
    kernels.gatherRows(table, 2, 2, new Int32Array([2, 0, 2]), out);
    expect([...out]).toEqual([20, 21, 0, 1, 20, 21, 120, 121, 100, 101, 120, 121]);
  });

  it('scatterAddRows adds into the table, duplicates accumulating', () => {
    const t = new Float32Array(6).fill(0.5);
    kernels.scatterAddRows(new Float32Array([1, 2, 10, 20, 100, 200]), 1, 2, new Int32Array([1, 1, 2]), t);
    expect([...t]).toEqual([0.5, 0.5, 11.5, 22.5, 100.5, 200.5]);
  });

  it('a bad index or length is a RangeError naming it, and nothing is written', () => {
    const out = new Float32Array(4).fill(9);
    expect(() => kernels.gatherRows(table, 2, 2, new Int32Array([3]), out)).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_KINDLING_VALUE', message: 'gather_rows: index 3 is out of bounds for dimension 0 with size 3 (at position 0)' }),
    );
    expect([...out]).toEqual([9, 9, 9, 9]);
    expect(() => kernels.scatterAddRows(new Float32Array(3), 1, 2, new Int32Array([0]), new Float32Array(6))).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_KINDLING_LENGTH', message: 'scatter_add_rows: src has 3 elements, expected 2 (1 batches of 1 rows of 2)' }),
    );
    expect(() => kernels.gatherRows(table, 0, 2, new Int32Array([0]), out)).toThrow(RangeError);
  });
});
