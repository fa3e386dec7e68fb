import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';
import { num } from '../helpers/ulps';

describe('maximum / minimum / clamp', () => {
  it('forward with broadcasting and integer dtypes', () => {
    expect(torch.maximum(torch.tensor([1, 5, 3]), torch.tensor([2, 2, 2])).tolist()).toEqual([2, 5, 3]);
    expect(torch.minimum(torch.tensor([[1.5], [3.5]]), torch.tensor([2, 3], { dtype: torch.float32 })).tolist()).toEqual([
      [1.5, 1.5],
      [2, 3],
    ]);
    // torch.clamp(torch.tensor([1,5,9]), 2, 6) -> [2, 5, 6]
    expect(torch.clamp(torch.tensor([1, 5, 9]), 2, 6).tolist()).toEqual([2, 5, 6]);
    expect(torch.tensor([1, 2, 3], { dtype: torch.float32 }).clamp(null, 2).tolist()).toEqual([1, 2, 2]);
    expect(() => torch.tensor([1]).clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
  });

  it('backward matches PyTorch: ties split evenly, clamp passes the gradient strictly inside its bounds', () => {
    // a=[1,2,3], b=[3,2,1]: maximum(a,b).sum().backward() -> a.grad [0, .5, 1], b.grad [1, .5, 0]
    const a = torch.tensor([1, 2, 3], { dtype: torch.float32, requiresGrad: true });
    const b = torch.tensor([3, 2, 1], { dtype: torch.float32, requiresGrad: true });
    const m = torch.maximum(a, b);
    expect(m.gradFn?.name).toBe('MaximumBackward0');
    m.sum().backward();
    expect(a.grad?.tolist()).toEqual([0, 0.5, 1]);
    expect(b.grad?.tolist()).toEqual([1, 0.5, 0]);
    // a.clamp(1.5, 2.5).sum().backward() -> [0, 1, 0]
    a.grad = null;
    const c = a.clamp(1.5, 2.5);
    expect(c.gradFn?.name).toBe('ClampBackward1');
    c.sum().backward();
    expect(a.grad?.tolist()).toEqual([0, 1, 0]);
    const x = torch.tensor([[0.5, -1.2, 2.0], [1.1, 0.3, -0.7]], { requiresGrad: true });
    const y = torch.tensor([0.2, -0.4, 1.2], { requiresGrad: true });
    expectGradcheck((p, q) => torch.maximum(p, q), [x, y]);
    expectGradcheck((p, q) => torch.minimum(p, q), [x, y]);
    expectGradcheck((p) => p.clamp(-0.5, 1.0), [x]);
  });
});

// ---- clampMin / clampMax against PyTorch (misc-ops.json, scripts/fixtures/make_misc_ops_fixtures.py) ----

interface ClampCase {
  bound: number;
  input: (number | string)[];
  shape: number[];
  values: (number | string)[];
  gradOutput: number[];
  gradInput: number[];
  gradFn: string;
}
const clampFixture = loadFixture<{ clampMin: ClampCase[]; clampMax: ClampCase[] }>('misc-ops');

describe('clampMin / clampMax', () => {
  for (const op of ['clampMin', 'clampMax'] as const) {
    for (const c of clampFixture[op]) {
      it(`${op}(x, ${c.bound}): values, gradient (0 at the bound and at NaN) and grad_fn as PyTorch`, () => {
        const x = torch.tensor(c.input.map(num)).detach().requiresGrad_(true);
        const y = op === 'clampMin' ? torch.clampMin(x, c.bound) : x.clampMax(c.bound);
        expect(y.gradFn?.name).toBe(c.gradFn);
        // Exact: a comparison and a select per element.
        expect(Array.from(y.data as Float32Array)).toEqual(c.values.map(num));
        y.backward(torch.tensor(c.gradOutput));
        expect(Array.from((x.grad as torch.Tensor).data as Float32Array)).toEqual(c.gradInput);
      });
    }
  }

  it('keeps integer dtypes and passes gradcheck', () => {
    expect(torch.clampMin(torch.tensor([1n, 5n]), 3).tolist()).toEqual([3, 5]);
    expect(torch.clampMax(torch.tensor([1n, 5n]), 3).dtype).toBe('int64');
    expectGradcheck((x) => torch.clampMax(torch.clampMin(x, -0.5), 0.5), [torch.tensor([-1.3, -0.2, 0.1, 0.35, 0.9]).requiresGrad_(true)]);
  });

  it('refuses a missing or non-number bound, naming the op', () => {
    expect(() => torch.clampMin(torch.zeros([2]), null as never)).toThrow(new TypeError("clamp_min(): argument 'min' must be a number, got null"));
    expect(() => torch.zeros([2]).clampMax(torch.zeros([2]) as never)).toThrow(/^clamp_max\(\): argument 'max' must be a number, got /);
    expect(() => torch.clampMin([1] as never, 0)).toThrow(TypeError);
  });
});
