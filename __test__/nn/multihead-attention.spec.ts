/**
 * `nn.MultiheadAttention` (src/nn/multihead-attention.ts) against PyTorch
 * (`__test__/fixtures/mha.json`, scripts/fixtures/make_mha_fixtures.py): repr, `stateDict` keys
 * and shapes, and — from PyTorch's weights — outputs, attention weights and the gradients of the
 * query and every parameter, with both mask kinds, batchFirst, kdim/vdim, unbatched input, the
 * fused (needWeights false) and explicit paths. Errors as PyTorch words them.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type Encoded, num, tensorOf } from '../helpers/encoded';
import { expectClose, loadFixture } from '../helpers/fixtures';

type Enc = Encoded;
interface Case {
  name: string;
  args: [number, number];
  options: Record<string, unknown>;
  forward: Record<string, unknown>;
  repr: string;
  state: Record<string, Enc>;
  q: Enc;
  k: Enc;
  v: Enc;
  attnMask: Enc | null;
  keyPaddingMask: Enc | null;
  output: Enc;
  weights: Enc | null;
  g: number[];
  gradQ: number[];
  grads: Record<string, number[]>;
}
const fixture = loadFixture<{ cases: Case[] }>('mha');

describe('nn.MultiheadAttention against PyTorch', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const m = new torch.nn.MultiheadAttention(c.args[0], c.args[1], c.options);
      expect(String(m)).toBe(c.repr);
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(c.state));
      for (const [k, e] of Object.entries(c.state)) expect(sd[k].shape).toEqual(e.shape);
      m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, e]) => [k, tensorOf(e)])));
      const q = tensorOf(c.q, true);
      const [out, weights] = m.forward(q, tensorOf(c.k), tensorOf(c.v), {
        ...c.forward,
        attnMask: c.attnMask === null ? null : tensorOf(c.attnMask),
        keyPaddingMask: c.keyPaddingMask === null ? null : tensorOf(c.keyPaddingMask),
      });
      expect(out.shape).toEqual(c.output.shape);
      expectClose(out, c.output.values.map(num), { rtol: 1e-5, atol: 1e-5, label: 'output' });
      if (c.weights === null) expect(weights).toBeNull();
      else {
        expect(weights?.shape).toEqual(c.weights.shape);
        expectClose(weights as torch.Tensor, c.weights.values.map(num), { rtol: 1e-5, atol: 1e-6, label: 'weights' });
      }
      out.mul(torch.tensor(c.g).reshape(out.shape)).sum().backward();
      expectClose(q.grad as torch.Tensor, c.gradQ, { rtol: 1e-4, atol: 1e-5, label: 'grad query' });
      const params = Object.fromEntries(m.namedParameters());
      for (const [name, g] of Object.entries(c.grads)) expectClose(params[name].grad as torch.Tensor, g, { rtol: 1e-4, atol: 1e-5, label: `grad ${name}` });
    });
  }
});

describe('nn.MultiheadAttention', () => {
  it('initialises like PyTorch: Xavier-uniform in-projection, zero biases', () => {
    const m = new torch.nn.MultiheadAttention(16, 4);
    const bound = Math.sqrt(6 / (16 + 48));
    const w = m.in_proj_weight as torch.Tensor;
    expect(w.abs().max().item()).toBeLessThanOrEqual(bound);
    expect(w.abs().max().item()).toBeGreaterThan(bound * 0.9);
    expect((m.in_proj_bias as torch.Tensor).abs().max().item()).toBe(0);
    expect((m.out_proj.bias as torch.Tensor).abs().max().item()).toBe(0);
  });

  it('drops attention weights only in training mode', () => {
    const m = new torch.nn.MultiheadAttention(8, 2, { dropout: 0.5 });
    const x = torch.randn([3, 2, 8]);
    m.eval();
    const [a] = m.forward(x, x, x);
    const [b] = m.forward(x, x, x);
    expect(a.tolist()).toEqual(b.tolist());
    m.train();
    const [c] = m.forward(x, x, x);
    expect(c.tolist()).not.toEqual(a.tolist());
  });

  it('refuses bad arguments with PyTorch\'s messages', () => {
    expect(() => new torch.nn.MultiheadAttention(10, 3)).toThrow('embed_dim must be divisible by num_heads');
    expect(() => new torch.nn.MultiheadAttention(0, 1)).toThrow('embed_dim and num_heads must be greater than 0, got embed_dim=0 and num_heads=1 instead');
    const m = new torch.nn.MultiheadAttention(8, 2);
    const x = torch.randn([3, 2, 8]);
    expect(() => m.forward(x, x, x, { isCausal: true })).toThrow('Need attn_mask if specifying the is_causal hint');
    expect(() => m.forward(torch.randn([3, 2, 6]), x, x)).toThrow('was expecting embedding dimension of 8, but got 6');
    expect(() => m.forward(x, x, x, { attnMask: torch.zeros([3, 4]) })).toThrow('The shape of the 2D attn_mask is [3, 4], but should be (3, 3).');
    expect(() => m.forward(x, x, x, { keyPaddingMask: torch.zeros([2, 4]) })).toThrow('expecting key_padding_mask shape of (2, 3), but got [2, 4]');
    expect(() => m.forward(torch.randn([2, 3, 4, 8]), x, x)).toThrow('query should be unbatched 2D or batched 3D tensor but received 4-D query tensor');
  });
});
