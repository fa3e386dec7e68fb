/**
 * `F.pad` (src/ops/pad.ts) against PyTorch (`__test__/fixtures/pad.json`,
 * scripts/fixtures/make_pad_fixtures.py) in every mode: outputs, input gradients and node names;
 * PyTorch's errors; dtypes, views and gradcheck.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';

interface PadCase {
  shape: number[];
  input: number[];
  pad: number[];
  mode: 'constant' | 'reflect' | 'replicate' | 'circular';
  value: number | null;
  outShape: number[];
  output: number[];
  gradOutput: number[];
  gradInput: number[];
  gradFn: string;
}
const fixture = loadFixture<{ pads: PadCase[] }>('pad');
const F = torch.nn.functional;
const make = (values: number[], shape: number[], requiresGrad = false) => torch.tensor(values).reshape(shape).detach().requiresGrad_(requiresGrad);

describe('F.pad against PyTorch', () => {
  for (const c of fixture.pads) {
    it(`${c.mode} ${JSON.stringify(c.shape)} pad ${JSON.stringify(c.pad)}${c.value === null ? '' : ` value ${c.value}`}`, () => {
      const x = make(c.input, c.shape, true);
      const out = F.pad(x, c.pad, c.mode, c.value);
      expect(out.shape).toEqual(c.outShape);
      expect(out.gradFn?.name).toBe(c.mode === 'circular' ? 'CircularPadBackward0' : c.gradFn);
      // A copy: every output element is an input element (or the fill), bit for bit.
      expectClose(out, make(c.output, c.outShape), { rtol: 0, atol: 0, label: 'output' });
      out.backward(make(c.gradOutput, c.outShape));
      expectClose(x.grad as torch.Tensor, c.gradInput, { rtol: 1e-6, atol: 1e-6, label: 'grad input' });
    });
  }
});

describe('F.pad', () => {
  it('pads integer and bool tensors with the value, cast to the dtype', () => {
    expect(F.pad(torch.tensor([1, 2], { dtype: 'int64' }), [1, 1], 'constant', 7).tolist()).toEqual([7, 1, 2, 7]);
    expect(F.pad(torch.tensor([[1, 2]], { dtype: 'int32' }), [0, 1], 'reflect').tolist()).toEqual([[1, 2, 1]]);
    expect(F.pad(torch.tensor([true], { dtype: 'bool' }), [1, 0]).tolist()).toEqual([false, true]);
  });

  it('reads a non-contiguous view', () => {
    const base = torch.arange(12).reshape([3, 4]).float();
    const t = base.t(); // [4, 3], strided
    expect(F.pad(t, [1, 0], 'replicate').tolist()).toEqual([
      [0, 0, 4, 8],
      [1, 1, 5, 9],
      [2, 2, 6, 10],
      [3, 3, 7, 11],
    ]);
  });

  it('passes gradcheck in every mode', () => {
    for (const [mode, pad] of [
      ['constant', [1, -1, 2, 0]],
      ['reflect', [2, 1, 1, 2]],
      ['replicate', [2, 3, 0, 1]],
      ['circular', [3, 1, 2, 2]],
    ] as const) {
      const x = torch.randn([2, 3, 4]).requiresGrad_(true);
      expectGradcheck((a) => F.pad(a, [...pad], mode), [x]);
    }
  });

  it('refuses bad pads with PyTorch\'s messages', () => {
    const x = torch.randn([1, 1, 3, 3]);
    expect(() => F.pad(x, [1])).toThrow(new RangeError('Padding length must be divisible by 2'));
    expect(() => F.pad(x, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1])).toThrow(
      'Padding length should be less than or equal to two times the input dimension but got padding length 10 and input of dimension 4',
    );
    expect(() => F.pad(x, [1, 1], 'wrap' as never)).toThrow('Unrecognised padding mode wrap');
    expect(() => F.pad(x, [1, 1], 'reflect')).toThrow('Padding size 2 is not supported for 4D input tensor.');
    expect(() => F.pad(torch.randn([3]), [1, 1], 'reflect')).toThrow('Padding size 2 is not supported for 1D input tensor.');
    expect(() => F.pad(x, [1, 1, 1, 1], 'reflect', 2)).toThrow('Padding mode "reflect" doesn\'t take in value argument');
    expect(() => F.pad(torch.randn([1, 3, 3]), [3, 0], 'reflect')).toThrow(
      'Padding size should be less than the corresponding input dimension, but got: padding (3, 0) at dimension 2 of input [1, 3, 3]',
    );
    expect(() => F.pad(torch.randn([1, 3, 3]), [4, 0], 'circular')).toThrow('Padding value causes wrapping around more than once.');
    // PyTorch reads uninitialised memory here; kindling refuses (the crop leaves nothing to wrap).
    expect(() => F.pad(torch.randn([1, 3, 3]), [-3, 1], 'circular')).toThrow('Padding value causes wrapping around more than once.');
    expect(() => F.pad(torch.randn([1, 3, 3]), [-2, 2], 'circular')).toThrow('Padding value causes wrapping around more than once.');
    expect(() => F.pad(torch.randn([2, 0, 3]), [1, 1], 'replicate')).toThrow(
      'Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [2, 0, 3]',
    );
    expect(() => F.pad(x, [-4, 0])).toThrow('pad: padding (-4, 0) leaves dimension 3 of input [1, 1, 3, 3] with a negative size (-1)');
    expect(() => F.pad(x, [1.5, 1])).toThrow(TypeError);
    expect(() => F.pad(x, [1, 1], 'reflect')).toThrow(RangeError);
  });
});
