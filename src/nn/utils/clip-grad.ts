/**
 * Gradient clipping, exactly `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`: gradients
 * are modified in place, parameters without a gradient are skipped.
 *
 * Arithmetic follows PyTorch's float32 steps: each gradient's norm and the norm of those norms are
 * float32 (computed in f64, then rounded once), `clip_coef = max_norm / (total_norm + 1e-6)` is
 * PyTorch's `reciprocal(total_norm + 1e-6) * max_norm` in float32, clamped to at most 1 (a NaN
 * coefficient stays NaN, as `torch.clamp` propagates it), and every gradient is multiplied by it,
 * even when it is 1 (as PyTorch does, to avoid a branch).
 */
import { bumpVersion } from '../../storage';
import { Tensor } from '../../tensor';
import { pyFloat } from '../format';
import { checkOptions, describeValue } from '../../options';

export interface ClipGradNormOptions {
  /** The p of the p-norm. Default 2. */
  normType?: NormType;
  /** Throw when the total norm is NaN or infinite instead of scaling by it. Default false. */
  errorIfNonfinite?: boolean;
}

const CLIP_GRAD_NORM_OPTIONS = {
  normType: (v: unknown) => (typeof v === 'number' || v === 'inf' || v === '-inf' ? null : "a number, 'inf' or '-inf'"),
  errorIfNonfinite: 'boolean',
  foreach: { notImplemented: 'the gradients are scaled in one loop', unless: [null, false] },
} as const;

/** A p-norm order: any number, `Infinity`/`-Infinity` (or `'inf'`/`'-inf'` as Python's `float('inf')`). */
export type NormType = number | 'inf' | '-inf';

function gradsOf(op: string, parameters: Tensor | Iterable<Tensor>): Tensor[] {
  if (parameters instanceof Tensor) return parameters.grad === null ? [] : [parameters.grad];
  if (parameters === null || typeof parameters !== 'object' || !(Symbol.iterator in parameters)) {
    throw new TypeError(`${op}: parameters must be a Tensor or an iterable of Tensors, got ${parameters === null ? 'null' : typeof parameters}`);
  }
  const grads: Tensor[] = [];
  for (const p of parameters) {
    if (!(p instanceof Tensor)) throw new TypeError(`${op}: parameters must be Tensors, but one of them is ${p === null ? 'null' : typeof p}`);
    if (p.grad !== null) grads.push(p.grad);
  }
  return grads;
}

function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${op}: ${name} must be a number, got ${typeof value === 'number' ? 'NaN' : typeof value}`);
  }
  return value;
}

function normOrder(op: string, normType: unknown): number {
  if (normType === 'inf') return Infinity;
  if (normType === '-inf') return -Infinity;
  return checkNumber(op, 'normType', normType);
}

/** `torch.linalg.vector_norm(values, p)` of a flat array, in f64 (NaN propagates). */
function vectorNorm(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (p === Infinity || p === -Infinity) {
    if (n === 0) return 0;
    let best = p === Infinity ? -Infinity : Infinity;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(values[i]);
      if (a !== a) return NaN;
      if (p === Infinity ? a > best : a < best) best = a;
    }
    return best;
  }
  let sum = 0;
  if (p === 0) {
    for (let i = 0; i < n; i++) sum += values[i] !== 0 ? 1 : 0;
    return sum;
  }
  if (p === 1) {
    for (let i = 0; i < n; i++) sum += Math.abs(values[i]);
    return sum;
  }
  if (p === 2) {
    for (let i = 0; i < n; i++) sum += values[i] * values[i];
    return Math.sqrt(sum);
  }
  for (let i = 0; i < n; i++) sum += Math.abs(values[i]) ** p;
  return sum ** (1 / p);
}

/**
 * Scales the gradients of `parameters` so that their total `normType`-norm (as if all gradients
 * were one vector) is at most `maxNorm`, and returns that total norm (before clipping) as a 0-d
 * float32 tensor. With `errorIfNonfinite`, a NaN or infinite total norm throws instead.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
 *
 * @example
 * loss.backward();
 * nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * optimizer.step();
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normTypeOrOptions: NormType | ClipGradNormOptions = 2,
  errorIfNonfinite: boolean = false,
): Tensor {
  const op = 'clipGradNorm_';
  let normType: unknown = normTypeOrOptions;
  if (typeof normTypeOrOptions === 'object' && normTypeOrOptions !== null) {
    if (arguments.length > 3) throw new TypeError(`${op}: give errorIfNonfinite in the options object, not as a fourth argument`);
    checkOptions(op, normTypeOrOptions, CLIP_GRAD_NORM_OPTIONS);
    normType = normTypeOrOptions.normType ?? 2;
    errorIfNonfinite = normTypeOrOptions.errorIfNonfinite ?? false;
  } else if (typeof errorIfNonfinite !== 'boolean') {
    throw new TypeError(`${op}: errorIfNonfinite must be a boolean, got ${describeValue(errorIfNonfinite)}`);
  }
  const grads = gradsOf(op, parameters);
  const max = checkNumber(op, 'maxNorm', maxNorm);
  const p = normOrder(op, normType);
  if (grads.length === 0) return new Tensor(new Float32Array(1), [], 'float32');
  const norms = new Float32Array(grads.length);
  for (let i = 0; i < grads.length; i++) norms[i] = vectorNorm(grads[i].data as Float32Array, p);
  const totalNorm = Math.fround(vectorNorm(norms, p));
  if (errorIfNonfinite && !Number.isFinite(totalNorm)) {
    throw new RangeError(
      `The total norm of order ${pyFloat(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
        'To disable this error and scale the gradients by the non-finite norm anyway, set `errorIfNonfinite=false`',
    );
  }
  const denominator = Math.fround(totalNorm + Math.fround(1e-6));
  const coef = Math.fround(Math.fround(1 / denominator) * Math.fround(max));
  const clamped = coef > 1 ? 1 : coef; // NaN stays NaN, like torch.clamp(coef, max=1.0)
  for (const g of grads) {
    const data = g.data as Float32Array;
    // A product of two float32 values is exact in f64, so storing it rounds once, as f32 maths does.
    for (let i = 0; i < data.length; i++) data[i] = data[i] * clamped;
    bumpVersion(g);
  }
  return new Tensor(Float32Array.of(totalNorm), [], 'float32');
}

/**
 * Clamps every gradient of `parameters` into `[-clipValue, clipValue]`, in place (NaN stays NaN).
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_value_.html
 *
 * @example
 * nn.utils.clipGradValue_(model.parameters(), 0.5);
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue_';
  const grads = gradsOf(op, parameters);
  const c = Math.fround(checkNumber(op, 'clipValue', clipValue));
  for (const g of grads) {
    const data = g.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      // clamp_min then clamp_max, as PyTorch: with a negative clipValue everything becomes clipValue.
      let x = data[i];
      if (x < -c) x = -c;
      if (x > c) x = c;
      data[i] = x;
    }
    bumpVersion(g);
  }
}
