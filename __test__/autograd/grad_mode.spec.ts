import { describe, expect, it } from 'vitest';
import * as torch from '../../src';

describe('grad mode', () => {
  it('noGrad disables recording and restores the previous mode, even on throw', () => {
    const x = torch.ones(2, { requiresGrad: true });
    expect(torch.isGradEnabled()).toBe(true);
    const y = torch.noGrad(() => {
      expect(torch.isGradEnabled()).toBe(false);
      return x.reshape(2, 1);
    });
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
    expect(() =>
      torch.noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('enableGrad re-enables inside noGrad', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = torch.noGrad(() => torch.enableGrad(() => x.reshape(1, 2)));
    expect(y.gradFn?.name).toBe('ViewBackward0');
  });

  it('setGradEnabled switches globally', () => {
    torch.setGradEnabled(false);
    expect(torch.isGradEnabled()).toBe(false);
    torch.setGradEnabled(true);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('rejects async callbacks (grad mode is process-global)', () => {
    expect(() => torch.noGrad(async () => 1)).toThrow('noGrad/enableGrad: the callback must be synchronous');
    expect(torch.isGradEnabled()).toBe(true);
  });
});
