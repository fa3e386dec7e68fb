/**
 * `batchNorm` (PyTorch's `F.batch_norm`): per-channel normalization of `[N, C, *]` inputs with the
 * batch's statistics (training: the running statistics are updated in place, with PyTorch's
 * unbiased variance) or the running ones (evaluation). The native kernels (`kindling_core::
 * batch_norm`) see `[N, C, L]`; this file owns the checks, the running statistics and autograd
 * (`NativeBatchNormBackward0`).
 */
import { isTracing, traced } from '../autograd/trace';
import { attach, recording } from '../autograd/function';
import { noGrad } from '../autograd/grad_mode';
import { uninitF32 } from '../dtype';
import { ShapeError } from '../errors';
import { checkOptions } from '../options';
import { bumpVersion } from '../storage';
import { Tensor } from '../tensor';
import { kernels, type BatchNormOptions } from './kernels';

export interface BatchNormFunctionalOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Batch statistics (and update the running ones) when true. Default false. */
  training?: boolean;
  /** Weight of the new batch statistic in the running ones. Default 0.1. */
  momentum?: number;
  eps?: number;
}

const tensorOrNull = (v: unknown): string | null => (v === null || v instanceof Tensor ? null : 'a Tensor or null');
const OPTIONS = { weight: tensorOrNull, bias: tensorOrNull, training: 'boolean', momentum: 'number', eps: 'number' } as const;

function checkChannelTensor(name: string, t: Tensor | null | undefined, c: number): void {
  if (t == null) return;
  if (!(t instanceof Tensor)) throw new TypeError(`batch_norm(): argument '${name}' must be Tensor`);
  if (t.numel() !== c) throw new ShapeError(`${name} should contain ${c} elements not ${t.numel()}`);
  if (t.dtype !== 'float32') throw new TypeError(`batch_norm: expected ${name} to be float32, got ${t.dtype}`);
}

/** `(1 − m)·running + m·value`, in place, under no-grad, bumping the version as an in-place op does. */
function blend(running: Tensor, value: Float32Array, m: number, scale = 1): void {
  noGrad(() => {
    const r = running.data as Float32Array;
    for (let i = 0; i < r.length; i++) r[i] = (1 - m) * r[i] + m * value[i] * scale;
    bumpVersion(running);
  });
}

/**
 * `F.batch_norm(input, runningMean, runningVar, { weight, bias, training, momentum, eps })`.
 * `runningMean`/`runningVar` may be null (batch statistics only; then `training` must be true).
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormFunctionalOptions = {},
): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError("batch_norm(): argument 'input' must be Tensor");
  checkOptions('batchNorm', options, OPTIONS);
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (input.dtype !== 'float32') throw new TypeError(`batch_norm: expected a float32 input, got ${input.dtype}`);
  if (input.shape.length < 2) throw new ShapeError(`batch_norm: expected an input of at least 2 dimensions [N, C, *], got [${input.shape.join(', ')}]`);
  const [n, c] = input.shape;
  const l = input.shape.slice(2).reduce((a, b) => a * b, 1);
  if (training && n * l <= 1) {
    throw new RangeError(`Expected more than 1 value per channel when training, got input size [${input.shape.join(', ')}]`);
  }
  checkChannelTensor('running_mean', runningMean, c);
  checkChannelTensor('running_var', runningVar, c);
  checkChannelTensor('weight', weight, c);
  checkChannelTensor('bias', bias, c);
  if (!training && (runningMean === null || runningVar === null)) {
    throw new TypeError('batch_norm: running_mean and running_var are needed when training is false');
  }
  const o: BatchNormOptions = { n, c, l, train: training };
  const x = input.data as Float32Array;
  const mean = new Float32Array(c);
  const invstd = new Float32Array(c);
  if (training) {
    const variance = new Float32Array(c);
    if (n * l > 0) kernels.batchNormStats(x, mean, variance, o);
    for (let i = 0; i < c; i++) invstd[i] = 1 / Math.sqrt(variance[i] + eps);
    const count = n * l;
    if (runningMean !== null) blend(runningMean, mean, momentum);
    if (runningVar !== null) blend(runningVar, variance, momentum, count / (count - 1));
  } else {
    mean.set(runningMean!.data as Float32Array);
    const rv = runningVar!.data as Float32Array;
    for (let i = 0; i < c; i++) invstd[i] = 1 / Math.sqrt(rv[i] + eps);
  }
  const w = weight === null ? null : (weight.data as Float32Array);
  const b = bias === null ? null : (bias.data as Float32Array);
  const y = uninitF32(x.length, 'batch_norm', input.shape);
  kernels.batchNormApply(x, mean, invstd, w, b, y, o);
  const out = Tensor._make(y, input.shape, 'float32');
  if (isTracing()) traced(out, { runningMean, runningVar, training, eps });
  if (recording(input, weight, bias)) {
    const saved = [input, ...(weight === null ? [] : [weight])];
    attach(out, 'NativeBatchNormBackward0', [input, weight, bias], (grad, node) => {
      const gy = grad.data as Float32Array;
      const sums = new Float32Array(2 * c);
      if (training || node.needsGrad(1) || node.needsGrad(2)) kernels.batchNormBackwardReduce(gy, x, mean, invstd, sums, o);
      let gx: Tensor | null = null;
      if (node.needsGrad(0)) {
        const buf = uninitF32(x.length);
        kernels.batchNormBackwardInput(gy, x, mean, invstd, w, sums, buf, o);
        gx = Tensor._make(buf, input.shape, 'float32');
      }
      const gw = node.needsGrad(1) ? Tensor._make(sums.slice(c), [c], 'float32') : null;
      const gb = node.needsGrad(2) ? Tensor._make(sums.slice(0, c), [c], 'float32') : null;
      return [gx, gw, gb];
    }, saved);
  }
  return out;
}
