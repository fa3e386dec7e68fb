/**
 * In-place helpers used by initialisation and optimizers: `zero_`, `fill_`, `copy_`, `add_`,
 * `mul_`, `uniform_`, `normal_`. They are not recorded by autograd. Like PyTorch they refuse a
 * leaf that requires grad while grad mode is on (wrap the update in `torch.noGrad`). kindling has
 * no version counters, so it also refuses non-leaf tensors of a recorded graph, whose saved values
 * an in-place write would silently corrupt.
 */
import { checkOptions } from '../options';
import { isGradEnabled } from '../autograd/grad_mode';
import { castArray } from '../dtype';
import { AutogradError, ShapeError } from '../errors';
import { type Generator, generatorOf } from '../random/generator';
import type { Tensor, TensorOrScalar } from '../tensor';
import { sameShape } from './broadcast';
import { BinaryOp } from './kernels';
import { ALPHA_OPTIONS, binaryPlain } from './elementwise';
import { expand } from './shape';
import { kernels } from './kernels';

function guard(op: string, t: Tensor): void {
  if (!isGradEnabled() || !t.requiresGrad) return;
  if (t.isLeaf) throw new AutogradError('a leaf Variable that requires grad is being used in an in-place operation.');
  throw new AutogradError(
    `${op}: in-place operations on a tensor of a recorded graph are not supported (kindling has no version counters); use the out-of-place op or detach() first`,
  );
}

function writeResult(op: string, t: Tensor, result: Tensor): void {
  if (!sameShape(result.shape, t.shape)) {
    throw new ShapeError(`${op}: output with shape [${t.shape.join(', ')}] doesn't match the broadcast shape [${result.shape.join(', ')}]`);
  }
  t.data.set(result.dtype === t.dtype ? result.data : castArray(result.data, t.dtype));
}

/** Fills with zeros. */
export function zero_<T extends Tensor>(t: T): T {
  guard('zero_', t);
  t.data.fill(0);
  return t;
}

/** Fills with `value` (bool tensors store non-zero as 1; int tensors truncate). */
export function fill_<T extends Tensor>(t: T, value: number): T {
  guard('fill_', t);
  if (typeof value !== 'number') throw new TypeError(`fill_: value must be a number, got ${typeof value}`);
  t.data.fill(t.dtype === 'bool' ? (value !== 0 ? 1 : 0) : t.dtype === 'float32' ? value : Math.trunc(value));
  return t;
}

/** Copies `src` (broadcast to this shape, converted to this dtype) into this tensor. */
export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  guard('copy_', t);
  const expanded = sameShape(src.shape, t.shape) ? src : expand(src.detach(), t.shape);
  t.data.set(expanded.dtype === t.dtype ? expanded.data : castArray(expanded.data, t.dtype));
  return t;
}

/** `t += alpha · other` (broadcasting `other` to this shape). */
export function add_<T extends Tensor>(t: T, other: TensorOrScalar, options?: { alpha?: number }): T {
  if (options !== undefined) checkOptions('add_', options, ALPHA_OPTIONS);
  guard('add_', t);
  const alpha = options?.alpha ?? 1;
  const scaled = alpha === 1 ? other : typeof other === 'number' ? other * alpha : binaryPlain(BinaryOp.mul, other, alpha);
  writeResult('add_', t, binaryPlain(BinaryOp.add, t, scaled));
  return t;
}

/** `t *= other` (broadcasting `other` to this shape). */
export function mul_<T extends Tensor>(t: T, other: TensorOrScalar): T {
  guard('mul_', t);
  writeResult('mul_', t, binaryPlain(BinaryOp.mul, t, other));
  return t;
}

function floatOnly(op: string, t: Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new TypeError(`${op}: expected a float32 tensor, got ${t.dtype}`);
  return t.data as Float32Array;
}

/** The `{ generator }` of the random fills; `generatorOf` checks the value. */
const GENERATOR_OPTION = { generator: 'any' } as const;

/** Fills with uniform samples on [from, to) from `generator` (default: the global one). */
export function uniform_<T extends Tensor>(t: T, from = 0, to = 1, options?: { generator?: Generator }): T {
  checkOptions('uniform_', options, GENERATOR_OPTION);
  guard('uniform_', t);
  const out = floatOnly('uniform_', t);
  if (!(from <= to)) throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  generatorOf('uniform_', options?.generator).draw((s, o) => kernels.fillUniform(out, from, to, s, o));
  return t;
}

/** Fills with normal samples N(mean, std²) from `generator` (default: the global one). */
export function normal_<T extends Tensor>(t: T, mean = 0, std = 1, options?: { generator?: Generator }): T {
  checkOptions('normal_', options, GENERATOR_OPTION);
  guard('normal_', t);
  const out = floatOnly('normal_', t);
  if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  generatorOf('normal_', options?.generator).draw((s, o) => kernels.fillNormal(out, mean, std, s, o));
  return t;
}
