/**
 * `torch.einsum` against PyTorch (`misc-ops.json`, scripts/fixtures/make_misc_ops_fixtures.py):
 * outputs and every operand's gradient for a recorded upstream gradient over matmul, batched
 * and attention-score products, dot/outer products, transpose, diagonal, trace, sums, implicit
 * outputs (upper case before lower case), three operands, ellipses and size-1 broadcasting;
 * gradcheck; PyTorch's error for each malformed equation or mismatched size (RangeError).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';

interface Case {
  equation: string;
  shapes: number[][];
  inputs: number[][];
  outShape: number[];
  values: number[];
  gradOutput: number[];
  grads: number[][];
}
interface ErrorCase {
  equation: string;
  shapes: number[][];
  message: string;
}
const fixture = loadFixture<{ einsum: Case[]; einsumErrors: ErrorCase[] }>('misc-ops');

describe('einsum against PyTorch', () => {
  for (const c of fixture.einsum) {
    it(`'${c.equation}' on ${c.shapes.map((s) => `[${s.join(', ')}]`).join(', ')}`, () => {
      const xs = c.inputs.map((v, i) => torch.tensor(v).reshape(c.shapes[i]).detach().requiresGrad_(true));
      const y = torch.einsum(c.equation, ...xs);
      expect(y.shape).toEqual(c.outShape);
      // Sums of up to a few dozen float32 products, accumulated in another order than PyTorch's.
      expectClose(y, c.values, { rtol: 1e-5, atol: 2e-6, label: `${c.equation} output` });
      y.backward(torch.tensor(c.gradOutput).reshape(c.outShape));
      xs.forEach((x, i) => expectClose((x.grad as torch.Tensor).data as Float32Array, c.grads[i], { rtol: 1e-5, atol: 4e-6, label: `${c.equation} grad ${i}` }));
    });
  }

  it('takes the operands as a list too', () => {
    const a = torch.randn([2, 3]);
    const b = torch.randn([3, 4]);
    expectClose(torch.einsum('ij,jk->ik', [a, b]), torch.matmul(a, b), { rtol: 1e-6, atol: 1e-6 });
  });

  it('passes gradcheck for a batched product, a diagonal sum and three operands', () => {
    const r = (...s: number[]) => torch.randn(s).detach().requiresGrad_(true);
    expectGradcheck((a, b) => torch.einsum('bij,bjk->bik', a, b), [r(2, 3, 4), r(2, 4, 2)]);
    expectGradcheck((a, b) => torch.einsum('bhqd,bhkd->bhqk', a, b), [r(1, 2, 3, 4), r(1, 2, 2, 4)]);
    expectGradcheck((a) => torch.einsum('iij->j', a), [r(3, 3, 2)]);
    expectGradcheck((a, b, c) => torch.einsum('bn,anm,bm->ba', a, b, c), [r(2, 3), r(2, 3, 2), r(2, 2)]);
    expectGradcheck((a, b) => torch.einsum('ij,jk->ik', a, b), [r(3, 1), r(4, 2)]);
  });
});

describe('einsum errors', () => {
  for (const c of fixture.einsumErrors) {
    it(`'${c.equation}' on ${JSON.stringify(c.shapes)}: ${c.message}`, () => {
      const run = () => torch.einsum(c.equation, ...c.shapes.map((s) => torch.zeros(s)));
      expect(run).toThrow(RangeError);
      expect(run).toThrow(c.message);
    });
  }

  it('refuses no operands, non-tensors and non-float32 operands with TypeErrors naming einsum', () => {
    expect(() => torch.einsum('i')).toThrow(RangeError);
    expect(() => torch.einsum('i')).toThrow('einsum(): must provide at least one operand');
    expect(() => torch.einsum('i', [1, 2] as never)).toThrow(new TypeError('einsum(): operand 0 must be a Tensor, got number 1'));
    expect(() => torch.einsum('i', torch.tensor([1n]))).toThrow(new TypeError('einsum(): expected float32 operands, got int64 for operand 0'));
    expect(() => torch.einsum(3 as never, torch.zeros([1]))).toThrow(TypeError);
  });
});
