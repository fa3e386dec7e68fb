/**
 * Pooling: `maxPool1d/2d`, `avgPool1d/2d`, `adaptiveAvgPool1d/2d`, `adaptiveMaxPool2d`, with
 * PyTorch's checks, in its order and words. The native kernels pool `planes` row-major planes
 * (every leading dimension, so batched and unbatched inputs are the same call). A 1-D pooling is,
 * as in PyTorch, the 2-D one on `input.unsqueeze(-2)` followed by `squeeze(-2)`, so its graph is
 * PyTorch's (`SqueezeBackward1` over `MaxPool2DWithIndicesBackward0`), and its messages are those
 * of PyTorch's `max_pool1d_with_indices` (the path a pooling that needs a gradient takes).
 */
import { isTracing, traced } from '../autograd/trace';
import { attach, recording } from '../autograd/function';
import { uninitF32 } from '../dtype';
import { ShapeError } from '../errors';
import { checkOptions, type OptionSpec } from '../options';
import { Tensor } from '../tensor';
import { kernels, type Pool2dOptions } from './kernels';
import { mean } from './reduce';
import { squeeze, unsqueeze } from './shape';

/** An int, or a tuple of one int per pooled dimension. */
export type Size1d = number | readonly [number];
export type Size2d = number | readonly [number, number];

export interface MaxPoolOptions<S> {
  /** Default: `kernelSize`. */
  stride?: S | null;
  padding?: S;
  dilation?: S;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

export interface AvgPoolOptions<S> {
  /** Default: `kernelSize`. */
  stride?: S | null;
  padding?: S;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  /** 2-D only in PyTorch; replaces the window size as the divisor. */
  divisorOverride?: number | null;
}

const sizeSpec = (n: number) => (v: unknown): string | null =>
  Number.isInteger(v) || (Array.isArray(v) && v.length === n && v.every(Number.isInteger))
    ? null
    : n === 1
      ? 'an integer or a tuple of one integer'
      : 'an integer or a tuple of two integers';
const MAX_SPEC = (n: number) => ({
  stride: (v: unknown) => (v === null ? null : sizeSpec(n)(v)),
  padding: sizeSpec(n),
  dilation: sizeSpec(n),
  ceilMode: 'boolean',
  returnIndices: 'boolean',
}) as const;
const AVG_SPEC = (n: number): OptionSpec => ({
  stride: (v: unknown) => (v === null ? null : sizeSpec(n)(v)),
  padding: sizeSpec(n),
  ceilMode: 'boolean',
  countIncludePad: 'boolean',
  ...(n === 2 ? { divisorOverride: 'integer|null' as const } : {}),
});
/** The option checks of the 1-D/2-D max and average poolings (shared with their nn modules). */
export const MAX1: OptionSpec = MAX_SPEC(1);
export const MAX2: OptionSpec = MAX_SPEC(2);
export const AVG1: OptionSpec = AVG_SPEC(1);
export const AVG2: OptionSpec = AVG_SPEC(2);

/** `[h, w]` from an int or a pair; `what` names the argument in PyTorch's message. */
function pair(op: string, what: string, v: unknown): [number, number] {
  if (Number.isInteger(v)) return [v as number, v as number];
  if (Array.isArray(v) && v.length === 2 && v.every(Number.isInteger)) return [v[0], v[1]];
  throw new TypeError(`${op}: ${what} must either be a single int, or a tuple of two ints`);
}

function single(op: string, what: string, v: unknown): number {
  if (Number.isInteger(v)) return v as number;
  if (Array.isArray(v) && v.length === 1 && Number.isInteger(v[0])) return v[0];
  throw new TypeError(`${op}: ${what} must either be a single int, or a tuple of one int`);
}

function checkTensor(x: unknown, op: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor`);
  if (x.dtype !== 'float32') throw new TypeError(`"${op}" not implemented for '${x.dtype === 'int64' ? 'Long' : x.dtype}'`);
}

/** PyTorch's `pooling_output_shape`, with its checks. */
function outputSize(len: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  if (stride === 0) throw new RangeError('stride should not be zero');
  if (pad < 0) throw new RangeError(`pad must be non-negative, but got pad: ${pad}`);
  if (pad > Math.trunc(((k - 1) * dilation + 1) / 2)) {
    throw new RangeError(`pad should be at most half of effective kernel size, but got pad=${pad}, kernel_size=${k} and dilation=${dilation}`);
  }
  let n = Math.floor((len + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (n - 1) * stride >= len + pad) n--;
  return n;
}

interface Geometry extends Pool2dOptions {
  lead: number[];
}

/** The 2-D checks of `max_pool2d`/`avg_pool2d` (PyTorch's `pool2d_shape_check` and friends). */
function geometry2d(
  x: Tensor,
  k: [number, number],
  s: [number, number],
  p: [number, number],
  d: [number, number],
  ceil: boolean,
): Geometry {
  const rank = x.shape.length;
  if (rank !== 3 && rank !== 4) throw new ShapeError('non-empty 3D or 4D (batch mode) tensor expected for input');
  const [inH, inW] = x.shape.slice(rank - 2);
  const outH = outputSize(inH, k[0], p[0], s[0], d[0], ceil);
  const outW = outputSize(inW, k[1], p[1], s[1], d[1], ceil);
  if (k[0] <= 0 || k[1] <= 0) throw new RangeError(`kernel size should be greater than zero, but got kH: ${k[0]} kW: ${k[1]}`);
  if (s[0] <= 0 || s[1] <= 0) throw new RangeError(`stride should be greater than zero, but got dH: ${s[0]} dW: ${s[1]}`);
  if (d[0] <= 0 || d[1] <= 0) throw new RangeError(`dilation should be greater than zero, but got dilationH: ${d[0]} dilationW: ${d[1]}`);
  const lead = x.shape.slice(0, rank - 2);
  if (lead.slice(lead.length - 1).some((n) => n === 0) || inH === 0 || inW === 0) {
    throw new ShapeError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[${x.shape.join(', ')}]`);
  }
  if (outH < 1 || outW < 1) {
    const c = lead[lead.length - 1];
    throw new ShapeError(`Given input size: (${c}x${inH}x${inW}). Calculated output size: (${c}x${outH}x${outW}). Output size is too small`);
  }
  let planes = 1;
  for (const n of lead) planes *= n;
  return {
    lead, planes, inH, inW, outH, outW,
    kernelH: k[0], kernelW: k[1], strideH: s[0], strideW: s[1], padH: p[0], padW: p[1],
    dilationH: d[0], dilationW: d[1], countIncludePad: true, divisorOverride: 0,
  };
}

