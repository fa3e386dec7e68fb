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
