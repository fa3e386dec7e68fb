/**
 * `rotate` and `RandomRotation`, as torchvision's tensor path: the inverse affine matrix of
 * `_get_inverse_affine_matrix(center, −angle, …)`, the sampling grid of `_gen_affine_grid`, and
 * `grid_sample(…, padding_mode='zeros', align_corners=False)` (nearest or bilinear), with `fill`
 * through a mask channel as `_apply_grid_transform` does. Arithmetic is rounded to float32 where
 * torchvision computes in float32 (`f` below), so nearest-neighbour ties fall the same way.
 */
import type { WorkerSource } from '../data/worker-source';
import { rand } from '../creation';
import { describeValue } from '../options';
import { Tensor } from '../tensor';
import type { Transform } from './transforms';

const f = Math.fround;

export type Interpolation = 'nearest' | 'bilinear';

export interface RotateOptions {
  interpolation?: Interpolation;
  /** Grow the output to hold the whole rotated image. Default false. */
  expand?: boolean;
  /** `[x, y]` in pixels; default the image centre. */
  center?: readonly [number, number] | null;
  /** Value outside the rotated image. Default 0. */
  fill?: number | null;
}

/** torchvision's `_get_inverse_affine_matrix(center, angle, [0, 0], 1, [0, 0])`. */
function inverseRotation(cx: number, cy: number, angle: number): number[] {
  const rot = (angle * Math.PI) / 180;
  const [a, b, c, d] = [Math.cos(rot), -Math.sin(rot), Math.sin(rot), Math.cos(rot)];
  const m = [d, -b, 0, -c, a, 0];
  m[2] += m[0] * -cx + m[1] * -cy;
  m[5] += m[3] * -cx + m[4] * -cy;
  m[2] += cx;
  m[5] += cy;
  return m;
}

/** torchvision's `_compute_affine_output_size`: the rotated corners' bounding box. */
function expandedSize(m: number[], w: number, h: number): [number, number] {
  const t = m.map(f);
  const pts = [[-0.5 * w, -0.5 * h], [-0.5 * w, 0.5 * h], [0.5 * w, 0.5 * h], [0.5 * w, -0.5 * h]];
  const xs = pts.map(([x, y]) => f(f(f(x * t[0]) + f(y * t[1])) + t[2]));
  const ys = pts.map(([x, y]) => f(f(f(x * t[3]) + f(y * t[4])) + t[5]));
  const tol = 1e-4;
  const size = (vals: number[], half: number) => {
    const max = f(Math.max(...vals) + half);
    const min = f(Math.min(...vals) + half);
    return Math.ceil(Math.trunc(f(max / tol)) * tol) - Math.floor(Math.trunc(f(min / tol)) * tol);
  };
  return [Math.trunc(size(xs, w * 0.5)), Math.trunc(size(ys, h * 0.5))];
}

/** torch.linspace(start, end, steps) in float32 (its two-sided formula). */
function linspace(start: number, end: number, steps: number): number[] {
  const step = f((end - start) / (steps - 1));
  const half = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) => (steps === 1 ? f(start) : i < half ? f(start + f(step * i)) : f(end - f(step * (steps - 1 - i)))));
}

