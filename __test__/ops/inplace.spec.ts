import { describe, expect, it } from 'vitest';
import * as torch from '../../src';

describe('in-place helpers', () => {
  it('zero_/fill_/copy_/add_/mul_ write into the buffer (and views of it)', () => {
    const x = torch.zeros(2, 3);
    const v = x.reshape(6);
    x.fill_(2);
    expect(v.tolist()).toEqual([2, 2, 2, 2, 2, 2]);
    x.add_(torch.tensor([1, 2, 3]), { alpha: 0.5 });
    expect(x.tolist()).toEqual([[2.5, 3, 3.5], [2.5, 3, 3.5]]);
    x.mul_(2);
    expect(x.tolist()).toEqual([[5, 6, 7], [5, 6, 7]]);
    x.copy_(torch.tensor([[1], [2]]));
    expect(x.tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(x.zero_()).toBe(x);
    expect(x.tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    const i = torch.zeros(2, { dtype: torch.int32 }).fill_(3.7);
    expect(i.tolist()).toEqual([3, 3]);
  });

  it('refuse a leaf requiring grad while grad mode is on, like PyTorch', () => {
    const w = torch.ones(3, { requiresGrad: true });
    expect(() => w.add_(1)).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    expect(() => w.zero_()).toThrow(torch.AutogradError);
    torch.noGrad(() => w.mul_(3));
    expect(w.tolist()).toEqual([3, 3, 3]);
    expect(() => w.mul(2).add_(1)).toThrow('add_: in-place operations on a tensor of a recorded graph are not supported');
  });

  it('check the broadcast result shape', () => {
    expect(() => torch.zeros(3).add_(torch.zeros(2, 3))).toThrow("add_: output with shape [3] doesn't match the broadcast shape [2, 3]");
  });

  it('uniform_/normal_ draw from the given or default generator', () => {
    const g = new torch.Generator().manualSeed(1);
    const u = torch.zeros(1000).uniform_(-2, 3, { generator: g });
    for (const v of u.data) {
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThan(3);
    }
    const again = torch.zeros(1000).uniform_(-2, 3, { generator: new torch.Generator().manualSeed(1) });
    expect(again.tolist()).toEqual(u.tolist());
    torch.manualSeed(2);
    const n = torch.zeros(5000).normal_(1, 2);
    const mean = n.mean().item();
    const std = Math.sqrt(n.sub(mean).pow(2).mean().item());
    expect(Math.abs(mean - 1)).toBeLessThan(0.1);
    expect(Math.abs(std - 2)).toBeLessThan(0.1);
    expect(() => torch.zeros(2, { dtype: torch.int32 }).uniform_()).toThrow('uniform_: expected a float32 tensor, got int32');
  });
});

// Regressions (#10.4): in-place ops wrote a result of a higher kind into the tensor, silently
// truncated or booleanised; PyTorch refuses by its casting rule.
describe('in-place ops obey PyTorch casting rules', () => {
  const long = (): torch.Tensor => torch.tensor([1n, 2n]);

  it('tensor([1, 2]).add_(tensor([0.7, 0.7])) throws instead of leaving [1, 2]', () => {
    expect(() => long().add_(torch.tensor([0.7, 0.7]))).toThrow(new TypeError("add_: result type Float can't be cast to the desired output type Long"));
    expect(() => torch.tensor([1, 2], { dtype: torch.int32 }).add_(torch.tensor([0.7, 0.7]))).toThrow(
      new TypeError("add_: result type Float can't be cast to the desired output type Int"),
    );
  });

  it('int.mul_(0.5) throws instead of truncating', () => {
    expect(() => long().mul_(0.5)).toThrow(new TypeError("mul_: result type Float can't be cast to the desired output type Long"));
  });

  it('bool.add_(0.5) throws instead of giving [true, true]; bool.add_(1) too; bool.add_(bool) is a logical or', () => {
    const b = (): torch.Tensor => torch.tensor([true, false]);
    expect(() => b().add_(0.5)).toThrow(new TypeError("add_: result type Float can't be cast to the desired output type Bool"));
    expect(() => b().add_(1)).toThrow(new TypeError("add_: result type Long can't be cast to the desired output type Bool"));
    expect(b().add_(torch.tensor([true, true])).tolist()).toEqual([true, true]);
  });

  it('int fill_(NaN) throws instead of filling zeros; fractions truncate; uint8 wraps negatives', () => {
    expect(() => torch.tensor([1, 2], { dtype: torch.int32 }).fill_(NaN)).toThrow(
      new RangeError('fill_: value NaN cannot be converted to type int32_t without overflow'),
    );
    expect(() => long().fill_(Infinity)).toThrow(new RangeError('fill_: value Infinity cannot be converted to type int64_t without overflow'));
    expect(() => long().fill_(2n ** 63n)).toThrow(new RangeError('fill_: value 9223372036854775808 cannot be converted to type int64_t without overflow'));
    expect(torch.tensor([1, 2], { dtype: torch.int32 }).fill_(0.5).tolist()).toEqual([0, 0]);
    expect(torch.tensor([1n]).fill_(2n ** 62n).itemBigInt()).toBe(2n ** 62n);
    expect(torch.tensor([1, 2], { dtype: torch.uint8 }).fill_(-1).tolist()).toEqual([255, 255]);
    expect(() => torch.tensor([1], { dtype: torch.uint8 }).fill_(256)).toThrow(new RangeError('fill_: value 256 cannot be converted to type uint8_t without overflow'));
    expect(torch.tensor([true]).fill_(0.5).tolist()).toEqual([true]);
    expect(long().zero_().tolist()).toEqual([0, 0]);
  });

  it('allowed casts still write: an integer result into float32, uint8 add_ of int64 wraps, copy_ converts any dtype', () => {
    expect(torch.tensor([0.5, 1]).add_(long()).tolist()).toEqual([1.5, 3]);
    expect(torch.tensor([1, 2], { dtype: torch.uint8 }).add_(torch.tensor([255n, 2n])).tolist()).toEqual([0, 4]);
    expect(long().copy_(torch.tensor([2.9, -2.9])).tolist()).toEqual([2, -2]);
    expect(() => long().copy_(torch.tensor([NaN, 1]))).toThrow(new RangeError('copy_: value NaN cannot be converted to type int64_t without overflow'));
    expect(() => torch.tensor([1], { dtype: torch.int32 }).add_(torch.tensor([2n ** 40n]))).toThrow(
      new RangeError('add_: value 1099511627777 cannot be converted to type int32_t without overflow'),
    );
  });
});
