/**
 * `F.scaledDotProductAttention` (src/ops/attention.ts, the fused kernel in
 * crates/kindling-core/src/attention) against PyTorch (`__test__/fixtures/attention.json`,
 * scripts/fixtures/make_attention_fixtures.py): outputs and the gradients of query, key and value
 * with causal masking, bool and float masks (-inf, a fully masked row), broadcast batch dims,
 * scale, 3-D and 2-D inputs. Dropout: reproducible, unbiased, gradient consistent with its mask.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { kernels } from '../../src/ops/kernels';
import { expectClose, loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';

interface Case {
  name: string;
  qShape: number[];
  q: number[];
  kShape: number[];
  k: number[];
  vShape: number[];
  v: number[];
  mask: { dtype: 'bool' | 'float32'; shape: number[]; values: (number | string)[] } | null;
  isCausal: boolean;
  scale: number | null;
  outShape: number[];
  output: number[];
  gradOutput: number[];
  gradQ: number[];
  gradK: number[];
  gradV: number[];
}
const fixture = loadFixture<{ cases: Case[] }>('attention');
const F = torch.nn.functional;
const make = (values: number[], shape: number[], requiresGrad = false) => torch.tensor(values).reshape(shape).detach().requiresGrad_(requiresGrad);

function maskOf(m: Case['mask']): torch.Tensor | null {
  if (m === null) return null;
  if (m.dtype === 'bool') return torch.tensor(m.values.map((v) => v === 1), { dtype: 'bool' }).reshape(m.shape);
  return torch.tensor(m.values.map((v) => (v === '-inf' ? -Infinity : (v as number)))).reshape(m.shape);
}

describe('scaledDotProductAttention against PyTorch', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const [q, k, v] = [make(c.q, c.qShape, true), make(c.k, c.kShape, true), make(c.v, c.vShape, true)];
      const out = F.scaledDotProductAttention(q, k, v, { attnMask: maskOf(c.mask), isCausal: c.isCausal, scale: c.scale });
      expect(out.shape).toEqual(c.outShape);
      expectClose(out, c.output, { rtol: 1e-5, atol: 1e-5, label: 'output' });
      out.backward(make(c.gradOutput, c.outShape));
      expectClose(q.grad as torch.Tensor, c.gradQ, { rtol: 1e-4, atol: 1e-5, label: 'grad query' });
      expectClose(k.grad as torch.Tensor, c.gradK, { rtol: 1e-4, atol: 1e-5, label: 'grad key' });
      expectClose(v.grad as torch.Tensor, c.gradV, { rtol: 1e-4, atol: 1e-5, label: 'grad value' });
    });
  }
});

describe('scaledDotProductAttention', () => {
  it('passes gradcheck with a causal mask, a float mask and broadcast key/value', () => {
    const q = torch.randn([2, 3, 4]).requiresGrad_(true);
    const k = torch.randn([2, 5, 4]).requiresGrad_(true);
    const v = torch.randn([1, 5, 3]).requiresGrad_(true);
    expectGradcheck((a, b, c) => F.scaledDotProductAttention(a, b, c, { isCausal: true }), [q, k, v]);
    const mask = torch.randn([3, 5]);
    expectGradcheck((a, b, c) => F.scaledDotProductAttention(a, b, c, { attnMask: mask, scale: 0.7 }), [q, k, v]);
  });

  it("returns the output in q's memory order for heads split from one projection, as PyTorch", () => {
    torch.manualSeed(3);
    const [B, T, H, D] = [2, 5, 3, 4];
    const C = H * D;
    const heads = (t: torch.Tensor) => t.split(C, 2).map((p) => p.view(B, T, H, D).transpose(1, 2)) as [torch.Tensor, torch.Tensor, torch.Tensor];
    const x = torch.randn([B, T, 3 * C]).requiresGrad_(true);
    const y = F.scaledDotProductAttention(...heads(x), { isCausal: true });
    expect(y.shape).toEqual([B, H, T, D]);
    // PyTorch's strides for this output: (60, 4, 12, 1).
    expect(y.stride()).toEqual([T * H * D, D, H * D, 1]);
    const merged = y.transpose(1, 2).contiguous();
    expect(merged.storage).toBe(y.storage);
    // The same values and gradients as from contiguous copies of the heads.
    const x2 = x.detach().clone().requiresGrad_(true);
    const [q2, k2, v2] = heads(x2).map((t) => t.contiguous());
    const y2 = F.scaledDotProductAttention(q2 as torch.Tensor, k2 as torch.Tensor, v2 as torch.Tensor, { isCausal: true });
    expect(y.tolist()).toEqual(y2.tolist());
    const g = torch.randn([B, T, C]);
    merged.view(B, T, C).backward(g);
    y2.transpose(1, 2).contiguous().view(B, T, C).backward(g);
    expect((x.grad as torch.Tensor).tolist()).toEqual((x2.grad as torch.Tensor).tolist());
    expectGradcheck((a) => F.scaledDotProductAttention(...heads(a), { isCausal: true }).transpose(1, 2).contiguous(), [x.detach().requiresGrad_(true)]);
  });

  it('drops probabilities reproducibly from the generator, unbiased, with a gradient for that mask', () => {
    // Seeded: the mean of 400 draws is a statistical check, its inputs must not depend on what ran before.
    torch.manualSeed(2024);
    const q = torch.randn([2, 2, 6, 4]);
    const k = torch.randn([2, 2, 6, 4]);
    const v = torch.randn([2, 2, 6, 4]);
    const plain = F.scaledDotProductAttention(q, k, v);
    torch.manualSeed(3);
    const a = F.scaledDotProductAttention(q, k, v, { dropoutP: 0.4 });
    torch.manualSeed(3);
    const b = F.scaledDotProductAttention(q, k, v, { dropoutP: 0.4 });
    expect(a.tolist()).toEqual(b.tolist());
    expect(a.tolist()).not.toEqual(plain.tolist());
    // The mean over many draws approaches the output without dropout (inverted dropout).
    let sum = torch.zeros(plain.shape);
    const draws = 400;
    for (let i = 0; i < draws; i++) sum = sum.add(F.scaledDotProductAttention(q, k, v, { dropoutP: 0.4 }));
    expect(sum.div(draws).sub(plain).abs().max().item()).toBeLessThan(0.15);
    const gen = (): torch.Generator => new torch.Generator().manualSeed(11);
    const leaf = (t: torch.Tensor) => t.detach().requiresGrad_(true);
    expectGradcheck((x, y, z) => F.scaledDotProductAttention(x, y, z, { dropoutP: 0.3, generator: gen() }), [leaf(q), leaf(k), leaf(v)]);
  });

  it('gives zeros, not NaN, for a row with every key masked', () => {
    const mask = torch.tensor([[true, true], [false, false]], { dtype: 'bool' });
    const q = torch.randn([2, 3]).requiresGrad_(true);
    const out = F.scaledDotProductAttention(q, torch.randn([2, 3]), torch.randn([2, 4]), { attnMask: mask });
    expect(out.tolist()[1]).toEqual([0, 0, 0, 0]);
    out.sum().backward();
    expect((q.grad as torch.Tensor).tolist()[1]).toEqual([0, 0, 0]);
  });

  it('refuses bad input with clear messages', () => {
    const q = torch.randn([2, 3, 4]);
    const k = torch.randn([2, 5, 4]);
    const v = torch.randn([2, 5, 6]);
    expect(() => F.scaledDotProductAttention(q, k, v, { attnMask: torch.ones([3, 5]), isCausal: true })).toThrow(
      '_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True',
    );
    expect(() => F.scaledDotProductAttention(q, torch.randn([2, 5, 3]), v)).toThrow(
      'scaled_dot_product_attention: key has 3 features per position, expected the query\'s 4 (query [2, 3, 4], key [2, 5, 3], value [2, 5, 6])',
    );
    expect(() => F.scaledDotProductAttention(q, k, torch.randn([2, 4, 6]))).toThrow("scaled_dot_product_attention: value has 4 positions, expected the key's 5");
    expect(() => F.scaledDotProductAttention(q, k, v, { attnMask: torch.randn([4, 5]) })).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1',
    );
    expect(() => F.scaledDotProductAttention(q, k, v, { attnMask: torch.ones([3, 5], { dtype: 'int64' }) })).toThrow(TypeError);
    expect(() => F.scaledDotProductAttention(q, k, v, { dropoutP: 1.5 })).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
    expect(() => F.scaledDotProductAttention(torch.randn([4]), k, v)).toThrow('scaled_dot_product_attention: query must have at least 2 dimensions');
    const m = torch.randn([3, 5]).requiresGrad_(true);
    expect(() => F.scaledDotProductAttention(q, k, v, { attnMask: m })).toThrow('kindling does not compute a gradient for attn_mask');
  });

  it('refuses an in-place change of a saved input before backward', () => {
    const q = torch.randn([3, 4]).requiresGrad_(true);
    const k = torch.randn([5, 4]);
    const out = F.scaledDotProductAttention(q, k, torch.randn([5, 2]));
    k.mul_(2);
    expect(() => out.sum().backward()).toThrow(/modified by an inplace operation/);
  });
});

describe('attention gradients written into the projection they are split from', () => {
  // nanoGPT's block: q, k, v split from one projection, viewed as heads. The backward then writes
  // their gradients straight into the projection's gradient (NOTE [ Attention gradients in the
  // projection's layout ]) unless something else could see the view nodes' gradients.
  const [B, T, H, D] = [2, 5, 3, 4];
  const C = H * D;

  function run(options: { retainQ?: boolean; alsoUseK?: boolean; extraColumns?: number; retainGraph?: boolean } = {}) {
    torch.manualSeed(21);
    const x = torch.randn([B, T, C], { requiresGrad: true });
    const width = 3 * C + (options.extraColumns ?? 0);
    const w = torch.randn([width, C], { requiresGrad: true });
    const qkv = F.linear(x, w);
    const [q, k, v] = qkv.split(C, 2).slice(0, 3).map((t) => t.view([B, T, H, D]).transpose(1, 2)) as [torch.Tensor, torch.Tensor, torch.Tensor];
    if (options.retainQ) q.retainGrad();
    const y = F.scaledDotProductAttention(q, k, v, { isCausal: true });
    let loss = y.mul(torch.randn(y.shape)).sum();
    if (options.alsoUseK) loss = loss.add(k.mul(k).sum());
    const calls = spyCalls(() => {
      loss.backward(undefined, { retainGraph: options.retainGraph ?? false });
      if (options.retainGraph) loss.backward();
    });
    return { x: x.grad as torch.Tensor, w: w.grad as torch.Tensor, q, calls };
  }

  /** How often the into-the-projection kernel ran during `body`. */
  function spyCalls(body: () => void): number {
    const k = kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    const original = k.attentionBackwardIntoStorage as (...a: unknown[]) => unknown;
    let n = 0;
    k.attentionBackwardIntoStorage = (...a: unknown[]) => {
      n++;
      return original(...a);
    };
    try {
      body();
    } finally {
      k.attentionBackwardIntoStorage = original;
    }
    return n;
  }

  const bits = (t: torch.Tensor) => Array.from(new Uint32Array(new Float32Array(t.contiguous().data as Float32Array).buffer));

  it('takes the direct path for the plain block and gives the bits of the path through the views', () => {
    const direct = run();
    expect(direct.calls).toBe(1);
    // A retained q.grad must see its gradient: the views' path, whose sums are the same bits.
    const viaViews = run({ retainQ: true });
    expect(viaViews.calls).toBe(0);
    expect(bits(direct.w)).toEqual(bits(viaViews.w));
    expect(bits(direct.x)).toEqual(bits(viaViews.x));
    expect((viaViews.q.grad as torch.Tensor).shape).toEqual([B, H, T, D]);
  });

  it('goes through the views when another op also reads k, and sums both gradients', () => {
    const both = run({ alsoUseK: true });
    expect(both.calls).toBe(0);
    const alone = run();
    // k's extra term 2k reaches w's rows C … 2C−1 only: the other rows are unchanged.
    const diff = both.w.sub(alone.w);
    expect(diff.narrow(0, 0, C).abs().max().item()).toBe(0);
    expect(diff.narrow(0, 2 * C, C).abs().max().item()).toBe(0);
    expect(diff.narrow(0, C, C).abs().max().item()).toBeGreaterThan(0);
  });

  it('goes through the views when q, k and v do not tile the projection', () => {
    const padded = run({ extraColumns: 2 });
    expect(padded.calls).toBe(0);
    // The unused columns get no gradient.
    expect(padded.w.narrow(0, 3 * C, 2).abs().max().item()).toBe(0);
  });

  it('adds both passes of a retained graph', () => {
    const twice = run({ retainGraph: true });
    expect(twice.calls).toBe(2);
    const once = run();
    expect(twice.w.sub(once.w.mul(2)).abs().max().item()).toBeLessThan(1e-5);
  });
});
