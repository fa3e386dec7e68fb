/**
 * `F.embedding` and `nn.Embedding` against PyTorch (`__test__/fixtures/embedding.json`,
 * scripts/fixtures/make_embedding_fixtures.py): outputs, the weight after max_norm's in-place
 * renormalisation, weight gradients (padding row, repeated indices, scale_grad_by_freq), reprs and
 * errors; initialisation, fromPretrained, gradcheck.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';

interface Case {
  weightShape: number[];
  weight: number[];
  indices: number | number[] | number[][];
  dtype: 'int64' | 'int32';
  options: Record<string, unknown>;
  outShape: number[];
  output: number[];
  weightAfter: number[];
  gradOutput: number[];
  gradWeight: number[];
}
interface Fixture {
  cases: Case[];
  reprs: [[number, number], Record<string, unknown>, string][];
  errors: { indices: number[]; dtype: string; paddingIdx: number | null; message: string }[];
}
const fixture = loadFixture<Fixture>('embedding');
const F = torch.nn.functional;

describe('F.embedding against PyTorch', () => {
  for (const c of fixture.cases) {
    it(`${JSON.stringify(c.indices)} ${c.dtype} ${JSON.stringify(c.options)}`, () => {
      const w = torch.tensor(c.weight).reshape(c.weightShape).detach().requiresGrad_(true);
      const idx = torch.tensor(c.indices as number[], { dtype: c.dtype });
      const out = F.embedding(idx, w, c.options);
      expect(out.shape).toEqual(c.outShape);
      expectClose(out, c.output, { rtol: 1e-6, atol: 1e-6, label: 'output' });
      expectClose(w, c.weightAfter, { rtol: 1e-6, atol: 1e-6, label: 'weight after' });
      out.backward(torch.tensor(c.gradOutput).reshape(c.outShape));
      expectClose(w.grad as torch.Tensor, c.gradWeight, { rtol: 1e-6, atol: 1e-6, label: 'grad weight' });
    });
  }
  for (const e of fixture.errors) {
    it(`refuses ${JSON.stringify(e.indices)} (${e.dtype}, padding ${String(e.paddingIdx)}): ${e.message}`, () => {
      const idx = torch.tensor(e.indices, { dtype: e.dtype as 'int64' | 'float32' });
      expect(() => F.embedding(idx, torch.randn([10, 3]), { paddingIdx: e.paddingIdx })).toThrow(e.message);
    });
  }
});

describe('nn.Embedding', () => {
  for (const [[n, d], options, repr] of fixture.reprs) {
    it(repr, () => expect(String(new torch.nn.Embedding(n, d, options))).toBe(repr));
  }

  it('draws N(0, 1) weights with the padding row zeroed, keyed weight', () => {
    torch.manualSeed(0);
    const m = new torch.nn.Embedding(1000, 16, { paddingIdx: 3 });
    expect(Object.keys(m.stateDict())).toEqual(['weight']);
    const w = m.weight;
    expect(w.narrow(0, 3, 1).abs().sum().item()).toBe(0);
    expect(Math.abs(w.mean().item())).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(w.mul(w).mean().item()) - 1)).toBeLessThan(0.02);
    const out = m.forward(torch.tensor([[3, 4]], { dtype: 'int64' }));
    expect(out.shape).toEqual([1, 2, 16]);
    out.sum().backward();
    expect((w.grad as torch.Tensor).narrow(0, 3, 1).abs().sum().item()).toBe(0);
    expect((w.grad as torch.Tensor).narrow(0, 4, 1).sum().item()).toBe(16);
  });

  it('fromPretrained freezes by default', () => {
    const e = torch.nn.Embedding.fromPretrained(torch.tensor([[1, 2], [3, 4]]));
    expect(e.weight.requiresGrad).toBe(false);
    expect(e.forward(torch.tensor([1], { dtype: 'int64' })).tolist()).toEqual([[3, 4]]);
    expect(torch.nn.Embedding.fromPretrained(torch.ones([2, 2]), { freeze: false }).weight.requiresGrad).toBe(true);
  });

  it('passes gradcheck (without a padding row, which by design gets no gradient)', () => {
    const idx = torch.tensor([[0, 2, 2], [1, 0, 3]], { dtype: 'int64' });
    expectGradcheck((w) => F.embedding(idx, w), [torch.randn([4, 3]).requiresGrad_(true)]);
  });
});
