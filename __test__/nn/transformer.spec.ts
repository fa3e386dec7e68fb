/**
 * `nn.TransformerEncoderLayer` / `nn.TransformerEncoder` (src/nn/transformer.ts) against PyTorch
 * (`__test__/fixtures/transformer.json`, scripts/fixtures/make_transformer_fixtures.py), dropout 0:
 * repr, stateDict keys, and from PyTorch's weights the output and the gradients of the input and
 * every parameter — post-norm and pre-norm, relu and gelu, batchFirst, causal and key padding
 * masks, no bias, a 2-layer encoder with a final LayerNorm.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type Encoded, tensorOf } from '../helpers/encoded';
import { expectClose, loadFixture } from '../helpers/fixtures';

type Enc = Encoded;
interface Case {
  name: string;
  dModel: number;
  nhead: number;
  options: Record<string, unknown>;
  layers: number | null;
  finalNorm: boolean;
  repr: string;
  state: Record<string, Enc>;
  x: Enc;
  srcMask: Enc | null;
  keyPaddingMask: Enc | null;
  isCausal: boolean;
  output: number[];
  g: number[];
  gradX: number[];
  grads: Record<string, number[]>;
}
const fixture = loadFixture<{ cases: Case[] }>('transformer');

describe('TransformerEncoderLayer / TransformerEncoder against PyTorch', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const layer = new torch.nn.TransformerEncoderLayer(c.dModel, c.nhead, { ...c.options, dropout: 0 });
      expect(String(layer)).toBe(c.repr);
      const m: torch.nn.TransformerEncoderLayer | torch.nn.TransformerEncoder =
        c.layers === null ? layer : new torch.nn.TransformerEncoder(layer, c.layers, { norm: c.finalNorm ? new torch.nn.LayerNorm(c.dModel) : null });
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.state));
      m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, e]) => [k, tensorOf(e)])));
      const x = tensorOf(c.x, true);
      const out = m.forward(x, {
        srcMask: c.srcMask === null ? null : tensorOf(c.srcMask),
        srcKeyPaddingMask: c.keyPaddingMask === null ? null : tensorOf(c.keyPaddingMask),
        isCausal: c.isCausal,
      });
      expectClose(out, c.output, { rtol: 1e-4, atol: 1e-5, label: 'output' });
      out.mul(torch.tensor(c.g).reshape(out.shape)).sum().backward();
      expectClose(x.grad as torch.Tensor, c.gradX, { rtol: 1e-4, atol: 1e-4, label: 'grad input' });
      const params = Object.fromEntries(m.namedParameters());
      for (const [name, g] of Object.entries(c.grads)) expectClose(params[name].grad as torch.Tensor, g, { rtol: 1e-3, atol: 1e-4, label: `grad ${name}` });
    });
  }
});

describe('TransformerEncoderLayer', () => {
  it('copies the layer for each encoder layer (separate parameters, same values)', () => {
    const layer = new torch.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new torch.nn.TransformerEncoder(layer, 2);
    const [a, b] = [enc.layers[0] as torch.nn.TransformerEncoderLayer, enc.layers[1] as torch.nn.TransformerEncoderLayer];
    expect(a.linear1.weight).not.toBe(b.linear1.weight);
    expect(a.linear1.weight.tolist()).toEqual(layer.linear1.weight.tolist());
    expect(b.linear1.weight.tolist()).toEqual(layer.linear1.weight.tolist());
  });

  it('refuses an unknown activation', () => {
    expect(() => new torch.nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' as never })).toThrow('activation should be relu/gelu, not tanh');
  });
});
