/**
 * Tensor creation: `tensor()` from nested arrays, typed arrays or numbers, and the factories
 * (`zeros`, `ones`, `full`, `empty`, `arange`, `eye`, `linspace`, `rand`, `randn`, `randint`, `randperm`, `*Like`).
 * Sizes go as varargs or one array, optionally followed by `{ dtype, requiresGrad, generator }`.
 */
import { type DType, allocate, castArray, checkDType, dtypeOfArray, scalarTo, type TypedArray, uninitF32 } from './dtype';
import { ShapeError } from './errors';
import { checkOptions, type OptionSpec } from './options';
import { kernels } from './ops/kernels';
import { checkSizes } from './ops/shape';
import { type Generator, generatorOf } from './random/generator';
import { Tensor, numelOf } from './tensor';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/** Nested JS arrays of numbers, bigints or booleans. */
export type NestedArray = number | bigint | boolean | readonly NestedArray[];

const TENSOR_OPTIONS: OptionSpec = { dtype: 'string', requiresGrad: 'boolean' };
const RANDOM_OPTIONS: OptionSpec = { ...TENSOR_OPTIONS, generator: 'object|null' };

/** `TensorOptions` checked (unknown keys, types) for `op`; `{}` when absent. */
function tensorOptions<O extends TensorOptions>(op: string, options: O | undefined, spec: OptionSpec = TENSOR_OPTIONS): O {
  checkOptions(op, options, spec);
  return options ?? ({} as O);
}

/** Sizes as varargs or one array, optionally followed by an options object. */
export type SizesAndOptions<O> = number[] | [...number[], O] | [readonly number[]] | [readonly number[], O];

function isOptions(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Splits `zeros(2, 3, { dtype })` / `zeros([2, 3], { dtype })` into sizes and options. */
function parseSizes<O>(op: string, args: ReadonlyArray<unknown>): { sizes: number[]; options: O } {
  let options = {} as O;
  let list = args;
  if (list.length > 0 && isOptions(list[list.length - 1])) {
    options = list[list.length - 1] as O;
    list = list.slice(0, -1);
  }
  const sizes = list.length === 1 && Array.isArray(list[0]) ? (list[0] as number[]).slice() : (list as number[]).slice();
  checkSizes(op, sizes);
  return { sizes, options: tensorOptions(op, options as TensorOptions, op.startsWith('rand') ? RANDOM_OPTIONS : TENSOR_OPTIONS) as O };
}

function finish(t: Tensor, op: string, options: TensorOptions): Tensor {
  if (options.requiresGrad) {
    if (t.dtype !== 'float32') {
      throw new TypeError(`${op}: only Tensors of floating point dtype can require gradients (got ${t.dtype})`);
    }
    t.requiresGrad_(true);
  }
  return t;
}

function dtypeOf(op: string, options: TensorOptions, fallback: DType): DType {
  return options.dtype === undefined ? fallback : checkDType(options.dtype, op);
}

// ---- tensor() -------------------------------------------------------------------------------

/**
 * The dtype of a JS value by its type, never its value: `number` → float32 (the default dtype,
 * like a Python float), `bigint` → int64 (like a Python int), `boolean` → bool. A mix promotes
 * as PyTorch promotes Python scalars: any number gives float32, else any bigint gives int64.
 */
function inferScalarsDType(sawNumber: boolean, sawBigInt: boolean): DType {
  return sawNumber ? 'float32' : sawBigInt ? 'int64' : 'bool';
}

/** Walks nested arrays: shape (ragged → error), flat values, and the dtype their JS types give. */
function flattenNested(data: NestedArray): { shape: number[]; values: Array<number | bigint | boolean>; dtype: DType } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = (probe as readonly NestedArray[])[0];
  }
  const values: Array<number | bigint | boolean> = [];
  let sawNumber = false;
  let sawBigInt = false;
  const walk = (x: NestedArray, d: number): void => {
    if (d === shape.length) {
      if (typeof x === 'number') sawNumber = true;
      else if (typeof x === 'bigint') sawBigInt = true;
      else if (typeof x !== 'boolean') {
        throw new TypeError(`tensor: could not infer dtype of ${Array.isArray(x) ? 'a nested list' : typeof x}`);
      }
      values.push(x);
      return;
    }
    if (!Array.isArray(x)) throw new ShapeError(`expected sequence of length ${shape[d]} at dim ${d} (got a scalar)`);
    if (x.length !== shape[d]) throw new ShapeError(`expected sequence of length ${shape[d]} at dim ${d} (got ${x.length})`);
    for (const item of x as readonly NestedArray[]) walk(item, d + 1);
  };
  walk(data, 0);
  // An empty list is float32 in PyTorch (`torch.tensor([])`).
  const dtype: DType = values.length === 0 ? 'float32' : inferScalarsDType(sawNumber, sawBigInt);
  return { shape, values, dtype };
}

