/**
 * Image transforms, as `torchvision.transforms`: `ToTensor`, `Normalize`, `Compose`, `Lambda`.
 * Each factory returns a callable transform (`transforms.ToTensor()(image)`), as in torchvision
 * where transforms are callable objects; no `new` needed.
 *
 * Images before `ToTensor` are uint8 tensors of shape [H, W] or [H, W, C] — what torchvision
 * gets from a PIL image or a numpy array (kindling has no PIL).
 *
 * https://pytorch.org/vision/stable/transforms.html
 */
import { typeName } from '../errors';
import { describeValue } from '../options';
import { Tensor } from '../tensor';
import type { WorkerSource } from '../data/worker-source';
import { BYTE_TO_UNIT } from './byte-table';

/** A callable transform from `I` to `O`. */
export interface Transform<I = Tensor, O = Tensor> {
  (input: I): O;
  /** How to rebuild it in a DataLoader worker thread. */
  workerSource?(): WorkerSource;
  /**
   * When defined: on a uint8 image, this transform equals mapping every byte through the
   * returned 256-entry table into a float32 [1, H, W] image. Lets datasets build a whole batch
   * in one pass over their uint8 storage.
   */
  byteLookup?(): Float32Array | undefined;
  /** When defined: applying this transform after a byte table equals using the returned table. */
  composeLookup?(table: Float32Array): Float32Array | undefined;
}

function recipe(exportName: string, args: readonly unknown[]): () => WorkerSource {
  return () => ({ module: __filename, exportName, args });
}

/**
 * Converts a uint8 image [H, W] or [H, W, C] to a float32 [C, H, W] tensor in [0, 1] (divided by
 * 255, computed in float32 as torchvision does). A float32 image is only permuted, not scaled,
 * like a float numpy array in torchvision.
 *
 * @example
 * const t = transforms.ToTensor()(image); // image: uint8 [28, 28] -> float32 [1, 28, 28]
 */
export function ToTensor(): Transform<Tensor, Tensor> {
  const transform: Transform<Tensor, Tensor> = (pic) => toTensor(pic);
  transform.workerSource = recipe('ToTensor', []);
  transform.byteLookup = () => BYTE_TO_UNIT;
  return transform;
}


function toTensor(pic: Tensor): Tensor {
  if (!(pic instanceof Tensor)) {
    throw new TypeError(`pic should be a uint8 or float32 image tensor [H, W] or [H, W, C]. Got ${typeName(pic)}`);
  }
  if (pic.shape.length !== 2 && pic.shape.length !== 3) {
    throw new RangeError(`pic should be 2 or 3 dimensional. Got ${pic.shape.length} dimensions.`);
  }
  const [h, w, c = 1] = pic.shape;
  const out = new Float32Array(h * w * c);
  const src = pic.data as Float32Array | Uint8Array;
  if (pic.dtype === 'uint8') {
    // HWC -> CHW while dividing by 255.
    for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) out[ch * h * w + p] = BYTE_TO_UNIT[src[p * c + ch]];
  } else if (pic.dtype === 'float32') {
    for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) out[ch * h * w + p] = src[p * c + ch];
  } else {
    throw new TypeError(`ToTensor: expected a uint8 or float32 image, got ${pic.dtype}`);
  }
  return new Tensor(out, [c, h, w], 'float32');
}

/**
 * Normalizes a float tensor image (…, C, H, W) channel by channel: `(x - mean[c]) / std[c]`.
 *
 * @example
 * transforms.Normalize([0.1307], [0.3081]) // MNIST's mean and standard deviation
 */
export function Normalize(mean: number | readonly number[], std: number | readonly number[], inplace = false): Transform<Tensor, Tensor> {
  if (typeof inplace !== 'boolean') {
    // An options object here (`{ inplace: true }`) would otherwise be truthy and ignored.
    throw new TypeError(`Normalize: inplace must be a boolean, as in Normalize(mean, std, true), got ${describeValue(inplace)}`);
  }
  const means = Float32Array.from(typeof mean === 'number' ? [mean] : mean);
  const stds = Float32Array.from(typeof std === 'number' ? [std] : std);
  const transform: Transform<Tensor, Tensor> = (tensor) => normalize(tensor, means, stds, inplace);
  transform.workerSource = recipe('Normalize', [Array.from(means), Array.from(stds), inplace]);
  transform.composeLookup = (table) => {
    if (means.length !== 1 || stds.length !== 1) return undefined;
    checkStd(stds);
    return table.map((x) => Math.fround(Math.fround(x - means[0]) / stds[0]));
  };
  return transform;
}

