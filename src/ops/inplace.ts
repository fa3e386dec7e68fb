/**
 * In-place ops: `zero_`, `fill_`, `copy_`, `add_`, `sub_`, `mul_`, `div_`, `clamp_` (and
 * `clampMin_`/`clampMax_`), `uniform_`, `normal_`. Each writes
 * through the tensor's strides (so a write into a view changes its base, as in PyTorch) and bumps
 * the storage's version counter once (`bumpVersion`), so that backward refuses a tensor saved
 * for it that was modified since. They are not recorded by autograd: like PyTorch they refuse a
 * leaf that requires grad while grad mode is on (wrap the update in `torch.noGrad`), and kindling,
 * which does not differentiate in-place ops, also refuses tensors of a recorded graph.
 */
import { checkOptions, describeValue } from '../options';
import { isGradEnabled } from '../autograd/grad_mode';
import { allocate, canCast, castArray, scalarTo, scalarTypeName, type TypedArray } from '../dtype';
import { AutogradError, ShapeError } from '../errors';
import { type Generator, generatorOf } from '../random/generator';
import { bumpVersion } from '../storage';
import type { Tensor, TensorOrScalar } from '../tensor';
import { sameShape, writeStrided } from './broadcast';
import { BinaryOp } from './kernels';
import { ALPHA_OPTIONS, binaryPlain } from './elementwise';
import { checkWritable, expand } from './shape';
import { clampValues } from './minmax';
import { kernels } from './kernels';

/** The checks of every in-place op: a writable layout, and no leaf or recorded tensor while grad mode is on (also used by the in-place ops of #14). */
export function guard(op: string, t: Tensor): void {
  checkWritable(t);
  if (!isGradEnabled() || !t.requiresGrad) return;
  if (t.isLeaf) throw new AutogradError('a leaf Variable that requires grad is being used in an in-place operation.');
  throw new AutogradError(
    `${op}: in-place operations on a tensor of a recorded graph are not supported (kindling does not differentiate in-place ops yet); use the out-of-place op or detach() first`,
  );
}

/** Writes contiguous `values` (this tensor's dtype and element count) into `t` through its strides. */
function writeValues(t: Tensor, values: TypedArray): void {
  if (t.isContiguous()) (t.data as Float32Array).set(values as Float32Array);
  else writeStrided(t.storage.data, t.storageOffset(), t.shape, t.stride(), values);
  bumpVersion(t);
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
  writeValues(t, result.dtype === t.dtype ? result.data : castArray(result.data, t.dtype, op));
}

/** Sets every element of `t` to `value` (already in `t`'s dtype: a bigint for int64). */
function fillWith(t: Tensor, value: number | bigint): void {
  if (t.isContiguous()) {
    (t.data as { fill(v: number | bigint): unknown }).fill(value);
    bumpVersion(t);
  } else {
    const values = allocate(t.dtype, t.numel(), 'fill_', t.shape);
    (values as { fill(v: number | bigint): unknown }).fill(value);
    writeValues(t, values);
  }
}

/** Fills with zeros. */
export function zero_<T extends Tensor>(t: T): T {
  guard('zero_', t);
  fillWith(t, t.dtype === 'int64' ? 0n : 0);
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
  fillWith(t, scalarTo('fill_', value, t.dtype));
  return t;
}

/**
 * Copies `src` (broadcast to this shape, converted to this dtype) into this tensor. Any dtype may
 * be copied into any other, as PyTorch; a value that does not fit throws (`castArray`).
 */
export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  guard('copy_', t);
  const expanded = sameShape(src.shape, t.shape) ? src : expand(src.detach(), t.shape);
  writeValues(t, expanded.dtype === t.dtype ? expanded.data : castArray(expanded.data, t.dtype, 'copy_'));
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

