import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { MNIST, transforms } from '../../src/vision';
import { DataLoader } from '../../src/data';

// img = torch.arange(12.).reshape(1, 3, 4)
const img = () => torch.arange(12).to('float32').reshape([1, 3, 4]);
const rows = (t: torch.Tensor) => t.tolist();

describe('vision transforms: flips, pad, crop (torchvision.transforms.functional)', () => {
  it('flips', () => {
    expect(rows(transforms.hflip(img()))).toEqual([[[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]]]);
    expect(rows(transforms.vflip(img()))).toEqual([[[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]]);
  });

  it('pads in each mode as torchvision (F.pad(img, [2, 1, 1, 0], padding_mode=...))', () => {
    const x = torch.tensor([[[1, 2, 3], [4, 5, 6]]]);
    expect(rows(transforms.pad(x, [2, 1, 1, 0], 9))).toEqual([[[9, 9, 9, 9, 9, 9], [9, 9, 1, 2, 3, 9], [9, 9, 4, 5, 6, 9]]]);
    expect(rows(transforms.pad(x, [2, 1, 1, 0], 0, 'edge'))).toEqual([[[1, 1, 1, 2, 3, 3], [1, 1, 1, 2, 3, 3], [4, 4, 4, 5, 6, 6]]]);
    expect(rows(transforms.pad(x, [2, 1, 1, 0], 0, 'reflect'))).toEqual([[[6, 5, 4, 5, 6, 5], [3, 2, 1, 2, 3, 2], [6, 5, 4, 5, 6, 5]]]);
    expect(rows(transforms.pad(x, [2, 1, 1, 0], 0, 'symmetric'))).toEqual([[[2, 1, 1, 2, 3, 3], [2, 1, 1, 2, 3, 3], [5, 4, 4, 5, 6, 6]]]);
  });

  it('crops, with zeros outside the image', () => {
    expect(rows(transforms.crop(img(), 1, 2, 2, 3))).toEqual([[[6, 7, 0], [10, 11, 0]]]);
  });
});

describe('RandomCrop, RandomHorizontalFlip', () => {
  it('are reproducible from the seed and keep the shape', () => {
    const t = transforms.Compose([transforms.RandomCrop(28, { padding: 2 }), transforms.RandomHorizontalFlip()]);
    const x = torch.rand([1, 28, 28]);
    const run = () => {
      torch.manualSeed(5);
      return [0, 1, 2, 3].map(() => Array.from(t(x).data));
    };
    const a = run();
    expect(a).toEqual(run());
    expect(t(x).shape).toEqual([1, 28, 28]);
    // Four draws of a 5×5 placement and a flip: not all the same image.
    expect(new Set(a.map((v) => v.join(','))).size).toBeGreaterThan(1);
  });

  it('every crop is a window of the padded image; a flip happens about half the time', () => {
    torch.manualSeed(1);
    const crop = transforms.RandomCrop(2);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(JSON.stringify(rows(crop(img()))));
    // 2 × 3 possible placements in a 3×4 image, all reached.
    expect(seen.size).toBe(6);
    const flip = transforms.RandomHorizontalFlip(0.5);
    let flipped = 0;
    for (let i = 0; i < 400; i++) if ((flip(img()).data as Float32Array)[0] === 3) flipped++;
    expect(Math.abs(flipped - 200)).toBeLessThan(45);
  });

  it('works on uint8 MNIST images before ToTensor, in a DataLoader', () => {
    const t = transforms.Compose([transforms.RandomCrop(28, { padding: 2 }), transforms.RandomHorizontalFlip(), transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
    const ds = new MNIST('.data', { download: true, transform: t });
    const [x] = new DataLoader(ds, { batchSize: 4 })[Symbol.iterator]().next().value as [torch.Tensor, torch.Tensor];
    expect(x.shape).toEqual([4, 1, 28, 28]);
  });

  it('refuses bad arguments', () => {
    expect(() => transforms.RandomCrop(0)).toThrow(RangeError);
    expect(() => transforms.RandomCrop(5)(img())).toThrow(new RangeError('Required crop size (5, 5) is larger than input image size (3, 4)'));
    expect(() => transforms.RandomHorizontalFlip(2)).toThrow(RangeError);
    expect(() => transforms.RandomCrop(2, { padding: [1, 2, 3] })).toThrow('RandomCrop: padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple');
    expect(() => transforms.RandomCrop(2, { paddingMode: 'wrap' as never })).toThrow(/padding mode should be either constant, edge, reflect or symmetric/);
  });
});
