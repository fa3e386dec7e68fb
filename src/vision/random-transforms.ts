/**
 * Random augmentations, as torchvision's: `RandomHorizontalFlip`, `RandomVerticalFlip`,
 * `RandomCrop` on `[..., H, W]` image tensors. The random choices come from kindling's default
 * generator with torchvision's draws (`torch.rand(1) < p`; `torch.randint(0, h − th + 1)` then
 * the same for the width), so `torch.manualSeed` makes an augmented epoch reproducible.
 */
import type { WorkerSource } from '../data/worker-source';
import { rand, randint } from '../creation';
import { describeValue } from '../options';
import { Tensor } from '../tensor';
import type { Transform } from './transforms';

function recipe(exportName: string, args: readonly unknown[]): () => WorkerSource {
  return () => ({ module: __filename, exportName, args });
}

function checkImage(op: string, img: unknown): asserts img is Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`${op}: img should be Tensor. Got ${describeValue(img)}`);
  if (img.shape.length < 2) throw new RangeError(`${op}: expected an image tensor [..., H, W], got shape [${img.shape.join(', ')}]`);
  if (img.dtype !== 'float32' && img.dtype !== 'uint8') throw new TypeError(`${op}: expected a float32 or uint8 image, got ${img.dtype}`);
}

/** Copies `img` ([..., H, W]) through an index map from output (y, x) to input (y, x), or a fill. */
function remap(img: Tensor, outH: number, outW: number, at: (y: number, x: number) => [number, number] | null, fill = 0): Tensor {
  const [h, w] = img.shape.slice(-2);
  const planes = img.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  // Same element type out as in: a uint8 image stays uint8 (crop before ToTensor, as on a PIL image).
  const src = img.data as Float32Array | Uint8Array;
  const out = new (src.constructor as Float32ArrayConstructor | Uint8ArrayConstructor)(planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const from = at(y, x);
        out[(p * outH + y) * outW + x] = from === null ? fill : src[(p * h + from[0]) * w + from[1]];
      }
    }
  }
  return Tensor._make(out, [...img.shape.slice(0, -2), outH, outW], img.dtype);
}

/** `F.hflip`: mirror left-right. */
export function hflip(img: Tensor): Tensor {
  checkImage('hflip', img);
  const [h, w] = img.shape.slice(-2);
  return remap(img, h, w, (y, x) => [y, w - 1 - x]);
}

/** `F.vflip`: mirror top-bottom. */
export function vflip(img: Tensor): Tensor {
  checkImage('vflip', img);
  const [h, w] = img.shape.slice(-2);
  return remap(img, h, w, (y, x) => [h - 1 - y, x]);
}

export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** The input index of padded coordinate `i` (may be outside `[0, n)`) for a padding mode, or null for the fill. */
function padIndex(i: number, n: number, mode: PaddingMode): number | null {
  if (i >= 0 && i < n) return i;
  if (mode === 'constant') return null;
  if (mode === 'edge') return Math.min(Math.max(i, 0), n - 1);
  const period = mode === 'reflect' ? 2 * (n - 1) : 2 * n;
  if (period === 0) return 0;
  let k = ((i % period) + period) % period;
  if (mode === 'reflect') return k < n ? k : period - k;
  return k < n ? k : period - 1 - k;
}

/** `F.pad(img, [left, top, right, bottom], fill, paddingMode)`. */
export function pad(img: Tensor, padding: readonly [number, number, number, number], fill = 0, paddingMode: PaddingMode = 'constant'): Tensor {
  checkImage('pad', img);
  const [left, top, right, bottom] = padding;
  const [h, w] = img.shape.slice(-2);
  if (paddingMode === 'reflect' && (Math.max(left, right) >= w || Math.max(top, bottom) >= h)) {
    throw new RangeError(`pad: reflect padding must be smaller than the image (${h}×${w}), got [${padding.join(', ')}]`);
  }
  return remap(img, h + top + bottom, w + left + right, (y, x) => {
    const sy = padIndex(y - top, h, paddingMode);
    const sx = padIndex(x - left, w, paddingMode);
    return sy === null || sx === null ? null : [sy, sx];
  }, fill);
}

