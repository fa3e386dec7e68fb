/**
 * Convolution: `conv1d`, `conv2d` (PyTorch's `F.conv1d`/`F.conv2d`), with PyTorch's checks, in
 * its order and words. One native kernel family (`kindling_core::conv`) computes the forward and
 * the two backwards on `[N, C, H, W]` buffers; a 1-D convolution is the 2-D one at height 1, and
 * an unbatched input is a batch of one, so every form is one call. The backward computes only the
 * gradients the graph needs (the first layer's input never has one).
 */
import { isTracing, traced } from '../autograd/trace';
import { attach, recording } from '../autograd/function';
import { uninitF32 } from '../dtype';
import { ShapeError } from '../errors';
import { checkOptions, type OptionSpec } from '../options';
import { Tensor } from '../tensor';
import { kernels, type Conv2dOptions } from './kernels';

/** An int, or a tuple of one int per convolved dimension. */
export type ConvSize1d = number | readonly [number];
export type ConvSize2d = number | readonly [number, number];

export interface ConvOptions<S> {
  stride?: S;
  /** Ints, or `'valid'` (none) / `'same'` (output as large as the input; stride 1 only). */
  padding?: S | 'valid' | 'same';
  dilation?: S;
  groups?: number;
}

// Tuples of the wrong length pass here: `expand` rejects them with PyTorch's message.
const sizeSpec = (n: number) => (v: unknown): string | null =>
  Number.isInteger(v) || (Array.isArray(v) && v.every(Number.isInteger))
    ? null
    : n === 1
      ? 'an integer or a tuple of one integer'
      : 'an integer or a tuple of two integers';
const CONV_SPEC = (n: number): OptionSpec => ({
  stride: sizeSpec(n),
  padding: (v: unknown) => (v === 'valid' || v === 'same' || typeof v === 'string' ? null : sizeSpec(n)(v)),
  dilation: sizeSpec(n),
  groups: 'integer',
});
/** The option checks of conv1d/conv2d. */
export const CONV1: OptionSpec = CONV_SPEC(1);
export const CONV2: OptionSpec = CONV_SPEC(2);