/** Writes JS scalars into a fresh buffer of `dtype`, each checked by `scalarTo` (a value that does not fit throws). */
function fromScalars(op: string, values: ReadonlyArray<number | bigint | boolean>, dtype: DType, shape: readonly number[]): TypedArray {
  const buffer = allocate(dtype, values.length, op, shape);
  if (dtype === 'float32') {
    for (let i = 0; i < values.length; i++) buffer[i] = Number(values[i]);
  } else {
    const out = buffer as { [i: number]: number | bigint };
    for (let i = 0; i < values.length; i++) out[i] = scalarTo(op, values[i], dtype);
  }
  return buffer;
}

/** A typed array's elements as a buffer of its dtype (`dtypeOfArray`): exact for every accepted type. */
function fromTypedArray(data: ArrayBufferView, kind: DType, shape: readonly number[]): TypedArray {
  const buffer = allocate(kind, shape[0], 'tensor', shape);
  if (kind === 'int64' && !(data instanceof BigInt64Array)) {
    const src = data as unknown as ArrayLike<number>;
    for (let i = 0; i < src.length; i++) (buffer as BigInt64Array)[i] = BigInt(src[i]);
  } else {
    (buffer as Float32Array).set(data as unknown as ArrayLike<number>);
  }
  return buffer;
}

/**
 * `torch.tensor(data, { dtype, requiresGrad })`: always copies. The dtype comes from the JS type
 * of the values, never from their value: numbers → float32 (`tensor([3, 4])` is float32, as
 * `torch.tensor([3.0, 4.0])`), bigints → int64 (`tensor([3n, 4n])`, as `torch.tensor([3, 4])`),
 * booleans → bool; typed arrays by their type (`dtypeOfArray`: Int32Array → int32, BigInt64Array
 * → int64, …). A typed array gives a 1-D tensor. With an integer `dtype`, a value that does not
 * fit throws (`value 3000000000 cannot be converted to type int32_t without overflow`).
 * @example torch.tensor([[1, 2], [3, 4]], { requiresGrad: true }); torch.tensor([0n, 2n, 1n])
 */
export function tensor(data: NestedArray | ArrayLike<number> | BigInt64Array | Tensor, options?: TensorOptions): Tensor {
  const opts = tensorOptions('tensor', options);
  let shape: number[];
  let buffer: TypedArray;
  let inferred: DType;
  if (data instanceof Tensor) {
    shape = data.shape.slice();
    buffer = data.data.slice() as TypedArray;
    inferred = data.dtype;
  } else if (ArrayBuffer.isView(data)) {
    const kind = dtypeOfArray(data as ArrayLike<unknown>);
    if (kind === null) throw new TypeError(`tensor: unsupported typed array ${(data as object).constructor.name}`);
    inferred = kind;
    shape = [(data as ArrayLike<unknown>).length];
    buffer = fromTypedArray(data, kind, shape);
  } else {
    const flat = flattenNested(data as NestedArray);
    const dtype = dtypeOf('tensor', opts, flat.dtype);
    return finish(new Tensor(fromScalars('tensor', flat.values, dtype, flat.shape), flat.shape, dtype), 'tensor', opts);
  }
  const dtype = dtypeOf('tensor', opts, inferred);
  if (dtype !== inferred) buffer = castArray(buffer, dtype, 'tensor');
  return finish(new Tensor(buffer, shape, dtype), 'tensor', opts);
}

// ---- constant factories ---------------------------------------------------------------------

function filled(op: string, sizes: number[], options: TensorOptions, value: number | bigint | boolean, fallback: DType): Tensor {
  const dtype = dtypeOf(op, options, fallback);
  const element = scalarTo(op, value, dtype);
  const data = allocate(dtype, numelOf(sizes), op, sizes);
  if (!Object.is(element, 0) && element !== 0n) (data as { fill(v: number | bigint): unknown }).fill(element);
  return finish(new Tensor(data, sizes, dtype), op, options);
}

