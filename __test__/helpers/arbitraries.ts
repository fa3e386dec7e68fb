/**
 * fast-check building blocks for the property tests in __test__/property: random shapes (with
 * empty dimensions), float32 values with NaN/±Infinity/−0, tensors of every dtype, broadcastable
 * shape pairs, plain JS reference maths, and the two checks every property ends with — "a correct
 * result" or "a typed error that names the op" — plus a per-property run counter for the summary.
 */
import { expectClose as expectCloseTo } from './fixtures';
import fc from 'fast-check';
import { Tensor } from '../../src/tensor';
import type { DType } from '../../src/dtype';

/** One seed for every property (override with KINDLING_FC_SEED to explore; failures print theirs). */
export const SEED = Number(process.env.KINDLING_FC_SEED ?? 20261128);

/**
 * Runs `fc.assert` seeded and bounded, counting the cases each property really ran (a failing
 * case is not counted; fast-check's report says which one failed).
 */
const counts = new Map<string, number>();
export function check<Ts extends [unknown, ...unknown[]]>(
  name: string,
  numRuns: number,
  ...args: [...arbs: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, predicate: (...values: Ts) => void]
): void {
  const predicate = args[args.length - 1] as (...values: Ts) => void;
  const arbs = args.slice(0, -1) as { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };
  let ran = 0;
  const property = fc.property(...arbs, (...values: Ts) => {
    predicate(...values);
    // Counted only when it got through: cases rejected by fc.pre are not cases.
    ran++;
  });
  try {
    fc.assert(property as fc.IProperty<Ts>, { seed: SEED, numRuns, endOnFailure: false });
  } finally {
    counts.set(name, (counts.get(name) ?? 0) + ran);
  }
}

/** Async variant of `check` (for properties that iterate DataLoaders with workers). */
export async function checkAsync<Ts extends [unknown, ...unknown[]]>(
  name: string,
  numRuns: number,
  ...args: [...arbs: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, predicate: (...values: Ts) => Promise<void>]
): Promise<void> {
  const predicate = args[args.length - 1] as (...values: Ts) => Promise<void>;
  const arbs = args.slice(0, -1) as { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };
  let ran = 0;
  const property = fc.asyncProperty(...arbs, async (...values: Ts) => {
    await predicate(...values);
    ran++;
  });
  try {
    await fc.assert(property as fc.IAsyncProperty<Ts>, { seed: SEED, numRuns });
  } finally {
    counts.set(name, (counts.get(name) ?? 0) + ran);
  }
}

/** Prints "cases per property" for a spec file (call in afterAll); returns the total. */
export function printCaseCounts(file: string): number {
  let total = 0;
  const lines = [...counts.entries()].map(([name, n]) => {
    total += n;
    return `  ${String(n).padStart(6)}  ${name}`;
  });
  console.log(`fast-check cases run (${file}, seed ${SEED}):\n${lines.join('\n')}\n  ${String(total).padStart(6)}  total`);
  counts.clear();
  return total;
}

// ---- the two outcomes -----------------------------------------------------------------------

/**
 * PyTorch's own messages for some errors do not name the op; kindling keeps PyTorch's wording
 * there (the standard allows it). These are the only op-less messages a property accepts.
 */
const PYTORCH_WORDINGS = [
  /^The size of tensor a \(\d+\) must match the size of tensor b \(\d+\) at non-singleton dimension \d+$/,
  /^Dimension out of range \(expected to be in range of \[-?\d+, -?\d+\], but got -?\d+\)$/,
  /^size mismatch, got input \(\d+\), mat \(\d+x\d+\), vec \(\d+\)$/,
  /^inconsistent tensor size, expected tensor \[\d+\] and src \[\d+\]/,
  /^both arguments to matmul need to be at least 1D/,
  /^Target -?\d+ is out of bounds\.$/,
  /^Expected target size \[[\d, ]*\], got \[[\d, ]*\]$/,
  /^Expected input batch_size \(\d+\) to match target batch_size \(\d+\)\.$/,
  /^expected target dtype to be Long or Byte/,
  /^weight tensor should be defined either for all \d+ classes or no classes/,
  /^expected scalar type Float but found \w+$/,
  /^label_smoothing must be between 0\.0 and 1\.0\. Got: /,
  /^dropout probability has to be between 0 and 1, but got /,
  /^dropout probability must be a number/,
  /^shape '\[.*\]' is invalid for input of size \d+$/,
  /^only one dimension can be inferred$/,
  /^invalid shape dimension -?\d+$/,
  /^number of dims don't match in permute$/,
  /^repeated dim in permute$/,
  /^The expanded size of the tensor \(-?\d+\)/,
  /^\w+ is not a valid value for reduction$/,
  /^Expected floating point type for target with class probabilities/,
];

