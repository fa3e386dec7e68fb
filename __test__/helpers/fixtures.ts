/**
 * Loads the PyTorch parity fixtures written by `scripts/fixtures/make_fixtures.py` and compares
 * kindling's results against them with a float32 tolerance whose failure message names the
 * fixture, the worst element and both values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../src';

export type FixtureDType = 'float32' | 'int32' | 'int64' | 'uint8' | 'bool';

/** A tensor as the generator encodes it: exact float32 decimals (or base64 for big tensors). */
export interface EncodedTensor {
  shape: number[];
  dtype: FixtureDType;
  data?: (number | 'NaN' | 'Infinity' | '-Infinity')[];
  base64?: string;
}

export type TypedData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

const FIXTURE_DIR = join(__dirname, '..', 'fixtures');
const cache = new Map<string, unknown>();

/** Parses `__test__/fixtures/<name>.json` once per test file. */
export function loadFixture<T>(name: string): T {
  if (!cache.has(name)) {
    cache.set(name, JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')));
  }
  return cache.get(name) as T;
}

function decodeNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  throw new TypeError(`fixtures: cannot decode number ${JSON.stringify(v)}`);
}

/** The typed array an encoded tensor describes (Float32Array, Int32Array, BigInt64Array or Uint8Array for bool/uint8). */
export function decode(enc: EncodedTensor): TypedData {
  const size = enc.shape.reduce((a, b) => a * b, 1);
  let out: TypedData;
  if (enc.base64 !== undefined) {
    const bytes = Buffer.from(enc.base64, 'base64');
    // Copy into a fresh, aligned buffer; the fixture bytes are little-endian like every target.
    const buf = new ArrayBuffer(bytes.length);
    new Uint8Array(buf).set(bytes);
    out = enc.dtype === 'float32' ? new Float32Array(buf) : enc.dtype === 'int32' ? new Int32Array(buf) : enc.dtype === 'int64' ? new BigInt64Array(buf) : new Uint8Array(buf);
  } else if (enc.data !== undefined) {
    const values = enc.data.map(decodeNumber);
    out =
      enc.dtype === 'float32' ? Float32Array.from(values) : enc.dtype === 'int32' ? Int32Array.from(values) : enc.dtype === 'int64' ? BigInt64Array.from(values, BigInt) : Uint8Array.from(values);
  } else {
    throw new TypeError('fixtures: tensor has neither data nor base64');
  }
  if (out.length !== size) {
    throw new RangeError(`fixtures: tensor of shape [${enc.shape.join(', ')}] has ${out.length} values, expected ${size}`);
  }
  return out;
}

export type Nested = number | Nested[];

/** Row-major flat values → nested arrays of `shape` (a bare number for shape []). */
export function nest(values: ArrayLike<number>, shape: number[]): Nested {
  const build = (dim: number, offset: number): Nested => {
    if (dim === shape.length) return values[offset];
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return build(0, 0);
}

/**
 * A kindling leaf tensor with the fixture's values, shape and dtype, through the public
 * `torch.tensor(nestedArray, { dtype, requiresGrad })` (the exact float32 values survive the trip).
 */
export function toTensor(enc: EncodedTensor, options: { requiresGrad?: boolean } = {}): torch.Tensor {
  return torch.tensor(nest(decode(enc), enc.shape), { dtype: enc.dtype, requiresGrad: options.requiresGrad ?? false });
}

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** Names the comparison in the failure message, e.g. `ops/add_broadcast_row output 0`. */
  label?: string;
}

type Comparable = torch.Tensor | ArrayLike<number> | number;

function valuesOf(x: Comparable): { values: ArrayLike<number>; shape: number[] | undefined } {
  if (typeof x === 'number') return { values: [x], shape: [] };
  // int64 values compare as numbers (fixtures keep them within 2^53).
  const numbers = (v: ArrayLike<number> | BigInt64Array): ArrayLike<number> => (v instanceof BigInt64Array ? Array.from(v, Number) : v);
  if (isTensor(x)) return { values: numbers(x.data as ArrayLike<number> | BigInt64Array), shape: [...x.shape] };
  return { values: numbers(x), shape: undefined };
}

function unravel(index: number, shape: number[] | undefined): string {
  if (shape === undefined || shape.length === 0) return '';
  const coords = new Array<number>(shape.length);
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return ` [${coords.join(', ')}]`;
}

/**
 * Asserts `|actual − expected| ≤ atol + rtol·|expected|` elementwise (NaN matches only NaN, ±∞ only
 * itself), after checking shapes (when both sides have one) and lengths. The failure message names
 * the label, how many elements fail, the worst one (index and coordinates) and both values.
 * Returns the share of the tolerance the worst element used (0 = exact, 1 = at the limit), so a
 * caller can report the headroom.
 */