/** The dtype a fill value's JS type gives (`inferScalarsDType`); a TypeError for any other type. */
function dtypeOfValue(op: string, value: unknown): DType {
  if (typeof value === 'number') return 'float32';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'boolean') return 'bool';
  throw new TypeError(`${op}: fill value must be a number, bigint or boolean, got ${value === null ? 'null' : typeof value}`);
}

/** `torch.zeros(...sizes, { dtype, requiresGrad })`. */
export function zeros(...args: SizesAndOptions<TensorOptions>): Tensor {
  const { sizes, options } = parseSizes<TensorOptions>('zeros', args);
  return filled('zeros', sizes, options, 0, 'float32');
}

/** `torch.ones(...sizes, { dtype, requiresGrad })`. */
export function ones(...args: SizesAndOptions<TensorOptions>): Tensor {
  const { sizes, options } = parseSizes<TensorOptions>('ones', args);
  return filled('ones', sizes, options, 1, 'float32');
}

/** `torch.empty(...sizes, options)`: JS buffers are always zero-filled, so this equals `zeros`. */
export function empty(...args: SizesAndOptions<TensorOptions>): Tensor {
  const { sizes, options } = parseSizes<TensorOptions>('empty', args);
  return filled('empty', sizes, options, 0, 'float32');
}

/**
 * `torch.full(size, fillValue, { dtype })`. The dtype follows the value's JS type: a number gives
 * float32, a bigint int64, a boolean bool. A value that does not fit `dtype` throws.
 */
export function full(size: readonly number[], fillValue: number | bigint | boolean, options?: TensorOptions): Tensor {
  const opts = tensorOptions('full', options);
  const sizes = Array.from(size);
  checkSizes('full', sizes);
  return filled('full', sizes, opts, fillValue, dtypeOfValue('full', fillValue));
}

/** `torch.zeros_like(x, options)`. */
export function zerosLike(x: Tensor, options?: TensorOptions): Tensor {
  return filled('zerosLike', x.shape.slice(), tensorOptions('zerosLike', options), 0, x.dtype);
}

/** `torch.ones_like(x, options)`. */
export function onesLike(x: Tensor, options?: TensorOptions): Tensor {
  return filled('onesLike', x.shape.slice(), tensorOptions('onesLike', options), 1, x.dtype);
}

/** `torch.full_like(x, fillValue, options)`: `x`'s dtype unless `dtype` is given; a value that does not fit throws. */
export function fullLike(x: Tensor, fillValue: number | bigint | boolean, options?: TensorOptions): Tensor {
  dtypeOfValue('fullLike', fillValue);
  return filled('fullLike', x.shape.slice(), tensorOptions('fullLike', options), fillValue, x.dtype);
}

/**
 * `torch.arange(end)` / `torch.arange(start, end, step=1)`: values `start + i·step` below `end`.
 * By the arguments' JS type, as PyTorch by Python's: numbers give float32, bigints give int64
 * (exact over the whole int64 range); pass `{ dtype }` for another. A value that does not fit
 * `dtype` throws.
 */
export function arange(end: number | bigint, options?: TensorOptions): Tensor;
export function arange(start: number | bigint, end: number | bigint, options?: TensorOptions): Tensor;
export function arange(start: number | bigint, end: number | bigint, step: number | bigint, options?: TensorOptions): Tensor;
export function arange(...args: Array<number | bigint | TensorOptions | undefined>): Tensor {
  const options = tensorOptions('arange', (isOptions(args[args.length - 1]) ? args.pop() : undefined) as TensorOptions | undefined);
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  const given = args as Array<number | bigint>;
  for (const v of given) {
    if (typeof v === 'bigint') continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`arange: arguments must be finite numbers or bigints, got ${String(v)}`);
  }
  if (given.every((v) => typeof v === 'bigint')) return arangeBigInt(given as bigint[], options);
  const nums = given.map(Number);
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new RangeError('arange: upper bound and larger bound inconsistent with step sign');
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  const dtype = dtypeOf('arange', options, 'float32');
  const data = allocate(dtype, count, 'arange', [count]);
  if (dtype === 'float32') {
    for (let i = 0; i < count; i++) data[i] = start + i * step;
  } else {
    const out = data as { [i: number]: number | bigint };
    for (let i = 0; i < count; i++) out[i] = scalarTo('arange', start + i * step, dtype);
  }
  return finish(new Tensor(data, [count], dtype), 'arange', options);
}

