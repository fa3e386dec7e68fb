/** `expectClose(tensorOrList, expected, tol)`: element-wise |a − e| ≤ tol (shapes must agree). */
import { expect } from 'vitest';
import { Tensor, type NestedList } from '../../src/tensor';

export function expectClose(actual: Tensor | NestedList, expected: NestedList, tol = 1e-5): void {
  const a = actual instanceof Tensor ? actual.tolist() : actual;
  const walk = (x: NestedList, e: NestedList, path: string): void => {
    if (Array.isArray(e)) {
      expect(Array.isArray(x), `${path} should be a list`).toBe(true);
      expect((x as NestedList[]).length, `${path} length`).toBe(e.length);
      e.forEach((item, i) => walk((x as NestedList[])[i], item, `${path}[${i}]`));
    } else {
      const xv = Number(x);
      const ev = Number(e);
      if (Number.isNaN(ev)) expect(xv, path).toBeNaN();
      else expect(Math.abs(xv - ev), `${path}: ${xv} vs ${ev}`).toBeLessThanOrEqual(tol);
    }
  };
  walk(a, expected, 'value');
}