/** Either the op's name appears in the message, or the message is one of PyTorch's (above). */
export function expectTypedError(error: unknown, op: string | RegExp): asserts error is Error {
  if (!(error instanceof TypeError || error instanceof RangeError)) {
    throw new Error(`expected a TypeError or RangeError, got ${String(error)}${error instanceof Error ? `\n${error.stack}` : ''}`);
  }
  const names = typeof op === 'string' ? new RegExp(`\\b${op}\\b`, 'i') : op;
  const ok = names.test(error.message) || PYTORCH_WORDINGS.some((w) => w.test(error.message));
  if (!ok) throw new Error(`error ${error.name} does not name the op (${String(op)}): ${JSON.stringify(error.message)}`);
}

/** Calls `f`; returns its value, or undefined after checking that what it threw is typed and named. */
export function resultOrTypedError<T>(op: string | RegExp, f: () => T): { ok: true; value: T } | { ok: false; error: Error } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    expectTypedError(e, op);
    return { ok: false, error: e };
  }
}

// ---- shapes ---------------------------------------------------------------------------------

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A shape of rank 0..maxRank, each dimension 0..maxDim (0 makes an empty tensor). */
export function shapeArb(maxRank = 4, maxDim = 4, minRank = 0): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/** NumPy's broadcast shape, or null when the shapes do not broadcast. */
export function broadcastReference(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Two shapes that broadcast: each is the target shape with leading dims dropped and some dims set to 1. */
export const broadcastPairArb: fc.Arbitrary<[number[], number[]]> = shapeArb(4, 3).chain((target) => {
  const derived = fc
    .tuple(fc.integer({ min: 0, max: target.length }), fc.array(fc.boolean(), { minLength: target.length, maxLength: target.length }))
    .map(([drop, ones]) => target.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
  return fc.tuple(derived, derived);
});

/** Multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}

/** Flat position of (right-aligned, broadcast) `index` in a contiguous `shape`. */
export function ravelBroadcast(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  const offset = index.length - shape.length;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : index[d + offset]);
  return flat;
}

// ---- values and tensors ---------------------------------------------------------------------

/** float32 values, with NaN, ±Infinity, −0 and subnormals among them. */
export function f32ValuesArb(n: number): fc.Arbitrary<Float32Array> {
  return fc.float32Array({ minLength: n, maxLength: n });
}

/** float32 values that stay finite and moderate (for results compared with a tolerance). */
export function finiteF32Arb(n: number, bound = 100): fc.Arbitrary<Float32Array> {
  return fc.float32Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -bound, max: bound });
}

export const dtypeArb: fc.Arbitrary<DType> = fc.constantFrom<DType>('float32', 'int32', 'uint8', 'bool');

/** A tensor of `shape` and `dtype` with arbitrary values of that dtype (integers small: f32-exact). */
export function tensorArb(shape: readonly number[], dtype: DType, special = true): fc.Arbitrary<Tensor> {
  const n = numel(shape);
  if (dtype === 'float32') return (special ? f32ValuesArb(n) : finiteF32Arb(n)).map((v) => new Tensor(v, shape, 'float32'));
  if (dtype === 'int32') {
    return fc.array(fc.integer({ min: -2048, max: 2048 }), { minLength: n, maxLength: n }).map((v) => new Tensor(Int32Array.from(v), shape, 'int32'));
  }
  const max = dtype === 'bool' ? 1 : 255;
  return fc.array(fc.integer({ min: 0, max }), { minLength: n, maxLength: n }).map((v) => new Tensor(Uint8Array.from(v), shape, dtype));
}

/** Any tensor: random shape (possibly empty), random dtype. */
export const anyTensorArb: fc.Arbitrary<Tensor> = fc.tuple(shapeArb(), dtypeArb).chain(([shape, dtype]) => tensorArb(shape, dtype));

/** Values that are not what an argument expects: wrong types, NaN, infinities, fractions, negatives. */
export const junkArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, NaN, Infinity, -Infinity, -1, 0.5, -0, '', '1', 'abc', true, false, [], {}, [1, 2], () => 1, Symbol('s')),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -5, max: 5 }),
);

// ---- comparison -----------------------------------------------------------------------------

/**
 * `actual` equals `expected` element by element: NaN where NaN, the same infinity, and finite
 * values within `rtol·|expected| + atol` (0 for ops that are correctly rounded in f32). The
 * property tests' positional form of the fixtures' comparison (one implementation of the rule).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 0, atol = 0, what = ''): void {
  expectCloseTo(actual, expected, { rtol, atol, label: what || 'value' });
}