/** `F.crop(img, top, left, height, width)` (regions outside the image are zero, as torchvision's). */
export function crop(img: Tensor, top: number, left: number, height: number, width: number): Tensor {
  checkImage('crop', img);
  const [h, w] = img.shape.slice(-2);
  return remap(img, height, width, (y, x) => {
    const sy = top + y;
    const sx = left + x;
    return sy >= 0 && sy < h && sx >= 0 && sx < w ? [sy, sx] : null;
  });
}

function checkP(op: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: p should be a probability in [0, 1], got ${describeValue(p)}`);
}

/** Mirrors the image left-right with probability `p`. */
export function RandomHorizontalFlip(p = 0.5): Transform<Tensor, Tensor> {
  checkP('RandomHorizontalFlip', p);
  const t: Transform<Tensor, Tensor> = (img) => (rand([1]).item() < p ? hflip(img) : img);
  t.workerSource = recipe('RandomHorizontalFlip', [p]);
  return t;
}

/** Mirrors the image top-bottom with probability `p`. */
export function RandomVerticalFlip(p = 0.5): Transform<Tensor, Tensor> {
  checkP('RandomVerticalFlip', p);
  const t: Transform<Tensor, Tensor> = (img) => (rand([1]).item() < p ? vflip(img) : img);
  t.workerSource = recipe('RandomVerticalFlip', [p]);
  return t;
}

export interface RandomCropOptions {
  /** An int (all sides), `[leftRight, topBottom]` or `[left, top, right, bottom]`. */
  padding?: number | readonly number[] | null;
  padIfNeeded?: boolean;
  fill?: number;
  paddingMode?: PaddingMode;
}

/** A crop of `size` (int or `[h, w]`) at a random place, after optional padding. */
export function RandomCrop(size: number | readonly [number, number], options: RandomCropOptions = {}): Transform<Tensor, Tensor> {
  const [th, tw] = typeof size === 'number' ? [size, size] : size;
  if (![th, tw].every((v) => Number.isInteger(v) && v > 0)) throw new RangeError(`RandomCrop: size should be a positive int or a pair of them, got ${describeValue(size)}`);
  const { padding = null, padIfNeeded = false, fill = 0, paddingMode = 'constant' } = options;
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(paddingMode)) {
    throw new RangeError(`RandomCrop: padding mode should be either constant, edge, reflect or symmetric, got ${describeValue(paddingMode)}`);
  }
  const sides: [number, number, number, number] | null =
    padding === null ? null
      : typeof padding === 'number' ? [padding, padding, padding, padding]
        : padding.length === 2 ? [padding[0], padding[1], padding[0], padding[1]]
          : padding.length === 4 ? [padding[0], padding[1], padding[2], padding[3]]
            : (() => { throw new RangeError(`RandomCrop: padding must be an int or a 1, 2, or 4 element tuple, not a ${padding.length} element tuple`); })();
  const t: Transform<Tensor, Tensor> = (input) => {
    checkImage('RandomCrop', input);
    let img = sides === null ? input : pad(input, sides, fill, paddingMode);
    let [h, w] = img.shape.slice(-2);
    if (padIfNeeded && w < tw) img = pad(img, [tw - w, 0, tw - w, 0], fill, paddingMode);
    if (padIfNeeded && h < th) img = pad(img, [0, th - h, 0, th - h], fill, paddingMode);
    [h, w] = img.shape.slice(-2);
    if (h < th || w < tw) throw new RangeError(`Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    if (h === th && w === tw) return img;
    const i = randint(0, h - th + 1, [1]).item();
    const j = randint(0, w - tw + 1, [1]).item();
    return crop(img, i, j, th, tw);
  };
  t.workerSource = recipe('RandomCrop', [size, options]);
  return t;
}
