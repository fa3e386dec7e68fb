/**
 * `nn.Conv1d` / `nn.Conv2d` with `paddingMode` 'reflect', 'replicate' and 'circular' against
 * PyTorch (`__test__/fixtures/pad.json` `convs`, scripts/fixtures/make_pad_fixtures.py): the
 * module pads its input with `F.pad` (PyTorch's `_reversed_padding_repeated_twice`, 'same' split
 * with the extra element after) and convolves without padding. Repr, output and gradients.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';

interface ConvCase {
  module: 'Conv1d' | 'Conv2d';
  inChannels: number;
  outChannels: number;
  kernelSize: number | number[];
  options: Record<string, unknown>;
  repr: string;
  weight: number[];
  weightShape: number[];
  bias: number[];
  shape: number[];
  input: number[];
  outShape: number[];
  output: number[];
  gradOutput: number[];
  gradInput: number[];
  gradWeight: number[];
  gradBias: number[];
}
const fixture = loadFixture<{ convs: ConvCase[] }>('pad');
const make = (values: number[], shape: number[], requiresGrad = false) => torch.tensor(values).reshape(shape).detach().requiresGrad_(requiresGrad);

describe('convolution padding modes against PyTorch', () => {
  for (const c of fixture.convs) {
    it(c.repr, () => {
      const Ctor = torch.nn[c.module] as unknown as new (i: number, o: number, k: unknown, opts: object) => torch.nn.Conv2d;
      const m = new Ctor(c.inChannels, c.outChannels, c.kernelSize, c.options);
      expect(String(m)).toBe(c.repr);
      torch.noGrad(() => {
        m.weight.copy_(make(c.weight, c.weightShape));
        (m.bias as torch.Tensor).copy_(make(c.bias, [c.bias.length]));
      });
      const x = make(c.input, c.shape, true);
      const out = m.forward(x);
      expect(out.shape).toEqual(c.outShape);
      expectClose(out, c.output, { rtol: 1e-5, atol: 1e-5, label: 'output' });
      out.backward(make(c.gradOutput, c.outShape));
      expectClose(x.grad as torch.Tensor, c.gradInput, { rtol: 1e-5, atol: 1e-5, label: 'grad input' });
      expectClose(m.weight.grad as torch.Tensor, c.gradWeight, { rtol: 1e-5, atol: 1e-4, label: 'grad weight' });
      expectClose(m.bias?.grad as torch.Tensor, c.gradBias, { rtol: 1e-5, atol: 1e-4, label: 'grad bias' });
    });
  }
});