/** `t −= alpha · other` (broadcasting `other` to this shape). */
export function sub_<T extends Tensor>(t: T, other: TensorOrScalar, options?: { alpha?: number }): T {
  if (options !== undefined) checkOptions('sub_', options, ALPHA_OPTIONS);
  guard('sub_', t);
  if (t.dtype === 'bool' && (typeof other !== 'number' ? other.dtype === 'bool' : false)) {
    throw new TypeError('sub_: Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
  }
  const alpha = options?.alpha ?? 1;
  const scaled = alpha === 1 ? other : typeof other === 'number' ? other * alpha : binaryPlain(BinaryOp.mul, other, alpha);
  writeResult('sub_', t, binaryPlain(BinaryOp.sub, t, scaled));
  return t;
}

/** `t /= other` (true division, broadcasting `other`): an integer tensor refuses the float result, as PyTorch. */
export function div_<T extends Tensor>(t: T, other: TensorOrScalar): T {
  guard('div_', t);
  writeResult('div_', t, binaryPlain(BinaryOp.div, t, other));
  return t;
}

/** Limits `t` to [min, max] in place (either bound may be `null`/omitted, not both). */
export function clamp_<T extends Tensor>(t: T, min?: number | null, max?: number | null): T {
  if (min == null && max == null) throw new TypeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  for (const [name, bound] of [['min', min], ['max', max]] as const) {
    if (bound != null && typeof bound !== 'number') throw new TypeError(`clamp_(): argument '${name}' must be a number, got ${describeValue(bound)}`);
  }
  guard('clamp_', t);
  writeResult('clamp_', t, clampValues(t, min, max));
  return t;
}

/** `t = max(t, min)` in place. */
export function clampMin_<T extends Tensor>(t: T, min: number): T {
  if (typeof min !== 'number') throw new TypeError(`clamp_min_(): argument 'min' must be a number, got ${describeValue(min)}`);
  guard('clamp_min_', t);
  writeResult('clamp_min_', t, clampValues(t, min, null));
  return t;
}

/** `t = min(t, max)` in place. */
export function clampMax_<T extends Tensor>(t: T, max: number): T {
  if (typeof max !== 'number') throw new TypeError(`clamp_max_(): argument 'max' must be a number, got ${describeValue(max)}`);
  guard('clamp_max_', t);
  writeResult('clamp_max_', t, clampValues(t, null, max));
  return t;
}

/** `draw` fills a float32 buffer of `t`'s size: `t`'s own elements when contiguous, else a scratch written back through the strides. */
function drawInto(t: Tensor, draw: (out: Float32Array) => void): void {
  if (t.isContiguous()) {
    draw(t.data as Float32Array);
    bumpVersion(t);
    return;
  }
  const scratch = new Float32Array(t.numel());
  draw(scratch);
  writeValues(t, scratch);
}

/** The `{ generator }` of the random fills; `generatorOf` checks the value. */
const GENERATOR_OPTION = { generator: 'any' } as const;

/** Fills with uniform samples on [from, to) from `generator` (default: the global one). */
export function uniform_<T extends Tensor>(t: T, from = 0, to = 1, options?: { generator?: Generator }): T {
  checkOptions('uniform_', options, GENERATOR_OPTION);
  guard('uniform_', t);
  if (t.dtype !== 'float32') throw new TypeError(`uniform_: expected a float32 tensor, got ${t.dtype}`);
  if (!(from <= to)) throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  const generator = generatorOf('uniform_', options?.generator);
  drawInto(t, (out) => generator.draw((s, o) => kernels.fillUniform(out, from, to, s, o)));
  return t;
}

/** Fills with normal samples N(mean, std²) from `generator` (default: the global one). */
export function normal_<T extends Tensor>(t: T, mean = 0, std = 1, options?: { generator?: Generator }): T {
  checkOptions('normal_', options, GENERATOR_OPTION);
  guard('normal_', t);
  if (t.dtype !== 'float32') throw new TypeError(`normal_: expected a float32 tensor, got ${t.dtype}`);
  if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  const generator = generatorOf('normal_', options?.generator);
  drawInto(t, (out) => generator.draw((s, o) => kernels.fillNormal(out, mean, std, s, o)));
  return t;
}