/** `arange` of bigints: exact integer steps (int64 unless `dtype` says otherwise). */
function arangeBigInt(args: readonly bigint[], options: TensorOptions): Tensor {
  const [start, end, step] = args.length === 1 ? [0n, args[0], 1n] : [args[0], args[1], args[2] ?? 1n];
  if (step === 0n) throw new RangeError('arange: step must be nonzero');
  if ((step > 0n && end < start) || (step < 0n && end > start)) {
    throw new RangeError('arange: upper bound and larger bound inconsistent with step sign');
  }
  const span = end - start;
  const countBig = step > 0n ? (span + step - 1n) / step : (span + step + 1n) / step;
  const count = Number(countBig < 0n ? 0n : countBig);
  const dtype = dtypeOf('arange', options, 'int64');
  const data = allocate(dtype, count, 'arange', [count]);
  const out = data as { [i: number]: number | bigint };
  for (let i = 0; i < count; i++) out[i] = scalarTo('arange', start + BigInt(i) * step, dtype);
  return finish(new Tensor(data, [count], dtype), 'arange', options);
}

// ---- eye, linspace ---------------------------------------------------------------------------

function checkCount(op: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${op}(): argument '${name}' must be an integer, got ${typeof value === 'number' ? value : typeof value}`);
  }
}

/**
 * `torch.eye(n, m = n, { dtype, requiresGrad })`: an n×m matrix with ones on the main diagonal
 * (float32 by default; any dtype, bool included).
 */
export function eye(n: number, options?: TensorOptions): Tensor;
export function eye(n: number, m: number, options?: TensorOptions): Tensor;
export function eye(n: number, m?: number | TensorOptions, options?: TensorOptions): Tensor {
  if (isOptions(m)) [m, options] = [undefined, m as TensorOptions];
  const opts = tensorOptions('eye', options);
  checkCount('eye', 'n', n);
  if (n < 0) throw new RangeError(`eye: n must be greater or equal to 0, got ${n}`);
  const cols = m === undefined || m === null ? n : (m as number);
  checkCount('eye', 'm', cols);
  if (cols < 0) throw new RangeError(`eye: m must be greater or equal to 0, got ${cols}`);
  const dtype = dtypeOf('eye', opts, 'float32');
  const data = allocate(dtype, n * cols, 'eye', [n, cols]) as { [i: number]: number | bigint };
  const one = scalarTo('eye', 1, dtype);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = one;
  return finish(new Tensor(data as TypedArray, [n, cols], dtype), 'eye', opts);
}

const f32View = new Float32Array(1);
const u32View = new Uint32Array(f32View.buffer);

/** The float32 next to `x` (finite, non-zero) in the direction of `toward`. */
function nextFloat32(x: number, toward: number): number {
  f32View[0] = x;
  u32View[0] += (toward > x) === (x > 0) ? 1 : -1;
  return f32View[0];
}

/**
 * `fma(a, b, c)` rounded once to float32, for float32 `a`, `c` and an integer `b` < 2²⁴: `a·b` is
 * exact in a double, and `s = a·b + c` rounds at most once; rounding `s` again to float32 is
 * wrong only when `s` lands exactly halfway between two float32s while the exact sum did not
 * (its error `e`, recovered exactly by TwoSum, then says which side is nearer).
 */
function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  if (r === s || !Number.isFinite(s) || r === 0) return r;
  const bp = s - c;
  const e = (p - bp) + (c - (s - bp));
  if (e === 0) return r;
  const other = nextFloat32(r, s);
  if ((r + other) / 2 !== s) return r;
  // s is a tie; the exact value lies on e's side of it.
  return (e > 0) === (other > r) ? other : r;
}

/**
 * `torch.linspace(start, end, steps, { dtype, requiresGrad })`: `steps` evenly spaced values from
 * `start` to `end` inclusive, computed as PyTorch's CPU kernel does so float32 results match bit
 * for bit: `step = (end − start) / (steps − 1)` in float32, the first half `start + step·i`, the
 * second half `end − step·(steps − 1 − i)` (both ends exact), each a fused multiply-add as
 * PyTorch's build contracts them. Integer dtypes step in float64 and truncate, as PyTorch.
 */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  const opts = tensorOptions('linspace', options);
  for (const [name, v] of [['start', start], ['end', end]] as const) {
    if (typeof v !== 'number') throw new TypeError(`linspace(): argument '${name}' must be a number, got ${typeof v}`);
  }
  checkCount('linspace', 'steps', steps);
  if (steps < 0) throw new RangeError('linspace: number of steps must be non-negative');
  const dtype = dtypeOf('linspace', opts, 'float32');
  if (dtype === 'bool') throw new TypeError(`"linspace_cpu" not implemented for 'Bool'`);
  const data = allocate(dtype, steps, 'linspace', [steps]);
  const halfway = Math.floor(steps / 2);
  if (dtype === 'float32') {
    const s = Math.fround(start);
    const e = Math.fround(end);
    const step = Math.fround(Math.fround(e - s) / (steps - 1));
    for (let i = 0; i < steps; i++) data[i] = steps === 1 ? s : i < halfway ? fmaF32(step, i, s) : fmaF32(-step, steps - i - 1, e);
  } else {
    const s = Math.trunc(start);
    const e = Math.trunc(end);
    const step = (e - s) / (steps - 1);
    const out = data as { [i: number]: number | bigint };
    for (let i = 0; i < steps; i++) {
      const v = steps === 1 ? s : Math.trunc(i < halfway ? s + step * i : e - step * (steps - i - 1));
      out[i] = scalarTo('linspace', v, dtype);
    }
  }
  return finish(new Tensor(data, [steps], dtype), 'linspace', opts);
}

// ---- random factories -----------------------------------------------------------------------

function randomFloat(op: string, args: ReadonlyArray<unknown>, fill: (out: Float32Array, g: Generator) => void): Tensor {
  const { sizes, options } = parseSizes<RandomOptions>(op, args);
  const dtype = dtypeOf(op, options, 'float32');
  if (dtype !== 'float32') throw new TypeError(`"${op}" not implemented for '${dtype}'`);
  const out = uninitF32(numelOf(sizes), op, sizes);
  fill(out, generatorOf(op, options.generator));
  return finish(new Tensor(out, sizes, 'float32'), op, options);
}

/** `torch.rand(...sizes, { generator })`: uniform on [0, 1). */
export function rand(...args: SizesAndOptions<RandomOptions>): Tensor {
  return randomFloat('rand', args, (out, g) => g.draw((s, o) => kernels.fillUniform(out, 0, 1, s, o)));
}

/** `torch.randn(...sizes, { generator })`: standard normal. */
export function randn(...args: SizesAndOptions<RandomOptions>): Tensor {
  return randomFloat('randn', args, (out, g) => g.draw((s, o) => kernels.fillNormal(out, 0, 1, s, o)));
}

/** `torch.rand_like(x)`. */
export function randLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return rand(x.shape.slice(), options);
}

/** `torch.randn_like(x)`. */
export function randnLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return randn(x.shape.slice(), options);
}

/**
 * `torch.randint(high, size)` / `torch.randint(low, high, size, { dtype, generator })`:
 * integers uniform on [low, high), int64 by default as PyTorch (bounds within int32: the native
 * generator draws 32-bit integers).
 */
export function randint(high: number, size: readonly number[], options?: RandomOptions): Tensor;
export function randint(low: number, high: number, size: readonly number[], options?: RandomOptions): Tensor;
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | RandomOptions, d?: RandomOptions): Tensor {
  const [low, high, size, given] = typeof b === 'number' ? [a, b, c as readonly number[], d] : [0, a, b, c as RandomOptions | undefined];
  const options = tensorOptions('randint', given, RANDOM_OPTIONS);
  if (!Array.isArray(size)) throw new TypeError('randint: size must be an array of integers');
  for (const v of [low, high]) {
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31) throw new RangeError(`randint: bounds must be int32 integers, got ${v}`);
  }
  if (low >= high) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const sizes = Array.from(size);
  checkSizes('randint', sizes);
  const out = allocate('int32', numelOf(sizes), 'randint', sizes) as Int32Array;
  generatorOf('randint', options.generator).draw((s, o) => kernels.fillRandint(out, low, high, s, o));
  const dtype = dtypeOf('randint', options, 'int64');
  const data = dtype === 'int32' ? out : castArray(out, dtype, 'randint');
  return finish(new Tensor(data, sizes, dtype), 'randint', options);
}

/** `torch.randperm(n, { generator })`: a random permutation of 0…n−1 (int64, as PyTorch). */
export function randperm(n: number, given?: RandomOptions): Tensor {
  const options = tensorOptions('randperm', given, RANDOM_OPTIONS);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const out = allocate('int32', n, 'randperm', [n]) as Int32Array;
  generatorOf('randperm', options.generator).draw((s, o) => kernels.randperm(out, s, o));
  const dtype = dtypeOf('randperm', options, 'int64');
  return finish(new Tensor(dtype === 'int32' ? out : castArray(out, dtype, 'randperm'), [n], dtype), 'randperm', options);
}
