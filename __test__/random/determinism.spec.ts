import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';

describe('random factories', () => {
  it('rand/randn/randint/randperm: shapes, ranges, dtypes', () => {
    torch.manualSeed(0);
    const r = torch.rand(3, 4);
    expect(r.shape).toEqual([3, 4]);
    for (const v of r.data) expect(v >= 0 && v < 1).toBe(true);
    expect(torch.randn([2, 2]).dtype).toBe('float32');
    const i = torch.randint(3, 7, [1000]);
    expect(i.dtype).toBe('int64');
    expect(i.min().item()).toBe(3);
    expect(i.max().item()).toBe(6);
    expect(torch.randperm(4).dtype).toBe('int64');
    expect(torch.randint(0, 5, [2], { dtype: torch.int32 }).dtype).toBe('int32');
    expect(torch.randint(2, [5]).shape).toEqual([5]);
    const p = torch.randperm(10);
    expect((p.tolist() as number[]).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(torch.rand(2, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => torch.randint(5, 5, [2])).toThrow("random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
    expect(() => torch.rand(2, { dtype: torch.int32 })).toThrow(TypeError);
  });

  it('same seed → same tensors; the generator state replays draws', () => {
    torch.manualSeed(123);
    const a = [torch.rand(5).tolist(), torch.randn(5).tolist(), torch.randint(0, 100, [5]).tolist()];
    torch.manualSeed(123);
    const b = [torch.rand(5).tolist(), torch.randn(5).tolist(), torch.randint(0, 100, [5]).tolist()];
    expect(b).toEqual(a);
    const state = torch.getRngState();
    const next = torch.rand(7).tolist();
    torch.setRngState(state);
    expect(torch.rand(7).tolist()).toEqual(next);
    const g = new torch.Generator().manualSeed(123);
    expect(torch.rand(5, { generator: g }).tolist()).toEqual(a[0]);
  });

  it('results do not depend on the thread count', () => {
    const before = torch.getNumThreads();
    try {
      torch.setNumThreads(1);
      const g1 = new torch.Generator().manualSeed(9);
      const one = [torch.randn(300_000, { generator: g1 }).data.slice(-4), torch.rand(300_000, { generator: g1 }).data.slice(-4)];
      torch.setNumThreads(2);
      const g2 = new torch.Generator().manualSeed(9);
      const two = [torch.randn(300_000, { generator: g2 }).data.slice(-4), torch.rand(300_000, { generator: g2 }).data.slice(-4)];
      expect(two).toEqual(one);
    } finally {
      torch.setNumThreads(before);
    }
    expect(() => torch.setNumThreads(0)).toThrow('setNumThreads: expected a positive integer, got 0');
  });

  it('same seed → same tensors in another process', () => {
    const script =
      "require('ts-node/register/transpile-only'); const t = require('./src'); t.manualSeed(77); console.log(JSON.stringify([t.rand(4).tolist(), t.randn(3).tolist()]))";
    const child = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: process.cwd() }).toString());
    torch.manualSeed(77);
    expect(child).toEqual([torch.rand(4).tolist(), torch.randn(3).tolist()]);
  });
});
