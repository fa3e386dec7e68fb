/**
 * `torch.var`, `torch.std`, `torch.var_mean`, `torch.std_mean` over all elements or some dims,
 * with `correction` (default 1, Bessel's; `unbiased` is accepted as PyTorch's older spelling)
 * and `keepdim`. Two passes in float64 (mean, then squared deviations), as PyTorch's CPU Welford
 * kernel accumulates float in double. The divisor is max(0, N − correction), so a correction of
 * N or more gives inf (or NaN for zero spread), as PyTorch.
 *
 * Backward follows PyTorch's `var_backward` literally, including its edge cases: the gradient is
 * 2/(N − correction) · grad · (x − mean); over all elements with N − correction ≤ 0 it is
 * grad · (NaN where x equals the mean, else inf). std's gradient is var's of grad / (2·std),
 * with 0 where std is 0 (`std_backward`), so a constant input has gradient 0, not NaN.
 */
import { attach, recording } from '../autograd/function';
import { numelOf, Tensor } from '../tensor';
import { torchName } from '../dtype';
import { typeName } from '../errors';
import { mean } from './reduce';
import { boolOption, checkInput, dimsOf, outputIndex, reducedCount, reducedShape } from './reduce-dims';

export interface VarOptions {
  /** Subtracted from the element count in the divisor (default 1; 0 for the population variance). */
  correction?: number;
  keepdim?: boolean;
  /** PyTorch's older form: `true` is correction 1, `false` correction 0. */
  unbiased?: boolean;
}

type DimArg = number | readonly number[] | null | undefined;

/** `(dim?, options?)` or `(options)` → the dim and options. */
function parseArgs(dim: DimArg | VarOptions, options: VarOptions | undefined): [DimArg, VarOptions] {
  if (typeof dim === 'object' && dim !== null && !Array.isArray(dim)) return [undefined, dim as VarOptions];
  return [dim as DimArg, options ?? {}];
}

function correctionOf(op: string, options: VarOptions): number {
  const { correction, unbiased } = options;
  if (correction !== undefined && unbiased !== undefined) throw new TypeError(`${op}(): cannot take both 'correction' and 'unbiased'`);
  if (unbiased !== undefined) return boolOption(op, 'unbiased', unbiased, true) ? 1 : 0;
  if (correction === undefined) return 1;
  if (typeof correction !== 'number') throw new TypeError(`${op}(): argument 'correction' must be a number, but got ${typeName(correction)}`);
  return correction;
}

/** var (or std, with `root`) of `input` over `dim`, recording `VarBackward0` / `StdBackward0`. */
function moments(op: string, root: boolean, input: Tensor, dimArg: DimArg | VarOptions, optionsArg: VarOptions | undefined): Tensor {
  checkInput(op, input);
  const [dim, options] = parseArgs(dimArg, optionsArg);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${op}(): options must be an object { correction, keepdim }, but got ${typeName(options)}`);
  if (input.dtype !== 'float32') {
    throw new TypeError(`${op}(): std and var only support floating point and complex dtypes, but got ${torchName(input.dtype)}`);
  }
  const correction = correctionOf(op, options);
  const keepdim = boolOption(op, 'keepdim', options.keepdim, false);
  const shape = input.shape;
  const dims = dimsOf(op, shape.length, dim);
  const n = reducedCount(shape, dims);
  const outShape = shape.length === 0 ? [] : reducedShape(shape, dims, keepdim);
  const outN = numelOf(outShape);
  const map = outputIndex(shape, dims);
  const xv = input.data as Float32Array;
  const means = new Float64Array(outN);
  for (let k = 0; k < xv.length; k++) means[map[k]] += xv[k];
  for (let j = 0; j < outN; j++) means[j] /= n;
  const ssd = new Float64Array(outN);
  for (let k = 0; k < xv.length; k++) {
    const dev = xv[k] - means[map[k]];
    ssd[map[k]] += dev * dev;
  }
  const divisor = Math.max(0, n - correction);
  const values = new Float32Array(outN);
  for (let j = 0; j < outN; j++) values[j] = root ? Math.sqrt(ssd[j] / divisor) : ssd[j] / divisor;
  const out = Tensor._make(values, outShape, 'float32');
  if (recording(input)) {
    // PyTorch's special case (NaN/inf) applies only to the reduction over everything.
    const whole = shape.length === 0 || dim === undefined || dim === null;
    const dof = n - correction;
    attach(
      out,
      root ? 'StdBackward0' : 'VarBackward0',
      [input],
      (g) => {
        const gv = g.data as Float32Array;
        const gradIn = new Float32Array(xv.length);
        for (let k = 0; k < xv.length; k++) {
          const j = map[k];
          // std: d std = d var / (2 std), and 0 where std is 0.
          const gVar = root ? (values[j] === 0 ? 0 : gv[j] / (2 * values[j])) : gv[j];
          if (whole && dof <= 0) gradIn[k] = gVar * (xv[k] === Math.fround(means[j]) ? NaN : Infinity);
          else gradIn[k] = (2 / dof) * gVar * (xv[k] - means[j]);
        }
        return [Tensor._make(gradIn, shape, 'float32')];
      },
      [input, out],
    );
  }
  return out;
}

/** `torch.var(input, dim=None, *, correction=1, keepdim=False)`; `variance(x, { correction })` also works. Exported as `var`. */
export function variance(input: Tensor, dim?: DimArg | VarOptions, options?: VarOptions): Tensor {
  return moments('var', false, input, dim, options);
}

/** `torch.std(input, dim=None, *, correction=1, keepdim=False)`: the square root of `var`. */
export function std(input: Tensor, dim?: DimArg | VarOptions, options?: VarOptions): Tensor {
  return moments('std', true, input, dim, options);
}

/** The mean over the same dims, for var_mean/std_mean (checked by `moments` first). */
function meanAlong(input: Tensor, dimArg: DimArg | VarOptions, optionsArg: VarOptions | undefined): Tensor {
  const [dim, options] = parseArgs(dimArg, optionsArg);
  return mean(input, dim ?? undefined, options.keepdim ?? false);
}

/** `torch.var_mean(input, dim=None, *, correction=1, keepdim=False)` → `[var, mean]`. */
export function varMean(input: Tensor, dim?: DimArg | VarOptions, options?: VarOptions): [Tensor, Tensor] {
  const v = moments('var_mean', false, input, dim, options);
  return [v, meanAlong(input, dim, options)];
}

/** `torch.std_mean(input, dim=None, *, correction=1, keepdim=False)` → `[std, mean]`. */
export function stdMean(input: Tensor, dim?: DimArg | VarOptions, options?: VarOptions): [Tensor, Tensor] {
  const s = moments('std_mean', true, input, dim, options);
  return [s, meanAlong(input, dim, options)];
}
