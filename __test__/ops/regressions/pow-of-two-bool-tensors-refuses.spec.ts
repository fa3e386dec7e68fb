/**
 * Regression (formerly KNOWN_BUGS.md #3, found by the elementwise dtype property): `torch.pow` of two bool
 * tensors returned an int32 tensor where PyTorch has no bool pow kernel and raises
 * `NotImplementedError: "pow" not implemented for 'Bool'` (a TypeError in kindling). The mixed
 * forms keep PyTorch's promotions (checked with PyTorch 2.x):
 *   b ** b → error;  b ** 2 → int64 [1, 0];  b ** 2.5 → float32;  b ** i → int64;  i ** b → int64;
 *   u8 ** b → uint8;  b ** u8 → uint8;  f ** b → float32;  0-d bool ** bool → error.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';

const refusal = new TypeError(`"pow" not implemented for 'Bool'`);
const b = () => torch.tensor([true, false]);

describe('pow with bool operands', () => {
  it('bool ** bool throws PyTorch\'s TypeError, as a function and as a method, 0-d and broadcast too', () => {
    expect(() => torch.pow(torch.tensor([true]), torch.tensor([true]))).toThrow(refusal);
    expect(() => b().pow(b())).toThrow(refusal);
    expect(() => torch.pow(torch.tensor(true), b())).toThrow(refusal);
    expect(() => torch.pow(torch.tensor([[true], [false]]), torch.tensor(false))).toThrow(refusal);
  });

  it('bool ** number gives int64 (a Python int) for a non-negative integer and float32 for a fraction', () => {
    const int = b().pow(2);
    expect(int.dtype).toBe('int64');
    expect(int.tolist()).toEqual([1, 0]);
    const zero = torch.pow(b(), 0);
    expect(zero.dtype).toBe('int64');
    expect(zero.tolist()).toEqual([1, 1]);
    const frac = b().pow(2.5);
    expect(frac.dtype).toBe('float32');
    expect(Array.from(frac.data)).toEqual([1, 0]);
  });

  it('bool with a non-bool tensor promotes to the other dtype', () => {
    const i = torch.tensor([2n, 3n]);
    const u = torch.tensor([2, 3], { dtype: 'uint8' });
    const f = torch.tensor([2, 3], { dtype: 'float32' });
    const cases: Array<[torch.Tensor, string, number[]]> = [
      [torch.pow(b(), i), 'int64', [1, 0]],
      [torch.pow(i, b()), 'int64', [2, 1]],
      [torch.pow(u, b()), 'uint8', [2, 1]],
      [torch.pow(b(), u), 'uint8', [1, 0]],
      [torch.pow(f, b()), 'float32', [2, 1]],
      [torch.pow(b(), f), 'float32', [1, 0]],
    ];
    for (const [out, dtype, values] of cases) {
      expect(out.dtype).toBe(dtype);
      expect(out.tolist()).toEqual(values);
    }
  });
});
