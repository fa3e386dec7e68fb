import { describe, expect, it } from 'vitest';
import * as torch from '../../src';

describe('Generator bookkeeping', () => {
  it('a new Generator starts at PyTorch default seed', () => {
    // python3 -c "import torch; print(torch.Generator().initial_seed())"  -> 67280421310721
    expect(new torch.Generator().initialSeed()).toBe(67280421310721);
  });

  it('manualSeed returns the default generator and resets its offset', () => {
    const g = torch.manualSeed(42);
    expect(g).toBe(torch.defaultGenerator);
    expect(torch.initialSeed()).toBe(42);
    expect(g.getState()).toEqual({ seed: 42, offset: 0 });
  });

  it('seed() picks a fresh non-deterministic seed below 2^53', () => {
    const a = torch.seed();
    const b = torch.seed();
    expect(Number.isSafeInteger(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(torch.initialSeed()).toBe(b);
  });

  it('getState/setState round-trip and validate', () => {
    const g = new torch.Generator().manualSeed(7);
    g.setState({ seed: 9, offset: 128 });
    expect(g.getState()).toEqual({ seed: 9, offset: 128 });
    expect(() => g.setState({ seed: -1, offset: 0 })).toThrow('setState: seed must be an integer in [0, 2^53), got -1');
    expect(() => g.setState({ seed: 1, offset: 0.5 })).toThrow('setState: offset must be an integer in [0, 2^53), got 0.5');
    expect(() => torch.manualSeed(1.5)).toThrow('manualSeed: seed must be an integer in [0, 2^53), got 1.5');
  });

  it('draw() advances the offset by what the kernel reports', () => {
    const g = new torch.Generator().manualSeed(3);
    const seen: Array<[number, number]> = [];
    g.draw((s, o) => {
      seen.push([s, o]);
      return 12;
    });
    g.draw((s, o) => {
      seen.push([s, o]);
      return 4;
    });
    expect(seen).toEqual([
      [3, 0],
      [3, 12],
    ]);
    expect(g.getState().offset).toBe(16);
  });

  it('the default generator is seeded differently in every process', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = "require('ts-node/register/transpile-only'); console.log(require('./src/random/generator').initialSeed())";
    const a = execFileSync(process.execPath, ['-e', script], { cwd: process.cwd() }).toString().trim();
    const b = execFileSync(process.execPath, ['-e', script], { cwd: process.cwd() }).toString().trim();
    expect(a).not.toBe(b);
  });
});
