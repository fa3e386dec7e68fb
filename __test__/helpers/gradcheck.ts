/**
 * Finite-difference gradient checker for kindling ops, reusable by every helper's tests.
 *
 * Signature:
 *   gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options?: GradcheckOptions): GradcheckResult
 *   expectGradcheck(fn, inputs, options?): void   // throws an Error listing the worst mismatches
 *
 * - `fn` maps the inputs to an output of any shape; it must be deterministic (for dropout, pass a
 *   freshly re-seeded generator inside `fn`).
 * - `inputs`: float32 tensors; those with `requiresGrad` are checked (they must be leaves).
 * - The output is reduced to a scalar L = Σ wᵢ·outᵢ with fixed pseudo-random weights wᵢ ∈ [0.5, 1.5]
 *   (so every output element matters). Analytic gradients come from `out.backward(w)` (the explicit
 *   gradient path); numeric ones from central differences (L(x+ε) − L(x−ε)) / 2ε, with L summed in
 *   float64 from float32 outputs.
 * - Options: `eps` (default 1e-2), `atol` (1e-3), `rtol` (1e-2): |analytic − numeric| ≤ atol + rtol·|numeric|.
 */
import { noGrad } from '../../src/autograd/grad_mode';
import { Tensor } from '../../src/tensor';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

export interface GradcheckMismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  ok: boolean;
  mismatches: GradcheckMismatch[];
  /** Largest |analytic − numeric| seen. */
  maxError: number;
}

/** Deterministic weights in [0.5, 1.5) (a small LCG; independent of kindling's generators). */
function weights(n: number): Float32Array {
  const w = new Float32Array(n);
  let state = 12345;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    w[i] = 0.5 + (state >>> 8) / 2 ** 24;
  }
  return w;
}

function weightedSum(out: Tensor, w: Float32Array): number {
  let s = 0;
  for (let i = 0; i < out.data.length; i++) s += out.data[i] * w[i];
  return s;
}

export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-2;
  for (const x of inputs) {
    if (x.dtype !== 'float32') throw new TypeError('gradcheck: inputs must be float32');
    x.grad = null;
  }
  const out = fn(...inputs);
  const w = weights(out.data.length);
  out.backward(new Tensor(w, out.shape.slice(), 'float32'));

  const mismatches: GradcheckMismatch[] = [];
  let maxError = 0;
  inputs.forEach((x, k) => {
    if (!x.requiresGrad) return;
    const data = x.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      const original = data[i];
      data[i] = original + eps;
      const plus = noGrad(() => weightedSum(fn(...inputs), w));
      data[i] = original - eps;
      const minus = noGrad(() => weightedSum(fn(...inputs), w));
      data[i] = original;
      // Divide by the step actually taken in float32, not the nominal one.
      const step = Math.fround(original + eps) - Math.fround(original - eps);
      const numeric = (plus - minus) / step;
      const analytic = x.grad === null ? 0 : x.grad.data[i];
      const error = Math.abs(analytic - numeric);
      maxError = Math.max(maxError, error);
      if (!(error <= atol + rtol * Math.abs(numeric))) mismatches.push({ input: k, index: i, analytic, numeric });
    }
  });
  return { ok: mismatches.length === 0, mismatches, maxError };
}

export function expectGradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options?: GradcheckOptions): void {
  const result = gradcheck(fn, inputs, options);
  if (!result.ok) {
    const worst = result.mismatches
      .slice(0, 5)
      .map((m) => `input ${m.input}[${m.index}]: analytic ${m.analytic}, numeric ${m.numeric}`)
      .join('; ');
    throw new Error(`gradcheck failed (${result.mismatches.length} mismatches, max error ${result.maxError}): ${worst}`);
  }
}