function int64Of(indices: Int32Array): BigInt64Array {
  const out = new BigInt64Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = BigInt(indices[i]);
  return out;
}

/**
 * Max pooling on a checked geometry; attaches `name`'s backward (a scatter-add by the kernel's
 * Int32 indices). The int64 indices tensor is made only when asked for: converting every index to
 * a BigInt would cost more than the pooling itself.
 */
function maxPoolRun(x: Tensor, g: Geometry, name: string, adaptive: boolean, returnIndices: boolean | undefined): [Tensor, Tensor | null] {
  const n = g.planes * g.outH * g.outW;
  const values = uninitF32(n);
  if (!adaptive && returnIndices !== true && !recording(x)) {
    // No backward and no indices asked for: the values alone (the same values).
    if (n > 0) kernels.maxPool2dValues(x.data as Float32Array, values, g);
    const out = Tensor._make(values, [...g.lead, g.outH, g.outW], 'float32');
    if (isTracing()) traced(out, { pool: g });
    return [out, null];
  }
  const indices = new Int32Array(n);
  if (n > 0) {
    if (adaptive) kernels.adaptiveMaxPool2d(x.data as Float32Array, values, indices, g);
    else kernels.maxPool2d(x.data as Float32Array, values, indices, g);
  }
  const shape = [...g.lead, g.outH, g.outW];
  const out = Tensor._make(values, shape, 'float32');
  if (isTracing()) traced(out, { pool: g });
  const idx = returnIndices === true ? Tensor._make(int64Of(indices), shape, 'int64') : null;
  if (recording(x)) {
    const inPlane = g.inH * g.inW;
    attach(out, name, [x], (grad) => {
      const gradIn = uninitF32(g.planes * inPlane);
      kernels.maxPoolBackward(grad.data as Float32Array, indices, gradIn, g.planes, inPlane, g.outH * g.outW);
      return [Tensor._make(gradIn, x.shape, 'float32')];
    }, [x], true);
  }
  return [out, idx];
}

function withIndices([values, indices]: [Tensor, Tensor | null]): Tensor | [Tensor, Tensor] {
  return indices === null ? values : [values, indices];
}

