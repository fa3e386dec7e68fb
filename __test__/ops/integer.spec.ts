/**
 * Integers are exact or refused (#10.2): each case below returned a wrong number, without any
 * error, while integer tensors computed through float32. Expected values are PyTorch's.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';

const int32 = (values: number[]): torch.Tensor => torch.tensor(values, { dtype: torch.int32 });

describe('integer arithmetic is exact (regressions named after #10.2)', () => {
  it('tensor([16777217]).add(1) is 16777218 for int32 and int64', () => {
    expect(int32([16777217]).add(1).tolist()).toEqual([16777218]);
    expect(torch.tensor([16777217n]).add(1).tolist()).toEqual([16777218]);
    expect(torch.tensor([16777217n]).add(1).dtype).toBe('int64');
  });

  it('tensor([123456789]).sub(0) is 123456789', () => {
    expect(int32([123456789]).sub(0).tolist()).toEqual([123456789]);
    expect(torch.tensor([123456789n]).sub(torch.tensor([0n])).tolist()).toEqual([123456789]);
  });

  it('tensor([3]).pow(19) is 1162261467', () => {
    expect(int32([3]).pow(19).tolist()).toEqual([1162261467]);
    expect(torch.tensor([3n]).pow(19).tolist()).toEqual([1162261467]);
    expect(torch.tensor([3n]).pow(39).itemBigInt()).toBe(3n ** 39n);
    expect(() => torch.tensor([3n]).pow(-1)).toThrow(new RangeError('pow: Integers to negative integer powers are not allowed.'));
    // Tensor exponents below zero give 0 (1 and −1 keep their powers), as PyTorch.
    expect(torch.tensor([3n, 1n, -1n]).pow(torch.tensor([-1n, -5n, -3n])).tolist()).toEqual([0, 1, -1]);
  });

  it('int32 wraps like C int32 (2147483647 + 1), int64 wraps at 2^64, as PyTorch', () => {
    expect(int32([2147483647]).add(0).tolist()).toEqual([2147483647]);
    expect(int32([2147483647]).add(1).tolist()).toEqual([-2147483648]);
    expect(int32([65536]).mul(65536).tolist()).toEqual([0]);
    expect(int32([-2147483648]).neg().tolist()).toEqual([-2147483648]);
    expect(torch.tensor([2n ** 63n - 1n]).add(1).itemBigInt()).toBe(-(2n ** 63n));
    expect(torch.tensor([-(2n ** 63n)]).abs().itemBigInt()).toBe(-(2n ** 63n));
  });

  it('sum, max and relu of 16777217 are 16777217', () => {
    expect(torch.tensor([16777217n, 0n]).sum().item()).toBe(16777217);
    expect(int32([16777217, 0]).max().item()).toBe(16777217);
    expect(int32([16777217, -3]).relu().tolist()).toEqual([16777217, 0]);
    expect(torch.tensor([16777217n, -3n]).relu().tolist()).toEqual([16777217, 0]);
    expect(int32([-16777217, 3]).min().item()).toBe(-16777217);
    expect(int32([16777216, 16777217]).argmax().item()).toBe(1);
  });

  it('full([3], 2**30, { dtype: int32 }).sum() is int64 3221225472, as PyTorch promotes', () => {
    const s = torch.full([3], 2 ** 30, { dtype: torch.int32 }).sum();
    expect(s.dtype).toBe('int64');
    expect(s.item()).toBe(3221225472);
    expect(torch.full([2, 3], 2 ** 30, { dtype: torch.int32 }).sum(1).tolist()).toEqual([3221225472, 3221225472]);
    expect(torch.tensor([200, 200], { dtype: torch.uint8 }).sum().item()).toBe(400);
    expect(torch.full([2], 2n ** 62n).sum().itemBigInt()).toBe(-(2n ** 63n)); // int64 wraps, as PyTorch
  });

  it('maximum, minimum, clamp and comparisons are exact for int64 beyond 2^53', () => {
    const big = torch.tensor([2n ** 53n + 1n]);
    const other = torch.tensor([2n ** 53n]);
    expect(big.maximum(other).itemBigInt()).toBe(2n ** 53n + 1n);
    expect(big.minimum(other).itemBigInt()).toBe(2n ** 53n);
    expect(big.eq(other).tolist()).toEqual([false]);
    expect(big.gt(other).tolist()).toEqual([true]);
    expect(big.eq(2 ** 53).tolist()).toEqual([false]);
    expect(torch.tensor([5n, -5n]).clamp(-2, 3).tolist()).toEqual([3, -2]);
    expect(int32([5, -5]).clamp(-2, 3).dtype).toBe('int32');
  });

  it('promotes as PyTorch: int32 with int64 is int64, with float32 float32; div is true division', () => {
    expect(int32([1]).add(torch.tensor([1n])).dtype).toBe('int64');
    expect(torch.tensor([true]).add(torch.tensor([1n])).dtype).toBe('int64');
    expect(torch.tensor([7n]).div(torch.tensor([2n])).tolist()).toEqual([3.5]);
    expect(torch.tensor([3n]).mul(1.5).tolist()).toEqual([4.5]);
    expect(int32([1, 2]).add(torch.tensor([[10n], [20n]])).tolist()).toEqual([[11, 12], [21, 22]]);
  });

  it('a scalar that does not fit the integer dtype is refused, not wrapped', () => {
    expect(() => int32([1]).add(3e9)).toThrow(new RangeError('add: value 3000000000 cannot be converted to type int32_t without overflow'));
  });

  it('item() and tolist() of int64 give exact numbers, or a RangeError naming the value', () => {
    expect(torch.tensor([2n ** 53n - 1n]).item()).toBe(2 ** 53 - 1);
    expect(() => torch.tensor([2n ** 60n]).item()).toThrow(
      new RangeError('item: int64 value 1152921504606846976 is not exactly representable as a JS number (|v| > 2^53 - 1); use itemBigInt()'),
    );
    expect(() => torch.tensor([1n, -(2n ** 60n)]).tolist()).toThrow('tolist: int64 value -1152921504606846976 is not exactly representable');
    expect(torch.tensor([2n ** 60n]).itemBigInt()).toBe(2n ** 60n);
    let correct = 0;
    correct += torch.tensor([1n, 2n, 3n]).eq(torch.tensor([1n, 0n, 3n])).sum().item();
    expect(correct).toBe(2);
  });
});

describe('values that do not fit on creation throw (regressions named after #10.2)', () => {
  it('tensor([3e9], { dtype: int32 }) throws', () => {
    expect(() => torch.tensor([3e9], { dtype: torch.int32 })).toThrow(
      new RangeError('tensor: value 3000000000 cannot be converted to type int32_t without overflow'),
    );
    expect(() => torch.tensor([1e30], { dtype: torch.int64 })).toThrow(new RangeError('tensor: value 1e+30 cannot be converted to type int64_t without overflow'));
    expect(() => torch.tensor([2n ** 63n])).toThrow(new RangeError('tensor: value 9223372036854775808 cannot be converted to type int64_t without overflow'));
  });

  it('tensor([3e9]) and full([4], 3e38) are float32, not wrapped integers', () => {
    expect(torch.tensor([3e9]).dtype).toBe('float32');
    expect(torch.tensor([3e9]).item()).toBe(3e9);
    const f = torch.full([4], 3e38);
    expect(f.dtype).toBe('float32');
    expect(f.sum().item()).toBe(Infinity);
    expect(() => torch.full([3], 3e9, { dtype: torch.int32 })).toThrow(new RangeError('full: value 3000000000 cannot be converted to type int32_t without overflow'));
    expect(() => torch.fullLike(int32([1]), NaN)).toThrow(new RangeError('fullLike: value NaN cannot be converted to type int32_t without overflow'));
  });

  it('arange(2**31 − 2, 2**31 + 1) does not wrap: exact as bigints (int64), refused as int32', () => {
    expect(torch.arange(2n ** 31n - 2n, 2n ** 31n + 1n).tolist()).toEqual([2147483646, 2147483647, 2147483648]);
    expect(torch.arange(2 ** 31 - 2, 2 ** 31 + 1, { dtype: torch.int64 }).tolist()).toEqual([2147483646, 2147483647, 2147483648]);
    expect(() => torch.arange(2 ** 31 - 2, 2 ** 31 + 1, { dtype: torch.int32 })).toThrow(
      new RangeError('arange: value 2147483648 cannot be converted to type int32_t without overflow'),
    );
  });

  it('-0.0 keeps its sign', () => {
    expect(Object.is(torch.tensor([-0]).item(), -0)).toBe(true);
    expect(Object.is(torch.full([1], -0).item(), -0)).toBe(true);
  });

  it('creation options are checked (unknown keys, types)', () => {
    expect(() => torch.zeros(2, { dtyp: torch.int32 } as never)).toThrow(new TypeError("zeros got an unexpected option 'dtyp' (did you mean 'dtype'?)"));
    expect(() => torch.tensor([1], { requires_grad: true } as never)).toThrow(
      new TypeError("tensor got an unexpected option 'requires_grad' (did you mean 'requiresGrad'?)"),
    );
    expect(() => torch.full([1], 1, { requiresGrad: 1 } as never)).toThrow(new TypeError("full: option 'requiresGrad' must be a boolean, got number 1"));
    expect(() => torch.randint(0, 5, [2], { generator: 3 } as never)).toThrow(TypeError);
  });
});
