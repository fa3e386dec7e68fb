import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { dropout } from '../../src/ops/dropout';
import { expectGradcheck } from '../helpers/gradcheck';

describe('dropout', () => {
  it('validates p like PyTorch', () => {
    expect(() => dropout(torch.ones(3), 1.5)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
    expect(() => dropout(torch.ones(3), -0.1)).toThrow(RangeError);
  });

  it('is the identity when not training or p = 0; zeros when p = 1', () => {
    const x = torch.ones(4);
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(dropout(x, 1).tolist()).toEqual([0, 0, 0, 0]);
  });

  it('zeroes about p of the elements and scales the rest by 1/(1−p)', () => {
    torch.manualSeed(0);
    const out = dropout(torch.ones(20000), 0.3);
    let zeros = 0;
    for (const v of out.data) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.7, 6);
    }
    expect(zeros / 20000).toBeGreaterThan(0.28);
    expect(zeros / 20000).toBeLessThan(0.32);
  });

  it('is reproducible from the seed and advances the generator', () => {
    torch.manualSeed(5);
    const a = dropout(torch.ones(64), 0.5).tolist();
    const b = dropout(torch.ones(64), 0.5).tolist();
    torch.manualSeed(5);
    expect(dropout(torch.ones(64), 0.5).tolist()).toEqual(a);
    expect(b).not.toEqual(a);
    const g = new torch.Generator().manualSeed(5);
    expect(dropout(torch.ones(64), 0.5, true, g).tolist()).toEqual(a);
  });

  it('backward regenerates the forward mask (NativeDropoutBackward0)', () => {
    const x = torch.ones(200, { requiresGrad: true });
    torch.manualSeed(11);
    const y = dropout(x, 0.4);
    expect(y.gradFn?.name).toBe('NativeDropoutBackward0');
    y.sum().backward();
    // d(sum(mask·x/(1−p)))/dx = mask/(1−p) = y for x = 1.
    expect(x.grad?.tolist()).toEqual(y.tolist());
    // gradcheck with a generator re-seeded on every call, so the mask is the same each time.
    const input = torch.tensor(Float32Array.from({ length: 12 }, (_, i) => Math.cos(i))).detach().requiresGrad_();
    expectGradcheck((z) => dropout(z, 0.5, true, new torch.Generator().manualSeed(3)), [input]);
  });
});