function checkStd(stds: Float32Array): void {
  if (stds.some((s) => s === 0)) {
    throw new RangeError('std evaluated to zero after conversion to torch.float32, leading to division by zero.');
  }
}

function normalize(tensor: Tensor, means: Float32Array, stds: Float32Array, inplace: boolean): Tensor {
  if (!(tensor instanceof Tensor)) throw new TypeError(`img should be Tensor Image. Got ${typeName(tensor)}`);
  if (tensor.dtype !== 'float32') throw new TypeError(`Input tensor should be a float tensor. Got ${tensor.dtype}.`);
  if (tensor.shape.length < 3) {
    throw new RangeError(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${tensor.shape.join(', ')}]`);
  }
  checkStd(stds);
  const channels = tensor.shape[tensor.shape.length - 3];
  for (const [name, values] of [['mean', means], ['std', stds]] as const) {
    if (values.length !== 1 && values.length !== channels) {
      throw new RangeError(`Normalize: ${name} has ${values.length} values, expected 1 or ${channels} (one per channel)`);
    }
  }
  const src = tensor.data as Float32Array;
  const out = inplace ? src : new Float32Array(src.length);
  const plane = tensor.shape[tensor.shape.length - 2] * tensor.shape[tensor.shape.length - 1];
  for (let start = 0, c = 0; start < src.length; start += plane, c = (c + 1) % channels) {
    const m = means[means.length === 1 ? 0 : c];
    const s = stds[stds.length === 1 ? 0 : c];
    for (let p = start; p < start + plane; p++) out[p] = Math.fround(src[p] - m) / s;
  }
  return inplace ? tensor : new Tensor(out, tensor.shape, 'float32');
}

/**
 * Applies transforms one after the other.
 *
 * @example
 * transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])])
 */
export function Compose<I = Tensor, O = Tensor>(list: readonly Transform<never, unknown>[]): Transform<I, O> {
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'function')) {
    throw new TypeError(
      `Compose: expected a list of transforms, as in Compose([ToTensor(), Normalize(mean, std)]), got ${Array.isArray(list) ? `a list holding ${list.map(describeValue).join(', ')}` : describeValue(list)}`,
    );
  }
  const steps = Array.from(list) as unknown as ((x: unknown) => unknown)[];
  const transform: Transform<I, O> = (input) => {
    let x: unknown = input;
    for (const step of steps) x = step(x);
    return x as O;
  };
  transform.workerSource = recipe('Compose', [steps]);
  transform.byteLookup = () => {
    const [first, ...rest] = list;
    let table = first?.byteLookup?.();
    for (const step of rest) {
      if (table === undefined) return undefined;
      table = step.composeLookup?.(table);
    }
    return table;
  };
  return transform;
}

/**
 * Wraps a function as a transform. In DataLoader worker threads the function is rebuilt from its
 * source text, so it must not capture variables (see kindling/data's worker notes).
 *
 * @example
 * transforms.Lambda((x: Tensor) => x.reshape(-1))
 */
export function Lambda<I, O>(lambd: (input: I) => O): Transform<I, O> {
  if (typeof lambd !== 'function') throw new TypeError(`Argument lambd should be callable, got '${typeName(lambd)}'`);
  const transform: Transform<I, O> = (input) => lambd(input);
  transform.workerSource = recipe('Lambda', [lambd]);
  return transform;
}


// Random augmentations and their deterministic functional forms (random-transforms.ts).
export { RandomCrop, RandomHorizontalFlip, RandomVerticalFlip, hflip, vflip, pad, crop, type RandomCropOptions, type PaddingMode } from './random-transforms';
export { rotate, RandomRotation, type RotateOptions, type Interpolation } from './rotate';
