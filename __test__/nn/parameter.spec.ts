import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { Tensor } from '../../src/tensor';

describe('Parameter', () => {
  it('wraps a tensor without copying and requires grad by default', () => {
    const t = new Tensor(Float32Array.from([1, 2]), [2]);
    const p = new nn.Parameter(t);
    expect(p).toBeInstanceOf(Tensor);
    expect(p.data).toBe(t.data);
    expect(p.shape).toEqual([2]);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    expect(new nn.Parameter(t, false).requiresGrad).toBe(false);
  });

  it('prints like PyTorch', () => {
    // repr(nn.Parameter(torch.tensor([1., 2.])))
    expect(String(new nn.Parameter(new Tensor(Float32Array.from([1, 2]), [2])))).toBe(
      'Parameter containing:\ntensor([1., 2.], requires_grad=True)',
    );
  });
});
