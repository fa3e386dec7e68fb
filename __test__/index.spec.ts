import { describe, expect, it } from 'vitest';
import * as torch from '../src';

describe('public entry (import * as torch from "kindling")', () => {
  it('exports the PyTorch-named surface', () => {
    for (const name of [
      'Tensor', 'tensor', 'zeros', 'ones', 'empty', 'full', 'arange', 'rand', 'randn', 'randint', 'randperm',
      'zerosLike', 'onesLike', 'manualSeed', 'initialSeed', 'seed', 'Generator', 'noGrad', 'enableGrad',
      'isGradEnabled', 'setNumThreads', 'getNumThreads', 'ShapeError', 'AutogradError', 'add', 'matmul',
      'softmax', 'logSoftmax', 'sum', 'mean', 'max', 'argmax', 'reshape', 'flatten', 'eq',
    ]) {
      expect(torch, name).toHaveProperty(name);
    }
    expect(torch.float32).toBe('float32');
    expect(torch.long).toBe('int64');
    expect(torch.bool).toBe('bool');
  });
  it('does not expose the raw native binding or its test probes', () => {
    for (const name of ['native', 'kernels', 'debugPanic', 'debugLengthError', 'sgemm', 'adamStep']) {
      expect(torch, name).not.toHaveProperty(name);
    }
  });
  it('runs a tiny training step end to end', () => {
    torch.manualSeed(0);
    const w = torch.randn(3, 2, { requiresGrad: true });
    const x = torch.tensor([[1, 2, 3]], { dtype: torch.float32 });
    const loss = x.matmul(w).relu().sum();
    loss.backward();
    expect(w.grad?.shape).toEqual([3, 2]);
    torch.noGrad(() => w.add_(w.grad as torch.Tensor, { alpha: -0.1 }));
    expect(w.isLeaf).toBe(true);
  });
});