/** `F.max_pool2d`: `[N, C, H, W]` or `[C, H, W]`; `returnIndices` gives `[values, indices]` (int64, flat in each plane). */
export function maxPool2d(input: Tensor, kernelSize: Size2d, options: MaxPoolOptions<Size2d> & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Size2d, options?: MaxPoolOptions<Size2d>): Tensor;
export function maxPool2d(input: Tensor, kernelSize: Size2d, options: MaxPoolOptions<Size2d> = {}): Tensor | [Tensor, Tensor] {
  checkTensor(input, 'max_pool2d');
  checkOptions('maxPool2d', options, MAX2);
  const k = pair('max_pool2d', 'kernel_size', kernelSize);
  const s = options.stride == null ? k : pair('max_pool2d', 'stride', options.stride);
  const p = pair('max_pool2d', 'padding', options.padding ?? 0);
  const d = pair('max_pool2d', 'dilation', options.dilation ?? 1);
  const g = geometry2d(input, k, s, p, d, options.ceilMode === true);
  return withIndices(maxPoolRun(input, g, 'MaxPool2DWithIndicesBackward0', false, options.returnIndices));
}

/** `F.max_pool1d`: `[N, C, L]` or `[C, L]`. */
export function maxPool1d(input: Tensor, kernelSize: Size1d, options: MaxPoolOptions<Size1d> & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: Size1d, options?: MaxPoolOptions<Size1d>): Tensor;
export function maxPool1d(input: Tensor, kernelSize: Size1d, options: MaxPoolOptions<Size1d> = {}): Tensor | [Tensor, Tensor] {
  const op = 'max_pool1d';
  checkTensor(input, op);
  checkOptions('maxPool1d', options, MAX1);
  const rank = input.shape.length;
  if (rank !== 2 && rank !== 3) {
    throw new ShapeError(`Expected 2 to 3 dimensions, but got ${rank}-dimensional tensor for argument #1 'self' (while checking arguments for max_pool1d)`);
  }
  const k = single(op, 'kernel_size', kernelSize);
  const s = options.stride == null ? k : single(op, 'stride', options.stride);
  const p = single(op, 'padding', options.padding ?? 0);
  const d = single(op, 'dilation', options.dilation ?? 1);
  const x2 = unsqueeze(input, -2);
  const g = geometry2d(x2, [1, k], [1, s], [0, p], [1, d], options.ceilMode === true);
  const [values, indices] = maxPoolRun(x2, g, 'MaxPool2DWithIndicesBackward0', false, options.returnIndices);
  return withIndices([squeeze(values, -2), indices === null ? null : squeeze(indices, -2)]);
}

/** Plain or adaptive average pooling on a checked geometry, with its backward. */
function avgPoolRun(x: Tensor, g: Geometry, adaptive: boolean): Tensor {
  const n = g.planes * g.outH * g.outW;
  const values = uninitF32(n);
  if (n > 0) (adaptive ? kernels.adaptiveAvgPool2d : kernels.avgPool2d)(x.data as Float32Array, values, g);
  const out = Tensor._make(values, [...g.lead, g.outH, g.outW], 'float32');
  if (isTracing()) traced(out, { pool: g });
  if (recording(x)) {
    attach(out, adaptive ? 'AdaptiveAvgPool2DBackward0' : 'AvgPool2DBackward0', [x], (grad) => {
      const gradIn = uninitF32(g.planes * g.inH * g.inW);
      if (n > 0) (adaptive ? kernels.adaptiveAvgPool2dBackward : kernels.avgPool2dBackward)(grad.data as Float32Array, gradIn, g);
      else gradIn.fill(0);
      return [Tensor._make(gradIn, x.shape, 'float32')];
    }, [x]);
  }
  return out;
}

/** `F.avg_pool2d`: `[N, C, H, W]` or `[C, H, W]`. */
export function avgPool2d(input: Tensor, kernelSize: Size2d, options: AvgPoolOptions<Size2d> = {}): Tensor {
  const op = 'avg_pool2d';
  checkTensor(input, op);
  checkOptions('avgPool2d', options, AVG2);
  const k = pair(op, 'kernel_size', kernelSize);
  const s = options.stride == null ? k : pair(op, 'stride', options.stride);
  const p = pair(op, 'padding', options.padding ?? 0);
  const divisor = options.divisorOverride ?? null;
  if (divisor === 0) throw new RangeError('divisor must be not zero');
  const g = geometry2d(input, k, s, p, [1, 1], options.ceilMode === true);
  g.countIncludePad = options.countIncludePad ?? true;
  g.divisorOverride = divisor ?? 0;
  return avgPoolRun(input, g, false);
}

