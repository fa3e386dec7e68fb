/**
 * Regression (found by the broadcasting property after the reversed-division change): a
 * one-element tensor divided by a tensor took the `s / tensor` path of a Python number,
 * `reciprocal(x) * s`, so `tensor(0) / tensor([-1.4e-45])` gave NaN (1/subnormal = -Inf, 0·Inf).
 * PyTorch divides tensor by tensor: -0. Same for `x ** tensor(0.5)`: plain pow, not sqrt.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';

describe('one-element tensor ⊕ tensor is tensor arithmetic, not Python-number arithmetic', () => {
  it('tensor(0) / tensor([0, -1.4e-45, 2]) is [NaN, -0, 0], as PyTorch', () => {
    const out = torch.div(torch.tensor(0), torch.tensor([0, -1.4e-45, 2]));
    expect(Number.isNaN(out.data[0])).toBe(true);
    expect(Object.is(out.data[1], -0)).toBe(true);
    expect(out.data[2]).toBe(0);
  });

  it('tensor([-Infinity]) ** tensor(0.5) is Infinity (pow), not NaN (sqrt), as PyTorch', () => {
    expect(torch.pow(torch.tensor([-Infinity]), torch.tensor(0.5)).data[0]).toBe(Infinity);
  });

  it('the Python-number forms keep PyTorch’s scalar semantics', () => {
    expect(torch.pow(torch.tensor([-Infinity]), 0.5).data[0]).toBeNaN();
  });
});
