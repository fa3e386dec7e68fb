/**
 * `torch.sort` / `torch.argsort` against PyTorch (`__test__/fixtures/reduce2.json`,
 * scripts/fixtures/make_reduce2_fixtures.py): values, int64 indices and input gradients over
 * dims (negative too), ascending/descending, ties (stable), NaN and ±inf, 0-d, int64 and bool;
 * the method forms, gradcheck and typed errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { casesOf, checkCase, expectOpError, pytorchError, titleOf } from '../helpers/reduce2';

describe('sort against PyTorch', () => {
  for (const c of casesOf('sort')) {
    it(titleOf(c), () => {
      // Sorting moves values: outputs and gradients are exact.
      checkCase(c, (x) => {
        const { values, indices } = torch.sort(x, { dim: c.args.dim as number, descending: c.args.descending, stable: c.args.stable });
        return [values, indices];
      }, { rtol: 0, atol: 0 });
    });
  }
});

describe('argsort against PyTorch', () => {
  for (const c of casesOf('argsort')) {
    it(titleOf(c), () => {
      checkCase(c, (x) => torch.argsort(x, { dim: c.args.dim as number, descending: c.args.descending, stable: c.args.stable }));
    });
  }
});

describe('sort', () => {
  it('has the method forms x.sort(dim), x.sort(options), x.argsort(dim, options)', () => {
    const x = torch.tensor([[3, 1, 2], [0, 5, -1]]);
    expect(x.sort().values.tolist()).toEqual([[1, 2, 3], [-1, 0, 5]]);
    expect(x.sort(0).indices.tolist()).toEqual([[1, 0, 1], [0, 1, 0]]);
    expect(x.sort({ dim: 0, descending: true }).values.tolist()).toEqual([[3, 5, 2], [0, 1, -1]]);
    expect(x.argsort(1, { descending: true }).tolist()).toEqual([[0, 2, 1], [1, 0, 2]]);
    expect(x.sort().values.gradFn).toBeNull();
  });

  it('sorts a strided view and records SortBackward0', () => {
    const x = torch.tensor([[4, 1], [2, 3]]).requiresGrad_(true);
    const { values } = x.t().sort(1); // rows of the transpose: [4, 2] and [1, 3]
    expect(values.tolist()).toEqual([[2, 4], [1, 3]]);
    expect(values.gradFn?.name).toBe('SortBackward0');
    values.backward(torch.tensor([[10, 20], [30, 40]]));
    expect((x.grad as torch.Tensor).tolist()).toEqual([[20, 30], [10, 40]]);
  });

  it('passes gradcheck along each dim, both directions', () => {
    // Values at least 0.3 apart: a finite-difference step must not swap two of them (sort is
    // piecewise linear, and its numeric derivative across a swap is meaningless).
    const x = () => torch.tensor([[0.9, -1.5, 2.1, 0.3], [-0.6, 1.2, -2.4, 3.0], [1.8, -0.3, 0.0, -1.2]]).requiresGrad_(true);
    for (const [dim, descending] of [[0, false], [1, true], [-1, false]] as const) {
      expectGradcheck((t) => torch.sort(t, { dim, descending }).values, [x()]);
    }
  });

  it('refuses bad arguments with typed errors naming the op', () => {
    expectOpError(() => torch.sort(torch.zeros([3]), { dim: 3 }), RangeError, pytorchError('sort_dim').message, 'sort');
    expectOpError(() => torch.argsort(torch.zeros([3]), -2), RangeError, 'Dimension out of range', 'argsort');
    expectOpError(() => torch.sort(torch.zeros([3]), { dim: 0.5 }), TypeError, "argument 'dim' must be an integer", 'sort');
    expectOpError(() => torch.sort(torch.zeros([3]), { descending: 1 as unknown as boolean }), TypeError, "argument 'descending' must be bool", 'sort');
    expectOpError(() => torch.sort([1, 2] as unknown as torch.Tensor), TypeError, "argument 'input' must be Tensor", 'sort');
    expectOpError(() => torch.sort(torch.zeros([3]), 'x' as unknown as number), TypeError, 'expected a dim (integer) or an options object', 'sort');
  });
});
