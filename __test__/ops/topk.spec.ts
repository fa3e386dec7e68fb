/**
 * `torch.topk` against PyTorch (`__test__/fixtures/topk.json`, scripts/fixtures/make_topk_fixtures.py):
 * values, indices and input gradients over dims, largest/smallest, ties and NaN; and
 * `torch.multinomial`: reproducible under manualSeed, distributed as its weights (chi-square),
 * without replacement never repeats; errors as PyTorch words them.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';

interface Case {
  input: (number | 'nan')[];
  shape: number[];
  k: number;
  dim: number;
  largest: boolean;
  values: (number | 'nan')[];
  indices: number[];
  outShape: number[];
  gradOutput: number[];
  gradInput: number[];
}
const fixture = loadFixture<{ cases: Case[]; errors: string[] }>('topk');
const num = (v: number | 'nan'): number => (v === 'nan' ? NaN : v);

describe('topk against PyTorch', () => {
  for (const c of fixture.cases) {
    it(`${JSON.stringify(c.shape)} k ${c.k} dim ${c.dim} ${c.largest ? 'largest' : 'smallest'}`, () => {
      const x = torch.tensor(c.input.map(num)).reshape(c.shape).detach().requiresGrad_(true);
      const { values, indices } = x.topk(c.k, c.dim, { largest: c.largest });
      expect(values.shape).toEqual(c.outShape);
      expect(indices.dtype).toBe('int64');
      expect(Array.from(values.data as Float32Array).map((v) => (Number.isNaN(v) ? 'nan' : v))).toEqual(c.values.map((v) => (v === 'nan' ? 'nan' : Math.fround(v))));
      expect(Array.from(indices.data as BigInt64Array, Number)).toEqual(c.indices);
      values.backward(torch.tensor(c.gradOutput).reshape(c.outShape));
      expect(Array.from((x.grad as torch.Tensor).data as Float32Array)).toEqual(c.gradInput);
    });
  }

  it('passes gradcheck', () => {
    // Values at least 0.3 apart: the finite differences (eps 1e-2) never reorder them, where a
    // random input's near-ties made this flaky.
    const x = torch.tensor([[0.3, -1.2, 2.1, 0.9, -0.3], [1.5, 0.0, -0.6, 2.4, -1.8], [-0.9, 1.2, 0.6, -2.1, 1.8]]);
    expectGradcheck((t) => torch.topk(t, 2, 1).values, [x.requiresGrad_(true)]);
  });
});

describe('multinomial', () => {
  it('repeats under manualSeed and follows its weights (chi-square)', () => {
    const w = torch.tensor([0.1, 0.2, 0.3, 0.4]);
    torch.manualSeed(7);
    const a = torch.multinomial(w, 20000, { replacement: true });
    torch.manualSeed(7);
    const b = torch.multinomial(w, 20000, { replacement: true });
    expect(a.tolist()).toEqual(b.tolist());
    const counts = [0, 0, 0, 0];
    for (const i of a.data as BigInt64Array) counts[Number(i)]++;
    const chi2 = counts.reduce((s, c, i) => s + (c - 20000 * [0.1, 0.2, 0.3, 0.4][i]) ** 2 / (20000 * [0.1, 0.2, 0.3, 0.4][i]), 0);
    expect(chi2).toBeLessThan(16.3); // p = 0.001 for 3 degrees of freedom
  });

  it('draws rows of unnormalised weights, without replacement never twice the same', () => {
    const w = torch.tensor([[0, 5, 0, 5], [1, 1, 1, 1]]);
    const s = w.multinomial(2);
    expect(s.shape).toEqual([2, 2]);
    const rows = s.tolist() as number[][];
    expect(rows[0].sort()).toEqual([1, 3]);
    expect(new Set(rows[1]).size).toBe(2);
    expect(torch.multinomial(w, 3, { replacement: true }).tolist()[0].every((i: number) => i === 1 || i === 3)).toBe(true);
  });

  it('refuses bad input with PyTorch\'s messages', () => {
    const [topkRange, negative, zeroSum, tooMany, rank] = fixture.errors;
    expect(() => torch.topk(torch.zeros([3]), 4)).toThrow(topkRange);
    expect(() => torch.multinomial(torch.tensor([0.5, -0.1]), 1)).toThrow(negative);
    expect(() => torch.multinomial(torch.zeros([3]), 1)).toThrow(zeroSum);
    expect(() => torch.multinomial(torch.ones([3]), 4)).toThrow(tooMany);
    expect(() => torch.multinomial(torch.ones([2, 2, 2]), 1)).toThrow(rank);
  });
});
