/**
 * `rotate` against torchvision 0.29 (`__test__/fixtures/transforms.json`,
 * scripts/fixtures/make_transform_fixtures.py): angles 90, 45, −30, 13.7, 180, nearest and
 * bilinear, expand, a center, a fill. Nearest must be exact; bilinear within rtol 2e-5 plus
 * 2e-6 × the image's largest value (each output mixes four pixels with float32 weights whose
 * rounding, ~1e-6 relative where the grid computations differ in order, scales with the pixels
 * mixed), and `RandomRotation` is reproducible from the seed.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { transforms } from '../../src/vision';
import { expectClose, loadFixture } from '../helpers/fixtures';

interface Case { image: string; angle: number; options: Record<string, unknown>; outShape: number[]; output: number[] }
const fixture = loadFixture<{ images: Record<string, { shape: number[]; data: number[] }>; rotate: Case[] }>('transforms');
const image = (name: string) => torch.tensor(fixture.images[name].data).reshape(fixture.images[name].shape);

describe('rotate against torchvision', () => {
  for (const c of fixture.rotate) {
    it(`${c.image} by ${c.angle}° ${JSON.stringify(c.options)}`, () => {
      const out = transforms.rotate(image(c.image), c.angle, c.options as transforms.RotateOptions);
      expect(out.shape).toEqual(c.outShape);
      if (c.options.interpolation === 'nearest') expect(Array.from(out.data)).toEqual(c.output.map(Math.fround));
      else {
        const scale = Math.max(...fixture.images[c.image].data.map(Math.abs));
        expectClose(out, c.output, { rtol: 2e-5, atol: 2e-6 * scale, label: 'bilinear' });
      }
    });
  }
});

describe('RandomRotation', () => {
  it('draws its angle from the generator: same seed, same image; angles within the range', () => {
    const t = transforms.RandomRotation(30, { interpolation: 'bilinear' });
    const x = image('1x7x9');
    const run = () => {
      torch.manualSeed(9);
      return Array.from(t(x).data);
    };
    expect(run()).toEqual(run());
    expect(() => transforms.RandomRotation(-5)).toThrow(new RangeError('If degrees is a single number, it must be positive.'));
    expect(() => transforms.rotate(x, 10, { interpolation: 'bicubic' as never })).toThrow(/interpolation should be 'nearest' or 'bilinear'/);
  });
});
