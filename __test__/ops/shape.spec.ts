import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';

const leaf = (shape: number[]): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1))).reshape(shape).detach().requiresGrad_();
};

describe('float shape ops (native stridedCopy)', () => {
  it('permute/transpose/t/T copy in the new order', () => {
    const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3);
    expect(x.t().tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.t().data).not.toBe(x.data);
    const y = torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);
    expect(y.permute(2, 0, 1).tolist()).toEqual(torch.arange(24).reshape(2, 3, 4).permute(2, 0, 1).tolist());
    expect(y.transpose(0, -1).shape).toEqual([4, 3, 2]);
    expect(y.transpose(0, -1).tolist()).toEqual(torch.arange(24).reshape(2, 3, 4).transpose(0, 2).tolist());
  });

  it('expand broadcasts and adds leading dims', () => {
    const x = torch.tensor([[1.5], [2.5]]);
    expect(x.expand(2, 3).tolist()).toEqual([[1.5, 1.5, 1.5], [2.5, 2.5, 2.5]]);
    expect(x.expand(2, 2, -1).shape).toEqual([2, 2, 1]);
    expect(x.expandAs(torch.zeros(2, 4)).shape).toEqual([2, 4]);
  });

  it('backward of views and copies (gradcheck) and PyTorch node names', () => {
    expectGradcheck((x) => x.reshape(3, 2), [leaf([2, 3])]);
    expectGradcheck((x) => x.flatten(), [leaf([2, 3])]);
    expectGradcheck((x) => x.unsqueeze(1).squeeze(1), [leaf([2, 3])]);
    expectGradcheck((x) => x.permute(2, 0, 1), [leaf([2, 3, 4])]);
    expectGradcheck((x) => x.transpose(0, 1), [leaf([2, 3])]);
    expectGradcheck((x) => x.t(), [leaf([2, 3])]);
    expectGradcheck((x) => x.expand(4, 2, 3), [leaf([2, 1])]);
    expectGradcheck((x) => x.clone(), [leaf([3])]);
    const x = leaf([2, 1, 3]);
    expect(x.reshape(6).gradFn?.name).toBe('ViewBackward0');
    expect(x.flatten().gradFn?.name).toBe('ViewBackward0');
    expect(x.squeeze().gradFn?.name).toBe('SqueezeBackward0');
    expect(x.squeeze(1).gradFn?.name).toBe('SqueezeBackward1');
    expect(x.unsqueeze(0).gradFn?.name).toBe('UnsqueezeBackward0');
    expect(x.permute(2, 1, 0).gradFn?.name).toBe('PermuteBackward0');
    expect(x.transpose(0, 1).gradFn?.name).toBe('TransposeBackward0');
    expect(x.expand(2, 4, 3).gradFn?.name).toBe('ExpandBackward0');
    expect(x.clone().gradFn?.name).toBe('CloneBackward0');
    expect(x.squeeze().t().gradFn?.name).toBe('TBackward0');
  });

  it('clone owns its buffer', () => {
    const x = torch.tensor([1.5, 2]);
    const c = x.clone();
    c.data[0] = 7;
    expect(x.data[0]).toBe(1.5);
  });
});
