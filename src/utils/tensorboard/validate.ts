/**
 * Argument checks of the SummaryWriter methods: wrong kinds are `TypeError`s, wrong values
 * `RangeError`s, each naming the method, the argument, what was expected and what it got.
 */
import { typeName } from '../../errors';
import { Tensor } from '../../tensor';
import { methodName } from './errors';

/** `'abc' (string)`-style description of a bad argument for messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (string)`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${String(value)} (${typeof value})`;
  if (value instanceof Tensor) return `a Tensor of shape [${value.shape.join(', ')}]`;
  return typeName(value);
}

export function fail(kind: 'type' | 'range', method: string, argument: string, expected: string, got: unknown, gotIsText = false): never {
  const message = `${methodName(method)}: argument '${argument}' must be ${expected}, but got ${gotIsText ? String(got) : describeValue(got)}`;
  throw kind === 'type' ? new TypeError(message) : new RangeError(message);
}

export function checkTag(method: string, argument: string, tag: unknown): string {
  if (typeof tag !== 'string') fail('type', method, argument, 'a non-empty string', tag);
  if (tag.length === 0) fail('range', method, argument, 'a non-empty string', tag);
  return tag;
}

/** A step is an int64 in the Event: any safe integer, or undefined for none. */
export function checkStep(method: string, step: unknown): number | undefined {
  if (step === undefined || step === null) return undefined;
  if (typeof step !== 'number' || !Number.isSafeInteger(step)) fail('type', method, 'globalStep', 'an integer', step);
  return step;
}

/** Seconds since the epoch; the current time when undefined. */
export function checkWalltime(method: string, walltime: unknown): number {
  if (walltime === undefined || walltime === null) return Date.now() / 1000;
  if (typeof walltime !== 'number' || !Number.isFinite(walltime)) fail('type', method, 'walltime', 'a finite number of seconds since the epoch', walltime);
  return walltime;
}

/**
 * A scalar: a number (NaN and ±Infinity included: a diverging loss should show as such) or a
 * one-element Tensor, as PyTorch accepts a Python number or a one-element tensor.
 */
export function checkScalar(method: string, argument: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Tensor) {
    if (value.numel() !== 1) fail('range', method, argument, 'a one-element Tensor', value);
    return value.item();
  }
  return fail('type', method, argument, 'a number or a one-element Tensor', value);
}

/** A plain object (not an array, Map or class instance), as PyTorch's `dict` arguments. */
export function checkDict(method: string, argument: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    fail('type', method, argument, 'a plain object', value);
  }
  return value as Record<string, unknown>;
}

/** The values of a Tensor or an array of numbers, as float64 (PyTorch: `values.astype(float)`). */
export function checkValues(method: string, values: unknown): Float64Array {
  let out: Float64Array;
  if (values instanceof Tensor) {
    const data = values.data;
    out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  } else if (Array.isArray(values) || values instanceof Float32Array || values instanceof Float64Array) {
    out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v: unknown = values[i];
      if (typeof v !== 'number') fail('type', method, `values[${i}]`, 'a number', v);
      out[i] = v;
    }
  } else {
    return fail('type', method, 'values', 'a Tensor, an array of numbers, a Float32Array or a Float64Array', values);
  }
  if (out.length === 0) fail('range', method, 'values', 'non-empty', 'no elements', true);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail('range', method, 'values', 'finite', `${out[bad]} at flat index ${bad}`, true);
  return out;
}