export function expectClose(actual: Comparable, expected: EncodedTensor | Comparable, options: CloseOptions = {}): number {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-6;
  // The label's first line names the comparison; any further lines (the PyTorch snippet) go last.
  const [label, ...context] = (options.label ?? 'value').split('\n');
  const fail = (details: string): Error => new Error([`${label}: ${details}`, ...context].join('\n'));
  const a = valuesOf(actual);
  const e = isEncoded(expected) ? valuesOf(decode(expected) as ArrayLike<number>) : valuesOf(expected);
  if (isEncoded(expected)) e.shape = expected.shape;
  if (a.shape !== undefined && e.shape !== undefined && !sameShape(a.shape, e.shape)) {
    throw fail(`shape [${a.shape.join(', ')}], expected [${e.shape.join(', ')}]`);
  }
  if (a.values.length !== e.values.length) {
    throw fail(`${a.values.length} elements, expected ${e.values.length}`);
  }
  let failures = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  let worstShare = 0;
  for (let i = 0; i < e.values.length; i++) {
    const av = a.values[i];
    const ev = e.values[i];
    let excess: number;
    if (Number.isNaN(ev) || Number.isNaN(av)) excess = Number.isNaN(ev) && Number.isNaN(av) ? -Infinity : Infinity;
    else if (!Number.isFinite(ev) || !Number.isFinite(av)) excess = av === ev ? -Infinity : Infinity;
    else {
      const allowed = atol + rtol * Math.abs(ev);
      excess = Math.abs(av - ev) - allowed;
      worstShare = Math.max(worstShare, allowed > 0 ? Math.abs(av - ev) / allowed : av === ev ? 0 : Infinity);
    }
    if (excess > 0) failures++;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (failures > 0) {
    const av = a.values[worst];
    const ev = e.values[worst];
    const abs = Math.abs(av - ev);
    throw fail(
      `${failures} of ${e.values.length} elements differ beyond atol=${atol} + rtol=${rtol}·|expected|; ` +
        `worst at index ${worst}${unravel(worst, e.shape)}: actual ${av}, expected ${ev} ` +
        `(abs err ${abs.toExponential(3)}, rel err ${(abs / Math.abs(ev)).toExponential(3)})`,
    );
  }
  if (process.env.KINDLING_PARITY_REPORT) {
    // `KINDLING_PARITY_REPORT=1 npx vitest run __test__/parity` prints how much of each tolerance is used.
    process.stdout.write(`[parity] ${label}: ${worstShare.toFixed(3)} of tolerance\n`);
  }
  return worstShare;
}

/** Asserts exact equality (integer outputs such as argmax indices), naming the first mismatch. */
export function expectEqualValues(actual: Comparable, expected: EncodedTensor | Comparable, label = 'value'): void {
  expectClose(actual, expected, { rtol: 0, atol: 0, label });
}

/** A kindling tensor, told apart by shape from fixture encodings and plain arrays. */
function isTensor(x: unknown): x is torch.Tensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'data' in x && ArrayBuffer.isView((x as { data: unknown }).data);
}

function isEncoded(x: unknown): x is EncodedTensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'dtype' in x && ('data' in x || 'base64' in x) && !isTensor(x);
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// ---- fixture file shapes -------------------------------------------------------------------

export type Args = Record<string, number | boolean | string | number[] | null>;

/** One entry of ops.json / modules.json / losses.json. */
export interface GraphFixture {
  name: string;
  torch: string;
  args: Args;
  inputs: Record<string, EncodedTensor>;
  outputs: EncodedTensor[];
  grad_outputs?: (EncodedTensor | null)[];
  grads?: Record<string, EncodedTensor>;
}

export interface OpFixture extends GraphFixture {
  op: string;
}

export interface ModuleFixture extends GraphFixture {
  module: string;
  repr: string;
  state_dict: Record<string, EncodedTensor>;
}

export interface LossFixture extends GraphFixture {
  loss: string;
  tensor_args: Record<string, EncodedTensor>;
}

export interface FixtureFile<T> {
  generator: string;
  torch_version: string;
  description: string;
  fixtures: T[];
}

// ---- PyTorch error messages ----------------------------------------------------------------

/** An `errors` entry: a PyTorch snippet that raises, its exception type and message. */
export interface ErrorFixture {
  case: string;
  torch: string;
  type: string;
  message: string;
  /** The part kindling's message must contain (PyTorch's without an ATen op prefix such as `mm: `). */
  match: string;
}

/**
 * A pattern for PyTorch's message in which every snake_case name (`label_smoothing`) may also be
 * written in camelCase (`labelSmoothing`), as kindling's option names are.
 */
export function pytorchMessagePattern(match: string): RegExp {
  const escaped = match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    escaped.replace(/[a-z]+(?:_[a-z0-9]+)+/g, (snake) => {
      const camel = snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      return `(?:${snake}|${camel})`;
    }),
  );
}

/**
 * Asserts `run` throws a RangeError (kindling's type for PyTorch's ValueError, IndexError and
 * shape RuntimeErrors) whose message contains PyTorch's.
 */
export function expectPyTorchError(run: (() => unknown) | undefined, fx: ErrorFixture): void {
  if (typeof run !== 'function') throw new Error(`${fx.case}: the spec has no kindling call for ${fx.torch}`);
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) throw new Error(`${fx.case}: expected an error like PyTorch's\n  ${fx.type}: ${fx.message}\nfrom ${fx.torch}`);
  const message = caught instanceof Error ? caught.message : String(caught);
  if (!pytorchMessagePattern(fx.match).test(message)) {
    throw new Error(`${fx.case}: message ${JSON.stringify(message)}\n  does not contain PyTorch's ${JSON.stringify(fx.match)}\n  from ${fx.torch}`);
  }
  if (!(caught instanceof RangeError)) {
    throw new Error(`${fx.case}: threw ${(caught as Error)?.constructor?.name ?? typeof caught}, expected a RangeError (PyTorch: ${fx.type})`);
  }
}