/** `TF.rotate(img, angle, …)` on a float32 image `[..., H, W]`: counter-clockwise degrees. */
export function rotate(img: Tensor, angle: number, options: RotateOptions = {}): Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`rotate: img should be Tensor. Got ${describeValue(img)}`);
  if (img.dtype !== 'float32') throw new TypeError(`rotate: expected a float32 image (use ToTensor first), got ${img.dtype}`);
  if (img.shape.length < 2) throw new RangeError(`rotate: expected an image tensor [..., H, W], got shape [${img.shape.join(', ')}]`);
  const { interpolation = 'nearest', expand = false, center = null, fill = null } = options;
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
    throw new RangeError(`rotate: interpolation should be 'nearest' or 'bilinear', got ${describeValue(interpolation)}`);
  }
  const [h, w] = img.shape.slice(-2);
  const [cx, cy] = center === null ? [0, 0] : [center[0] - w * 0.5, center[1] - h * 0.5];
  const m = inverseRotation(cx, cy, -angle);
  const [ow, oh] = expand ? expandedSize(m, w, h) : [w, h];
  const t = m.map(f);
  // rescaled_theta = thetaᵀ / [0.5·w, 0.5·h]: column j divided by the j-th half size.
  const r = [f(t[0] / f(0.5 * w)), f(t[3] / f(0.5 * h)), f(t[1] / f(0.5 * w)), f(t[4] / f(0.5 * h)), f(t[2] / f(0.5 * w)), f(t[5] / f(0.5 * h))];
  const xg = linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow);
  const yg = linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh);
  const planes = img.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const src = img.data as Float32Array;
  const out = new Float32Array(planes * oh * ow);
  const fillValue = fill ?? 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      // Grid point in normalised coordinates, then grid_sample's unnormalisation (align_corners=False).
      const gx = f(f(f(xg[x] * r[0]) + f(yg[y] * r[2])) + r[4]);
      const gy = f(f(f(xg[x] * r[1]) + f(yg[y] * r[3])) + r[5]);
      const ix = f(f(f(f(gx + 1) * w) - 1) / 2);
      const iy = f(f(f(f(gy + 1) * h) - 1) / 2);
      for (let p = 0; p < planes; p++) {
        const plane = p * h * w;
        const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? src[plane + yy * w + xx] : 0);
        const inside = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? 1 : 0);
        let v: number;
        let mask: number;
        if (interpolation === 'nearest') {
          // nearbyint: round half to even.
          const rx = roundHalfEven(ix);
          const ry = roundHalfEven(iy);
          v = at(ry, rx);
          mask = inside(ry, rx);
        } else {
          const x0 = Math.floor(ix);
          const y0 = Math.floor(iy);
          const [wx1, wy1] = [f(ix - x0), f(iy - y0)];
          const [wx0, wy0] = [f(1 - wx1), f(1 - wy1)];
          const nw = f(wx0 * wy0), ne = f(wx1 * wy0), sw = f(wx0 * wy1), se = f(wx1 * wy1);
          v = f(f(f(f(at(y0, x0) * nw) + f(at(y0, x0 + 1) * ne)) + f(at(y0 + 1, x0) * sw)) + f(at(y0 + 1, x0 + 1) * se));
          mask = f(f(f(f(inside(y0, x0) * nw) + f(inside(y0, x0 + 1) * ne)) + f(inside(y0 + 1, x0) * sw)) + f(inside(y0 + 1, x0 + 1) * se));
        }
        if (fill !== null) {
          if (interpolation === 'nearest') v = mask < 0.5 ? fillValue : v;
          else v = f(f(v * mask) + f(f(1 - mask) * fillValue));
        }
        out[(p * oh + y) * ow + x] = v;
      }
    }
  }
  return Tensor._make(out, [...img.shape.slice(0, -2), oh, ow], 'float32');
}

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Rotates by an angle drawn uniformly from `degrees` (a number d means `[−d, d]`). */
export function RandomRotation(degrees: number | readonly [number, number], options: RotateOptions = {}): Transform<Tensor, Tensor> {
  const [lo, hi] = typeof degrees === 'number' ? [-degrees, degrees] : degrees;
  if (typeof degrees === 'number' && degrees < 0) throw new RangeError('If degrees is a single number, it must be positive.');
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`RandomRotation: degrees should be a number or a pair, got ${describeValue(degrees)}`);
  const t: Transform<Tensor, Tensor> = (img) => rotate(img, lo + (hi - lo) * rand([1]).item(), options);
  t.workerSource = (): WorkerSource => ({ module: __filename, exportName: 'RandomRotation', args: [degrees, options] });
  return t;
}