/** `n` ints from an int or an n-tuple, with PyTorch's message for a wrong length. */
function expand(what: string, v: unknown, n: number): number[] {
  if (Number.isInteger(v)) return new Array<number>(n).fill(v as number);
  if (Array.isArray(v) && v.length === n && v.every(Number.isInteger)) return [...v];
  const shown = Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
  throw new RangeError(`expected ${what} to be a single integer value or a list of ${n} values to match the convolution dimensions, but got ${what}=${shown}`);
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * The checks and sizes of a convolution with `dims` spatial dimensions on a batched input
 * (already unsqueezed when unbatched), as PyTorch's `_convolution` and `check_shape_forward`.
 */
function geometry(
  op: string,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  dims: 1 | 2,
  options: ConvOptions<ConvSize1d | ConvSize2d>,
): Conv2dOptions {
  const stride = expand('stride', options.stride ?? 1, dims);
  const dilation = expand('dilation', options.dilation ?? 1, dims);
  const groups = options.groups ?? 1;
  const ks = weight.shape.slice(2);
  let padBefore: number[];
  let padAfter: number[];
  const padding = options.padding ?? 0;
  if (typeof padding === 'string') {
    if (padding !== 'valid' && padding !== 'same') throw new RangeError(`Invalid padding string: '${padding}'`);
    if (padding === 'valid') {
      padBefore = padAfter = new Array<number>(dims).fill(0);
    } else {
      if (stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
      // PyTorch's _convolution_mode: total d·(k − 1) per dimension, the odd one extra after.
      const total = ks.map((k, i) => dilation[i] * (k - 1));
      padBefore = total.map((t) => Math.floor(t / 2));
      padAfter = total.map((t, i) => t - padBefore[i]);
    }
  } else {
    padBefore = padAfter = expand('padding', padding, dims);
  }
  if (stride.some((s) => s <= 0)) throw new RangeError('non-positive stride is not supported');
  if (padBefore.some((p) => p < 0)) throw new RangeError('negative padding is not supported');
  if (dilation.some((d) => d <= 0)) throw new RangeError(`dilation should be greater than zero, but got ${fmt(dilation)}`);
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError('non-positive groups is not supported');
  const [outChannels, cig] = weight.shape;
  if (outChannels % groups !== 0) {
    throw new ShapeError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${fmt(weight.shape)}] instead`);
  }
  const inChannels = input.shape[1];
  if (inChannels !== cig * groups) {
    throw new ShapeError(`Given groups=${groups}, weight of size ${fmt(weight.shape)}, expected input${fmt(input.shape)} to have ${cig * groups} channels, but got ${inChannels} channels instead`);
  }
  if (bias !== null && (bias.shape.length !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`Given weight of size ${fmt(weight.shape)}, expected bias to be 1-dimensional with ${outChannels} elements, but got bias of size ${fmt(bias.shape)} instead`);
  }
  const spatial = input.shape.slice(2);
  const padded = spatial.map((s, i) => s + padBefore[i] + padAfter[i]);
  const extent = ks.map((k, i) => dilation[i] * (k - 1) + 1);
  if (padded.some((p, i) => p < extent[i])) {
    throw new ShapeError(`Calculated padded input size per channel: (${padded.join(' x ')}). Kernel size: (${extent.join(' x ')}). Kernel size can't be greater than actual input size`);
  }
  const two = (v: number[], fill: number): [number, number] => (dims === 1 ? [fill, v[0]] : [v[0], v[1]]);
  const [inH, inW] = two(spatial, 1);
  const [kernelH, kernelW] = two(ks, 1);
  const [strideH, strideW] = two(stride, 1);
  const [padH, padW] = two(padBefore, 0);
  const [padBottom, padRight] = two(padAfter, 0);
  const [dilationH, dilationW] = two(dilation, 1);
  void op;
  return { batch: input.shape[0], inChannels, inH, inW, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, groups, padBottom, padRight };
}

function checkTensors(op: string, input: unknown, weight: unknown, bias: unknown, dims: 1 | 2): void {
  if (!(input instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' (position 1) must be Tensor, not ${typeName(input)}`);
  if (!(weight instanceof Tensor)) throw new TypeError(`${op}(): argument 'weight' (position 2) must be Tensor, not ${typeName(weight)}`);
  if (bias != null && !(bias instanceof Tensor)) throw new TypeError(`${op}(): argument 'bias' (position 3) must be Tensor, not ${typeName(bias)}`);
  const rank = input.shape.length;
  if (rank !== dims + 1 && rank !== dims + 2) {
    throw new ShapeError(`Expected ${dims + 1}D (unbatched) or ${dims + 2}D (batched) input to ${op}, but got input of size: ${fmt(input.shape)}`);
  }
  if (weight.shape.length !== dims + 2) {
    throw new ShapeError(`${op}: expected weight to be ${dims + 2}-dimensional ([out_channels, in_channels/groups, ${dims === 1 ? 'kW' : 'kH, kW'}]), but got weight of size ${fmt(weight.shape)}`);
  }
  for (const [t, name] of [[input, 'input'], [weight, 'weight'], [bias, 'bias']] as const) {
    if (t instanceof Tensor && t.dtype !== 'float32') {
      throw new TypeError(`${op}: expected ${name} to be float32, got ${t.dtype} (kindling convolves float32 tensors)`);
    }
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
}

/** The convolution on a checked, batched input; attaches `ConvolutionBackward0`. */
function run(input: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dOptions, outShape: number[]): Tensor {
  const x = input.data as Float32Array;
  const w = weight.data as Float32Array;
  const y = uninitF32(outShape.reduce((a, b) => a * b, 1), 'conv', outShape);
  if (y.length > 0) kernels.conv2d(x, w, bias === null ? null : (bias.data as Float32Array), y, g);
  const out = Tensor._make(y, outShape, 'float32');
  if (isTracing()) traced(out, { conv: g });
  if (recording(input, weight, bias)) {
    const saved = [input, weight];
    attach(out, 'ConvolutionBackward0', [input, weight, bias], (grad, node) => {
      const gy = grad.data as Float32Array;
      let gx: Tensor | null = null;
      if (node.needsGrad(0)) {
        const buf = uninitF32(x.length);
        kernels.conv2dBackwardInput(gy, w, buf, g);
        gx = Tensor._make(buf, input.shape, 'float32');
      }
      let gw: Tensor | null = null;
      let gb: Tensor | null = null;
      if (node.needsGrad(1) || node.needsGrad(2)) {
        const wbuf = uninitF32(w.length);
        const bbuf = node.needsGrad(2) ? uninitF32(g.outChannels) : null;
        kernels.conv2dBackwardWeight(gy, x, wbuf, bbuf, g);
        if (node.needsGrad(1)) gw = Tensor._make(wbuf, weight.shape, 'float32');
        if (bbuf !== null) gb = Tensor._make(bbuf, [g.outChannels], 'float32');
      }
      return [gx, gw, gb];
    }, saved, true);
  }
  return out;
}

function convNd(op: string, dims: 1 | 2, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvOptions<ConvSize1d | ConvSize2d>): Tensor {
  checkTensors(op, input, weight, bias, dims);
  checkOptions(op === 'conv1d' ? 'conv1d' : 'conv2d', options, dims === 1 ? CONV1 : CONV2);
  const batched = input.shape.length === dims + 2;
  const x = batched ? input : input.unsqueeze(0);
  const g = geometry(op, x, weight, bias ?? null, dims, options);
  const outH = Math.floor((g.inH + g.padH + g.padBottom - g.dilationH * (g.kernelH - 1) - 1) / g.strideH) + 1;
  const outW = Math.floor((g.inW + g.padW + g.padRight - g.dilationW * (g.kernelW - 1) - 1) / g.strideW) + 1;
  const spatial = dims === 1 ? [outW] : [outH, outW];
  const out = run(x, weight, bias ?? null, g, [g.batch, g.outChannels, ...spatial]);
  return batched ? out : out.squeeze(0);
}

/** `F.conv2d(input, weight, bias?, { stride, padding, dilation, groups })`: `[N, C, H, W]` or `[C, H, W]`. */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions<ConvSize2d> = {}): Tensor {
  return convNd('conv2d', 2, input, weight, bias, options);
}

/** `F.conv1d(input, weight, bias?, { stride, padding, dilation, groups })`: `[N, C, L]` or `[C, L]`. */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions<ConvSize1d> = {}): Tensor {
  return convNd('conv1d', 1, input, weight, bias, options);
}
