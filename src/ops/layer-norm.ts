/**
 * `F.layer_norm` and `F.rms_norm`, as PyTorch's: each input is normalised over its trailing
 * `normalizedShape` dimensions (LayerNorm: mean and biased variance; RMSNorm: root mean square),
 * then scaled by `weight` and (LayerNorm) shifted by `bias`, both of `normalizedShape`. One fused
 * native kernel each way (crates/kindling-core/src/layer_norm); the forward keeps each row's mean
 * and 1/σ for the backward, which gives the input, weight and bias gradients in one pass.
 */
import { isTracing, traced } from '../autograd/trace';
import { attach, recordingAny } from '../autograd/function';
import { recycleF32, uninitF32 } from '../dtype';
import { ShapeError } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { checkTensorArg } from './index-values';
import { kernels, type NormOptions } from './kernels';

/** float32's machine epsilon: RMSNorm's default eps (PyTorch's `torch.finfo(x.dtype).eps`). */
const FLOAT32_EPS = 2 ** -23;

function checkShape(op: string, input: Tensor, normalizedShape: readonly number[], weight: Tensor | null, bias: Tensor | null): void {
  const k = normalizedShape.length;
  const tail = input.shape.slice(input.shape.length - k);
  const shape = `[${normalizedShape.join(', ')}]`;
  if (k === 0 || input.shape.length < k || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(
      `Given normalized_shape=${shape}, expected input with shape [*, ${normalizedShape.join(', ')}], but got input of size[${input.shape.join(', ')}]`,
    );
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t !== null && (t.shape.length !== k || t.shape.some((d, i) => d !== normalizedShape[i]))) {
      throw new ShapeError(`Expected ${name} to be of same shape as normalized_shape, but got ${name} of shape [${t.shape.join(', ')}] and normalized_shape = ${shape}`);
    }
  }
  for (const [name, t] of [['input', input], ['weight', weight], ['bias', bias]] as const) {
    if (t !== null && t.dtype !== 'float32') throw new TypeError(`${op}: ${name} must be float32, got ${t.dtype}`);
  }
}

function normalize(op: string, name: string, input: Tensor, normalizedShape: readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number, rms: boolean): Tensor {
  checkTensorArg(op, input, 'input');
  if (!Array.isArray(normalizedShape) || normalizedShape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TypeError(`${op}: normalized_shape must be a list of non-negative integers, got ${String(normalizedShape)}`);
  }
  checkShape(op, input, normalizedShape, weight, bias);
  const n = numelOf(normalizedShape);
  const rows = n === 0 ? 0 : input.numel() / n;
  const o: NormOptions = { rows, n, eps, rms };
  const x = input.contiguous().data as Float32Array;
  const w = weight === null ? null : (weight.contiguous().data as Float32Array);
  const b = bias === null ? null : (bias.contiguous().data as Float32Array);
  const out = uninitF32(x.length);
  const mean = uninitF32(rows);
  const rstd = uninitF32(rows);
  kernels.layerNorm(x, w, b, out, mean, rstd, o);
  const result = Tensor._make(out, input.shape, 'float32');
  if (isTracing()) traced(result, { normalizedShape, eps });
  const inputs = [input, weight, bias].filter((t): t is Tensor => t !== null);
  if (recordingAny(inputs)) {
    attach(
      result,
      name,
      [input, weight, bias],
      (g, node) => {
        const gx = uninitF32(x.length);
        const gw = weight !== null && weight.requiresGrad ? uninitF32(n) : null;
        const gb = bias !== null && bias.requiresGrad ? uninitF32(n) : null;
        // On a residual stream the input already has a gradient (the skip connection's): the
        // kernel adds it in, in place of the engine's separate sum of the two.
        const sum = node.takePendingGrad(0, x.length);
        kernels.layerNormBackward(g.contiguous().data as Float32Array, x, mean, rstd, w, gx, sum?.data, gw, gb, o);
        if (sum !== null && sum.owned) recycleF32(sum.data);
        return [
          Tensor._make(gx, input.shape, 'float32'),
          gw === null ? null : Tensor._make(gw, (weight as Tensor).shape, 'float32'),
          gb === null ? null : Tensor._make(gb, (bias as Tensor).shape, 'float32'),
        ];
      },
      inputs,
      true, // gx, gw and gb are new buffers, one per input
    );
  }
  return result;
}

/** `torch.nn.functional.layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5)`. */
export function layerNorm(input: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return normalize('layer_norm', 'NativeLayerNormBackward0', input, normalizedShape, weight, bias, eps, false);
}

/** `torch.nn.functional.rms_norm(input, normalized_shape, weight=None, eps=None)`; eps null → float32's machine epsilon. */
export function rmsNorm(input: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, eps: number | null = null): Tensor {
  return normalize('rms_norm', 'RmsNormBackward0', input, normalizedShape, weight, null, eps ?? FLOAT32_EPS, true);
}
