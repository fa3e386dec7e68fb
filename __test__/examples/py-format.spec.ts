/**
 * pyFixed (examples/py-format.ts) against Python 3.11's `'{:.Nf}'.format(x)` (the expected strings
 * were printed by Python): exact ties round to even, everything else as the exact binary value.
 */
import { describe, expect, it } from 'vitest';
import { pyFixed } from '../../examples/py-format';

const PYTHON: [number, number, string][] = [
  [0.5, 0, '0'],
  [1.5, 0, '2'],
  [2.5, 0, '2'],
  [-0.5, 0, '-0'],
  [-1.5, 0, '-2'],
  [0.125, 2, '0.12'],
  [0.375, 2, '0.38'],
  [0.00005, 4, '0.0001'], // not a tie: the double is a little above 5e-5
  [0.00015, 4, '0.0001'], // not a tie: the double is a little below
  [2.675, 2, '2.67'],
  [1.0000005, 6, '1.000001'],
  [0.0000025, 6, '0.000003'],
  [99.5, 0, '100'],
  [100.5, 0, '100'],
  [46.5, 0, '46'],
  [0.1234565, 6, '0.123456'],
  [1 / 3, 4, '0.3333'],
  [0, 4, '0.0000'],
];

describe("pyFixed: Python's '{:.Nf}'.format", () => {
  it.each(PYTHON)('%s to %i digits is %s', (x, digits, python) => {
    expect(pyFixed(x, digits)).toBe(python);
  });

  it('differs from toFixed exactly on the ties that round down to even', () => {
    expect((2.5).toFixed(0)).toBe('3');
    expect(pyFixed(2.5, 0)).toBe('2');
    expect(pyFixed(3.5, 0)).toBe((3.5).toFixed(0));
  });
});
