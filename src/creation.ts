/**
 * Tensor creation: `tensor()` from nested arrays, typed arrays or numbers, and the factories
 * (`zeros`, `ones`, `full`, `empty`, `arange`, `rand`, `randn`, `randint`, `randperm`, `*Like`).
 * Sizes go as varargs or one array, optionally followed by `{ dtype, requiresGrad, generator }`.
 */
import { type DType, allocate, castArray, checkDType, dtypeOfArray, type TypedArray, uninitF32 } from './dtype';
import { ShapeError } from './errors';
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

/** Nested JS arrays of numbers or booleans. */
export type NestedArray = number | boolean | readonly NestedArray[];

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
  return { sizes, options };
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

/** Walks nested arrays: shape (ragged → error), flat values, and the inferred dtype. */
function flattenNested(data: NestedArray): { shape: number[]; values: number[]; dtype: DType } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = (probe as readonly NestedArray[])[0];
  }
  const values: number[] = [];
  let allBool = true;
  let allInt = true;
  const walk = (x: NestedArray, d: number): void => {
    if (d === shape.length) {
      if (typeof x === 'boolean') {
        values.push(x ? 1 : 0);
      } else if (typeof x === 'number') {
        allBool = false;
        if (!Number.isInteger(x)) allInt = false;
        values.push(x);
      } else {
        throw new TypeError(`tensor: could not infer dtype of ${Array.isArray(x) ? 'a nested list' : typeof x}`);
      }
      return;
    }
    if (!Array.isArray(x)) throw new ShapeError(`expected sequence of length ${shape[d]} at dim ${d} (got a scalar)`);
    if (x.length !== shape[d]) throw new ShapeError(`expected sequence of length ${shape[d]} at dim ${d} (got ${x.length})`);
    for (const item of x as readonly NestedArray[]) walk(item, d + 1);
  };
  walk(data, 0);
  // An empty list is float32 in PyTorch (`torch.tensor([])`).
  const dtype: DType = values.length === 0 ? 'float32' : allBool ? 'bool' : allInt ? 'int32' : 'float32';
  return { shape, values, dtype };
}

/**
 * `torch.tensor(data, { dtype, requiresGrad })`: always copies. Nested number arrays of integers
 * give int32 (PyTorch's int64), any fraction gives float32, booleans give bool; typed arrays keep
 * their kind (Float32/64 → float32, Int* → int32, Uint8 → uint8). A typed array gives a 1-D tensor.
 * @example torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32, requiresGrad: true })
 */
export function tensor(data: NestedArray | ArrayLike<number> | Tensor, options: TensorOptions = {}): Tensor {
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
    shape = [(data as ArrayLike<number>).length];
    buffer = allocate(kind, shape[0], 'tensor', shape);
    if (data instanceof BigInt64Array) for (let i = 0; i < data.length; i++) buffer[i] = Number(data[i]);
    else buffer.set(data as ArrayLike<number>);
  } else {
    const flat = flattenNested(data as NestedArray);
    shape = flat.shape;
    inferred = flat.dtype;
    buffer = allocate(inferred, flat.values.length, 'tensor', shape);
    buffer.set(flat.values);
  }
  const dtype = dtypeOf('tensor', options, inferred);
  if (dtype !== inferred) buffer = castArray(buffer, dtype);
  return finish(new Tensor(buffer, shape, dtype), 'tensor', options);
}

// ---- constant factories ---------------------------------------------------------------------

