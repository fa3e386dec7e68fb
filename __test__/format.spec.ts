// Expected strings are PyTorch's own output, e.g. python3 -c "import torch; print(repr(str(torch.arange(2000))))".
import { describe, expect, it } from 'vitest';
import * as torch from '../src';

describe('toString (PyTorch format)', () => {
  it('prints integer tensors with aligned columns and no dtype suffix for int64', () => {
    expect(torch.tensor([[1n, 2n], [3n, 4n]]).toString()).toBe('tensor([[1, 2],\n        [3, 4]])');
    expect(torch.tensor([1, 2], { dtype: torch.int32 }).toString()).toBe('tensor([1, 2], dtype=torch.int32)');
    expect(torch.tensor([2n ** 62n, -1n]).toString()).toBe('tensor([4611686018427387904,                  -1])');
    expect(torch.arange(24n).reshape(2, 3, 4).toString()).toBe(
      'tensor([[[ 0,  1,  2,  3],\n         [ 4,  5,  6,  7],\n         [ 8,  9, 10, 11]],\n\n        [[12, 13, 14, 15],\n         [16, 17, 18, 19],\n         [20, 21, 22, 23]]])',
    );
  });

  it('prints floats in fixed, integer and scientific modes', () => {
    expect(torch.tensor([[0.1, 0.2]], { requiresGrad: true }).toString()).toBe('tensor([[0.1000, 0.2000]], requires_grad=True)');
    expect(torch.tensor([1e-5, 1.0]).toString()).toBe('tensor([1.0000e-05, 1.0000e+00])');
    expect(torch.tensor([1, 2], { dtype: torch.float32 }).toString()).toBe('tensor([1., 2.])');
    expect(torch.tensor([-1, 2], { dtype: torch.float32 }).toString()).toBe('tensor([-1.,  2.])');
    expect(torch.tensor([1.5, NaN, Infinity]).toString()).toBe('tensor([1.5000,    nan,    inf])');
    expect(torch.tensor([-0.5, 100.25]).toString()).toBe('tensor([ -0.5000, 100.2500])');
    expect(torch.zeros(3).toString()).toBe('tensor([0., 0., 0.])');
    const sevenths = torch.tensor(Float32Array.from({ length: 12 }, (_, i) => i / 7)).reshape(3, 4);
    expect(sevenths.toString()).toBe(
      'tensor([[0.0000, 0.1429, 0.2857, 0.4286],\n        [0.5714, 0.7143, 0.8571, 1.0000],\n        [1.1429, 1.2857, 1.4286, 1.5714]])',
    );
  });

  it('prints scalars, bools, empty tensors and non-default dtypes', () => {
    expect(torch.tensor(3.5).toString()).toBe('tensor(3.5000)');
    expect(torch.tensor([true, false]).toString()).toBe('tensor([ True, False])');
    expect(torch.tensor([]).toString()).toBe('tensor([])');
    expect(torch.zeros(2, 0).toString()).toBe('tensor([], size=(2, 0))');
    expect(torch.tensor([1, 2], { dtype: torch.uint8 }).toString()).toBe('tensor([1, 2], dtype=torch.uint8)');
  });

  it('summarizes tensors above 1000 elements with ...', () => {
    expect(torch.arange(2000n).toString()).toBe('tensor([   0,    1,    2,  ..., 1997, 1998, 1999])');
    expect(torch.arange(2000, { dtype: torch.float32 }).toString()).toBe(
      'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])',
    );
    expect(torch.arange(1200, { dtype: torch.float32 }).reshape(30, 40).toString()).toBe(
      'tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 3.7000e+01, 3.8000e+01,\n         3.9000e+01],\n        [4.0000e+01, 4.1000e+01, 4.2000e+01,  ..., 7.7000e+01, 7.8000e+01,\n         7.9000e+01],\n        [8.0000e+01, 8.1000e+01, 8.2000e+01,  ..., 1.1700e+02, 1.1800e+02,\n         1.1900e+02],\n        ...,\n        [1.0800e+03, 1.0810e+03, 1.0820e+03,  ..., 1.1170e+03, 1.1180e+03,\n         1.1190e+03],\n        [1.1200e+03, 1.1210e+03, 1.1220e+03,  ..., 1.1570e+03, 1.1580e+03,\n         1.1590e+03],\n        [1.1600e+03, 1.1610e+03, 1.1620e+03,  ..., 1.1970e+03, 1.1980e+03,\n         1.1990e+03]])',
    );
  });

  it('wraps long rows at 80 columns and appends grad_fn', () => {
    // torch.arange(30.).reshape(1,30)/3*torch.ones(1,1,requires_grad=True)
    const x = torch.tensor(Float32Array.from({ length: 30 }, (_, i) => i / 3)).reshape(1, 30);
    const viewed = x.detach().requiresGrad_().reshape(1, 30);
    expect(viewed.toString()).toBe(
      'tensor([[0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n         3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n         6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n         9.0000, 9.3333, 9.6667]], grad_fn=<ViewBackward0>)',
    );
  });
});
