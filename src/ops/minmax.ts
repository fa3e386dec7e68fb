/**
 * Elementwise `maximum`, `minimum`, `clamp`, `clampMin` and `clampMax` (native `maximum`/`minimum` binary kernels).
 * Backward masks come from per-element comparisons; the gradient itself is one native multiply.
 * Like PyTorch (2.x as installed for the fixtures), ties in `maximum`/`minimum` split the gradient
 * evenly, and `clamp` passes the gradient strictly inside its bounds (`min < x < max`; a value at
 * a bound gets 0), checked against PyTorch at the edges in
 * `__test__/ops/regressions/gradients-at-the-edges.spec.ts`.
 */
import { isTracing, traced } from '../autograd/trace';
import { attach, recording } from '../autograd/function';
import { allocate } from '../dtype';
import { describeValue } from '../options';
import { Tensor, numelOf, type TensorOrScalar } from '../tensor';
import { broadcastShapes, broadcastStrides, gatherStrided, sameShape } from './broadcast';
import { binaryPlain } from './elementwise';
import { BinaryOp } from './kernels';
import { sumTo } from './shape';

/** `t`'s values read as `shape` (a view when the shapes match, else a broadcast copy). */
function valuesAs(t: Tensor, shape: readonly number[]): ArrayLike<number> {
  if (sameShape(t.shape, shape)) return t.data as Float32Array;
  const out = allocate(t.dtype, numelOf(shape));
  gatherStrided(t.data, shape, broadcastStrides(t.shape, shape), out);
  return out as Float32Array;
}

function extremum(name: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError(`${name}(): arguments must be Tensors`);
  const out = binaryPlain(name === 'maximum' ? BinaryOp.maximum : BinaryOp.minimum, a, b);
  if (recording(a, b)) {
    const node = name === 'maximum' ? 'MaximumBackward0' : 'MinimumBackward0';
    attach(out, node, [a, b], (g, n) => {
      const shape = broadcastShapes(a.shape, b.shape);
      const av = valuesAs(a, shape);
      const bv = valuesAs(b, shape);
      const wa = new Float32Array(av.length);
      for (let i = 0; i < av.length; i++) {
        const wins = name === 'maximum' ? av[i] > bv[i] : av[i] < bv[i];
        wa[i] = wins ? 1 : av[i] === bv[i] ? 0.5 : 0;
      }
      const weightsA = Tensor._make(wa, shape, 'float32');
      return [
        n.needsGrad(0) ? sumTo(binaryPlain(BinaryOp.mul, g, weightsA), a.shape) : null,
        // b's share is whatever a did not take.
        n.needsGrad(1) ? sumTo(binaryPlain(BinaryOp.mul, g, binaryPlain(BinaryOp.sub, Tensor._make(new Float32Array(1).fill(1), [], 'float32'), weightsA)), b.shape) : null,
      ];
    }, [a, b]);
  }
  return out;
}

/** `torch.maximum(a, b)`: elementwise larger value, broadcasting (`MaximumBackward0`). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return extremum('maximum', a, b);
}

/** `torch.minimum(a, b)`: elementwise smaller value, broadcasting (`MinimumBackward0`). */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return extremum('minimum', a, b);
}

/** `torch.clamp(x, min?, max?)`: limits values to [min, max] (`ClampBackward1`). */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError("clamp(): argument 'input' must be Tensor");
  if (min == null && max == null) throw new TypeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  return clampWith(x, min, max, 'ClampBackward1');
}

function checkBound(op: string, name: string, x: unknown, bound: unknown): void {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor, got ${describeValue(x)}`);
  if (typeof bound !== 'number') throw new TypeError(`${op}(): argument '${name}' must be a number, got ${describeValue(bound)}`);
}

/** `torch.clamp_min(x, min)`: `max(x, min)`; the gradient passes where `x > min` (`ClampMinBackward0`). */
export function clampMin(x: Tensor, min: number): Tensor {
  checkBound('clamp_min', 'min', x, min);
  return clampWith(x, min, null, 'ClampMinBackward0');
}

/** `torch.clamp_max(x, max)`: `min(x, max)`; the gradient passes where `x < max` (`ClampMaxBackward0`). */
export function clampMax(x: Tensor, max: number): Tensor {
  checkBound('clamp_max', 'max', x, max);
  return clampWith(x, null, max, 'ClampMaxBackward0');
}

/** The values of `clamp` without autograd (for the in-place forms). */
export function clampValues(x: Tensor, min: number | null | undefined, max: number | null | undefined): Tensor {
  let out: TensorOrScalar = x;
  if (min != null) out = binaryPlain(BinaryOp.maximum, out, min);
  if (max != null) out = binaryPlain(BinaryOp.minimum, out, max);
  return out as Tensor;
}

/** clamp and its one-sided forms: the same values and mask, PyTorch's node name for each. */
function clampWith(x: Tensor, min: number | null | undefined, max: number | null | undefined, node: string): Tensor {
  const result = clampValues(x, min, max);
  if (isTracing()) traced(result, { min: min ?? null, max: max ?? null });
  if (recording(x)) {
    attach(result, node, [x], (g) => {
      // PyTorch's `where(inside, grad, 0)`: a plain +0 outside, where `grad · 0` would give −0 for a negative grad.
      const xv = x.data as Float32Array;
      const gv = g.data as Float32Array;
      const out = new Float32Array(xv.length);
      for (let i = 0; i < xv.length; i++) if ((min == null || xv[i] > min) && (max == null || xv[i] < max)) out[i] = gv[i];
      return [Tensor._make(out, x.shape, 'float32')];
    }, [x]);
  }
  return result;
}