/** `F.avg_pool1d`: `[N, C, L]` or `[C, L]`. */
export function avgPool1d(input: Tensor, kernelSize: Size1d, options: AvgPoolOptions<Size1d> = {}): Tensor {
  const op = 'avg_pool1d';
  checkTensor(input, op);
  checkOptions('avgPool1d', options, AVG1);
  const rank = input.shape.length;
  if (rank !== 2 && rank !== 3) {
    throw new ShapeError(`Expected 2 to 3 dimensions, but got ${rank}-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)`);
  }
  const k = single(op, 'kernel_size', kernelSize);
  const s = options.stride == null ? k : single(op, 'stride', options.stride);
  const p = single(op, 'padding', options.padding ?? 0);
  const x2 = unsqueeze(input, -2);
  const g = geometry2d(x2, [1, k], [1, s], [0, p], [1, 1], options.ceilMode === true);
  g.countIncludePad = options.countIncludePad ?? true;
  return squeeze(avgPoolRun(x2, g, false), -2);
}

/** An adaptive output size: an int, or a pair whose `null` keeps the input's size. */
export type AdaptiveSize2d = number | readonly [number | null, number | null];

function adaptiveGeometry(x: Tensor, op: string, outputSize: unknown, colon: boolean): Geometry {
  const rank = x.shape.length;
  if (rank !== 3 && rank !== 4) throw new ShapeError(`${op}(): Expected 3D or 4D tensor, but got${colon ? ':' : ''} [${x.shape.join(', ')}]`);
  for (let i = 1; i < rank; i++) {
    if (x.shape[i] === 0 && !(rank === 4 && i === 0)) {
      throw new ShapeError(`${op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [${x.shape.join(', ')}] with dimension ${i} being empty`);
    }
  }
  const [inH, inW] = x.shape.slice(rank - 2);
  let outH: number;
  let outW: number;
  if (Number.isInteger(outputSize)) {
    outH = outW = outputSize as number;
  } else if (Array.isArray(outputSize) && outputSize.length === 2 && outputSize.every((v) => v === null || Number.isInteger(v))) {
    outH = outputSize[0] ?? inH;
    outW = outputSize[1] ?? inW;
  } else {
    throw new TypeError(`${op}(): output_size must be an int or a tuple of two ints (or None)`);
  }
  if (outH < 0 || outW < 0) throw new RangeError(`${op}(): elements of output_size must be greater than or equal to 0 but received {${outH}, ${outW}}`);
  const lead = x.shape.slice(0, rank - 2);
  let planes = 1;
  for (const n of lead) planes *= n;
  return {
    lead, planes, inH, inW, outH, outW,
    kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1,
    countIncludePad: true, divisorOverride: 0,
  };
}

/** `F.adaptive_avg_pool2d`: windows `[floor(i·in/out), ceil((i+1)·in/out))`; an output of 1×1 is a mean, as PyTorch's. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize2d): Tensor {
  const op = 'adaptive_avg_pool2d';
  checkTensor(input, op);
  const g = adaptiveGeometry(input, op, outputSize, false);
  if (g.outH === 1 && g.outW === 1) return mean(input, [-1, -2], true);
  return avgPoolRun(input, g, true);
}

/** `F.adaptive_avg_pool1d`: `[N, C, L]` or `[C, L]`. */
export function adaptiveAvgPool1d(input: Tensor, outputSize: Size1d): Tensor {
  const op = 'adaptive_avg_pool1d';
  checkTensor(input, op);
  const rank = input.shape.length;
  if (rank !== 2 && rank !== 3) {
    throw new ShapeError(`Expected 2 to 3 dimensions, but got ${rank}-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_avg_pool1d)`);
  }
  const size = single(op, 'output_size', outputSize);
  return squeeze(adaptiveAvgPool2d(unsqueeze(input, -2), [1, size]), -2);
}

/** `F.adaptive_max_pool2d`; `returnIndices` gives `[values, indices]`. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize2d, options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize2d, options?: { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize2d, options: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  const op = 'adaptive_max_pool2d';
  checkTensor(input, op);
  checkOptions('adaptiveMaxPool2d', options, { returnIndices: 'boolean' });
  const g = adaptiveGeometry(input, op, outputSize, true);
  return withIndices(maxPoolRun(input, g, 'AdaptiveMaxPool2DBackward0', true, options.returnIndices));
}
