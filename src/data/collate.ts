/**
 * `defaultCollate`: merges a list of samples into a batch, as PyTorch's `default_collate`.
 * Tensors are stacked along a new first dimension; numbers become a float32 tensor and bigints an
 * int64 one (by JS type, as Python floats and ints; never by value); booleans a bool tensor; strings stay a list; arrays are collated position by position and plain objects
 * key by key.
 *
 * https://pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
 */
import { sameShape } from '../ops/broadcast';
import { allocate, scalarTo } from '../dtype';
import { Tensor } from '../tensor';

/** A batch shape for `defaultCollate`'s input: `[Tensor, number]` samples give `[Tensor, Tensor]`. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | bigint | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : never;


/**
 * Samples fetched in one pass by a dataset's `getItems`, carrying the batch `defaultCollate`
 * would build from them. `defaultCollate` returns `batch` as is (no copy); any other reader —
 * a custom `collateFn` — sees an ordinary array whose items are materialised on first access.
 */
export interface CollatedSamples<T> extends Array<T> {
  readonly [COLLATED]: unknown;
}

const COLLATED: unique symbol = Symbol('kindling.collatedBatch');

/**
 * Builds a `CollatedSamples`: an array of `count` samples, item `k` made by `sampleAt(k)` when
 * first read, that hands `batch` straight to `defaultCollate`.
 */
export function collatedSamples<T>(batch: Collated<T>, count: number, sampleAt: (k: number) => T): T[] {
  const target: T[] = new Array<T>(count);
  const made = new Uint8Array(count);
  return new Proxy(target, {
    get(array, key, receiver) {
      if (key === COLLATED) return batch;
      if (typeof key === 'string') {
        const k = Number(key);
        if (Number.isInteger(k) && k >= 0 && k < count) {
          if (made[k] === 0) {
            array[k] = sampleAt(k);
            made[k] = 1;
          }
          return array[k];
        }
      }
      return Reflect.get(array, key, receiver);
    },
    has(array, key) {
      if (typeof key === 'string' && Number.isInteger(Number(key)) && Number(key) >= 0 && Number(key) < count) return true;
      return Reflect.has(array, key);
    },
  });
}

/** Merges `samples` into a batch (see the module comment). */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  const pre = (samples as Partial<CollatedSamples<T>>)[COLLATED];
  if (pre !== undefined) return pre as Collated<T>;
  return collate(samples as readonly unknown[]) as Collated<T>;
}

function collate(batch: readonly unknown[]): unknown {
  if (batch.length === 0) throw new RangeError('default_collate: batch is empty');
  const elem = batch[0];
  if (elem instanceof Tensor) return stack(batch);
  if (typeof elem === 'number') return numbersTensor(batch);
  if (typeof elem === 'bigint') return bigintsTensor(batch);
  if (typeof elem === 'boolean') return boolTensor(batch);
  if (typeof elem === 'string') return Array.from(batch);
  if (Array.isArray(elem)) {
    const size = elem.length;
    for (const sample of batch) {
      if (!Array.isArray(sample) || sample.length !== size) {
        throw new RangeError('each element in list of batch should be of equal size');
      }
    }
    const out = new Array<unknown>(size);
    for (let p = 0; p < size; p++) out[p] = collate(batch.map((sample) => (sample as unknown[])[p]));
    return out;
  }
  if (elem !== null && typeof elem === 'object' && Object.getPrototypeOf(elem) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) out[key] = collate(batch.map((sample) => (sample as Record<string, unknown>)[key]));
    return out;
  }
  throw new TypeError(
    `default_collate: batch must contain tensors, numbers, dicts or lists; found ${describe(elem)}`,
  );
}

/** `torch.stack(batch, 0)` without autograd (samples are data, not graph nodes). */
function stack(batch: readonly unknown[]): Tensor {
  const first = batch[0] as Tensor;
  const size = first.data.length;
  const out = allocate(first.dtype, size * batch.length, 'default_collate');
  for (let k = 0; k < batch.length; k++) {
    const t = batch[k];
    if (!(t instanceof Tensor)) {
      throw new TypeError(`default_collate: expected a tensor at entry ${k} like entry 0, got ${describe(t)}`);
    }
    if (!sameShape(t.shape, first.shape)) {
      throw new RangeError(
        `stack expects each tensor to be equal size, but got [${first.shape.join(', ')}] at entry 0 and [${t.shape.join(', ')}] at entry ${k}`,
      );
    }
    if (t.dtype !== first.dtype) {
      throw new TypeError(`stack expects each tensor to have the same dtype, but got ${first.dtype} at entry 0 and ${t.dtype} at entry ${k}`);
    }
    (out as Float32Array).set(t.data as Float32Array, k * size);
  }
  return new Tensor(out, [batch.length, ...first.shape], first.dtype);
}

/** Numbers → float32 by their JS type, never their value (docs/ARCHITECTURE.md, "Integers and dtypes"). */
function numbersTensor(batch: readonly unknown[]): Tensor {
  for (let k = 0; k < batch.length; k++) {
    const v = batch[k];
    if (typeof v !== 'number') throw new TypeError(`default_collate: expected a number at entry ${k} like entry 0, got ${describe(v)}`);
  }
  return new Tensor(Float32Array.from(batch as readonly number[]), [batch.length], 'float32');
}

/** Bigints → int64 (Python ints collate to torch.int64); a value outside int64 is refused. */
function bigintsTensor(batch: readonly unknown[]): Tensor {
  const out = new BigInt64Array(batch.length);
  for (let k = 0; k < batch.length; k++) {
    const v = batch[k];
    if (typeof v !== 'bigint') throw new TypeError(`default_collate: expected a bigint at entry ${k} like entry 0, got ${describe(v)}`);
    out[k] = scalarTo('default_collate', v, 'int64') as bigint;
  }
  return new Tensor(out, [batch.length], 'int64');
}

function boolTensor(batch: readonly unknown[]): Tensor {
  const out = new Uint8Array(batch.length);
  for (let k = 0; k < batch.length; k++) {
    const v = batch[k];
    if (typeof v !== 'boolean') throw new TypeError(`default_collate: expected a boolean at entry ${k} like entry 0, got ${describe(v)}`);
    out[k] = v ? 1 : 0;
  }
  return new Tensor(out, [batch.length], 'bool');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