function filled(op: string, sizes: number[], options: TensorOptions, value: number, fallback: DType): Tensor {
  const dtype = dtypeOf(op, options, fallback);
  const data = allocate(dtype, numelOf(sizes), op, sizes);
  if (value !== 0) data.fill(dtype === 'bool' ? (value !== 0 ? 1 : 0) : value);
  return finish(new Tensor(data, sizes, dtype), op, options);
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
 * `torch.full(size, fillValue, { dtype })`. Like PyTorch the dtype follows the value: a boolean
 * gives bool, an integer gives int32 (PyTorch's int64), a fraction float32.
 */
export function full(size: readonly number[], fillValue: number | boolean, options: TensorOptions = {}): Tensor {
  const sizes = Array.from(size);
  checkSizes('full', sizes);
  const inferred: DType = typeof fillValue === 'boolean' ? 'bool' : Number.isInteger(fillValue) ? 'int32' : 'float32';
  return filled('full', sizes, options, Number(fillValue), inferred);
}

/** `torch.zeros_like(x, options)`. */
export function zerosLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return filled('zerosLike', x.shape.slice(), options, 0, x.dtype);
}

/** `torch.ones_like(x, options)`. */
export function onesLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return filled('onesLike', x.shape.slice(), options, 1, x.dtype);
}

/** `torch.full_like(x, fillValue, options)`. */
export function fullLike(x: Tensor, fillValue: number, options: TensorOptions = {}): Tensor {
  return filled('fullLike', x.shape.slice(), options, fillValue, x.dtype);
}

/**
 * `torch.arange(end)` / `torch.arange(start, end, step=1)`: values `start + i·step` below `end`.
 * int32 when every argument is an integer, else float32 (as PyTorch).
 */
export function arange(end: number, options?: TensorOptions): Tensor;
export function arange(start: number, end: number, options?: TensorOptions): Tensor;
export function arange(start: number, end: number, step: number, options?: TensorOptions): Tensor;
export function arange(...args: Array<number | TensorOptions | undefined>): Tensor {
  const options = (isOptions(args[args.length - 1]) ? args.pop() : {}) as TensorOptions;
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  const nums = args as number[];
  for (const v of nums) if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`arange: arguments must be finite numbers, got ${String(v)}`);
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new RangeError('arange: upper bound and larger bound inconsistent with step sign');
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  const inferred: DType = nums.every(Number.isInteger) ? 'int32' : 'float32';
  const dtype = dtypeOf('arange', options, inferred);
  const data = allocate(dtype, count, 'arange', [count]);
  for (let i = 0; i < count; i++) data[i] = start + i * step;
  return finish(new Tensor(data, [count], dtype), 'arange', options);
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
 * integers uniform on [low, high), int32 (PyTorch's int64) by default.
 */
export function randint(high: number, size: readonly number[], options?: RandomOptions): Tensor;
export function randint(low: number, high: number, size: readonly number[], options?: RandomOptions): Tensor;
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | RandomOptions, d?: RandomOptions): Tensor {
  const [low, high, size, options] =
    typeof b === 'number' ? [a, b, c as readonly number[], d ?? {}] : [0, a, b, (c as RandomOptions | undefined) ?? {}];
  if (!Array.isArray(size)) throw new TypeError('randint: size must be an array of integers');
  for (const v of [low, high]) {
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31) throw new RangeError(`randint: bounds must be int32 integers, got ${v}`);
  }
  if (low >= high) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const sizes = Array.from(size);
  checkSizes('randint', sizes);
  const out = allocate('int32', numelOf(sizes), 'randint', sizes) as Int32Array;
  generatorOf('randint', options.generator).draw((s, o) => kernels.fillRandint(out, low, high, s, o));
  const dtype = dtypeOf('randint', options, 'int32');
  const data = dtype === 'int32' ? out : castArray(out, dtype);
  return finish(new Tensor(data, sizes, dtype), 'randint', options);
}

/** `torch.randperm(n, { generator })`: a random permutation of 0…n−1 (int32). */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const out = allocate('int32', n, 'randperm', [n]) as Int32Array;
  generatorOf('randperm', options.generator).draw((s, o) => kernels.randperm(out, s, o));
  const dtype = dtypeOf('randperm', options, 'int32');
  return finish(new Tensor(dtype === 'int32' ? out : castArray(out, dtype), [n], dtype), 'randperm', options);
}
