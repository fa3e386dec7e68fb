/**
 * In-place helpers used by initialisation and optimizers: `zero_`, `fill_`, `copy_`, `add_`,
 * `mul_`, `uniform_`, `normal_`. They are not recorded by autograd. Like PyTorch they refuse a
 * leaf that requires grad while grad mode is on (wrap the update in `torch.noGrad`). kindling has
 * no version counters, so it also refuses non-leaf tensors of a recorded graph, whose saved values
 * an in-place write would silently corrupt.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { canCast, castArray, scalarTo, scalarTypeName } from '../dtype';
import { AutogradError, ShapeError } from '../errors';
import { type Generator, generatorOf } from '../random/generator';
import type { Tensor, TensorOrScalar } from '../tensor';
import { sameShape } from './broadcast';
import { BinaryOp } from './kernels';
import { binaryPlain } from './elementwise';
import { expand } from './shape';
import { kernels } from './kernels';

function guard(op: string, t: Tensor): void {
  if (!isGradEnabled() || !t.requiresGrad) return;
  if (t.isLeaf) throw new AutogradError('a leaf Variable that requires grad is being used in an in-place operation.');
  throw new AutogradError(
    `${op}: in-place operations on a tensor of a recorded graph are not supported (kindling has no version counters); use the out-of-place op or detach() first`,
  );
}

/**
 * Writes an op's result into `t`, by PyTorch's casting rule for in-place ops: the result dtype
 * must cast to `t`'s within its kind or upwards (`canCast`: no float into an integer tensor, no
 * integer into bool), else PyTorch's error; an allowed narrowing (int64 into int32) is checked
 * per value by `castArray`.
 */
function writeResult(op: string, t: Tensor, result: Tensor): void {
  if (!canCast(result.dtype, t.dtype)) {
    throw new TypeError(`${op}: result type ${scalarTypeName(result.dtype)} can't be cast to the desired output type ${scalarTypeName(t.dtype)}`);
  }
  if (!sameShape(result.shape, t.shape)) {
    throw new ShapeError(`${op}: output with shape [${t.shape.join(', ')}] doesn't match the broadcast shape [${result.shape.join(', ')}]`);
  }
  (t.data as Float32Array).set((result.dtype === t.dtype ? result.data : castArray(result.data, t.dtype, op)) as Float32Array);
}

/** Fills with zeros. */
export function zero_<T extends Tensor>(t: T): T {
  guard('zero_', t);
  (t.data as { fill(v: number | bigint): unknown }).fill(t.dtype === 'int64' ? 0n : 0);
  return t;
}

/**
 * Fills with `value` (a number, bigint or boolean) converted as PyTorch converts a scalar: bool
 * stores non-zero as 1, integers truncate, and a value that does not fit (NaN, ±inf, out of
 * range) throws `fill_: value nan cannot be converted to type int32_t without overflow`.
 */
export function fill_<T extends Tensor>(t: T, value: number | bigint | boolean): T {
  guard('fill_', t);
  if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
    throw new TypeError(`fill_: value must be a number, bigint or boolean, got ${value === null ? 'null' : typeof value}`);
  }
  (t.data as { fill(v: number | bigint): unknown }).fill(scalarTo('fill_', value, t.dtype));
  return t;
}

/**
 * Copies `src` (broadcast to this shape, converted to this dtype) into this tensor. Any dtype may
 * be copied into any other, as PyTorch; a value that does not fit throws (`castArray`).
 */
export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  guard('copy_', t);
  const expanded = sameShape(src.shape, t.shape) ? src : expand(src.detach(), t.shape);
  (t.data as Float32Array).set((expanded.dtype === t.dtype ? expanded.data : castArray(expanded.data, t.dtype, 'copy_')) as Float32Array);
  return t;
}

/** `t += alpha · other` (broadcasting `other` to this shape). */
export function add_<T extends Tensor>(t: T, other: TensorOrScalar, options?: { alpha?: number }): T {
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

/** Fills with uniform samples on [from, to) from `generator` (default: the global one). */
export function uniform_<T extends Tensor>(t: T, from = 0, to = 1, options?: { generator?: Generator }): T {
  guard('uniform_', t);
  const out = floatOnly('uniform_', t);
  if (!(from <= to)) throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  generatorOf('uniform_', options?.generator).draw((s, o) => kernels.fillUniform(out, from, to, s, o));
  return t;
}

/** Fills with normal samples N(mean, std²) from `generator` (default: the global one). */
export function normal_<T extends Tensor>(t: T, mean = 0, std = 1, options?: { generator?: Generator }): T {
  guard('normal_', t);
  const out = floatOnly('normal_', t);
  if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  generatorOf('normal_', options?.generator).draw((s, o) => kernels.fillNormal(out, mean, std, s, o));
  return t;
}
