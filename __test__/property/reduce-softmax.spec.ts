/**
 * Property tests of reductions (sum/mean/max/min/argmax/argmin, src/ops/reduce.ts) and
 * softmax/logSoftmax (src/ops/softmax.ts) against plain JS loops, on random shapes with empty
 * dimensions, NaN/±Infinity, random (also out-of-range and non-integer) dims and keepdim.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import type { Tensor, ValuesIndices } from '../../src/tensor';
import { check, expectClose, expectTypedError, numel, printCaseCounts, shapeArb, tensorArb } from '../helpers/arbitraries';

/** Slices of `x` along `d` as (outer, size, inner) and a reducer over each slice. */
function reduceReference(x: Tensor, d: number, f: (values: number[]) => number): Float64Array {
  const outer = numel(x.shape.slice(0, d));
  const size = x.shape[d];
  const inner = numel(x.shape.slice(d + 1));
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const values: number[] = [];
      for (let k = 0; k < size; k++) values.push(x.data[(o * size + k) * inner + i]);
      out[o * inner + i] = f(values);
    }
  }
  return out;
}

const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
/** PyTorch's max: NaN if any NaN, else the largest; index of the first NaN or first maximum. */
const argOf = (v: number[], better: (a: number, b: number) => boolean): number => {
  let best = 0;
  for (let k = 0; k < v.length; k++) {
    if (Number.isNaN(v[k])) return k;
    if (better(v[k], v[best])) best = k;
  }
  return best;
};

/** Tolerance of a float32 sum of `n` terms of magnitude up to `scale`, in any summation order. */
const sumTol = (n: number, scale: number) => n * scale * 1.2e-7 * 4 + 1e-6;

const keptShape = (shape: readonly number[], d: number, keepdim: boolean) =>
  keepdim ? shape.map((s, i) => (i === d ? 1 : s)) : shape.filter((_, i) => i !== d);

describe('reductions and softmax (property)', () => {
  afterAll(() => printCaseCounts('reduce-softmax'));

  const caseArb = shapeArb(4, 5, 1).chain((s) =>
    fc.tuple(tensorArb(s, 'float32', false), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean()),
  );

  it('sum and mean over a dim equal the reference (empty slices: 0 and NaN), with PyTorch shapes', () => {
    check('sum/mean over dim vs reference', 300, caseArb, ([x, dim, keepdim]) => {
      const d = dim < 0 ? dim + x.shape.length : dim;
      const size = x.shape[d];
      const sum = torch.sum(x, dim, keepdim);
      const mean = torch.mean(x, dim, keepdim);
      expect(sum.shape).toEqual(keptShape(x.shape, d, keepdim));
      expect(mean.shape).toEqual(sum.shape);
      expectClose(sum.data, reduceReference(x, d, sumOf), 1e-6, sumTol(size, 100), 'sum');
      expectClose(mean.data, reduceReference(x, d, (v) => sumOf(v) / v.length), 1e-6, sumTol(size, 100) / Math.max(size, 1), 'mean');
    });
  });

  it('sum over everything handles NaN/Infinity like IEEE (any NaN or +∞ + −∞ → NaN)', () => {
    const anyArb = shapeArb(3, 5).chain((s) => tensorArb(s, 'float32'));
    check('sum() of special values', 300, anyArb, (x) => {
      const got = torch.sum(x).item();
      const values = Array.from(x.data);
      const hasNaN = values.some(Number.isNaN) || (values.includes(Infinity) && values.includes(-Infinity));
      if (hasNaN) expect(got).toBeNaN();
      else if (values.includes(Infinity)) expect(got).toBe(Infinity);
      else if (values.includes(-Infinity)) expect(got).toBe(-Infinity);
      else expect(Number.isNaN(got)).toBe(false); // finite inputs may overflow to ±∞, never NaN
    });
  });

  it('max/min/argmax/argmin over a dim: values and first-occurrence indices, NaN propagates; empty dims throw naming the op', () => {
    const specialArb = shapeArb(3, 4, 1).chain((s) =>
      fc.tuple(tensorArb(s, 'float32'), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean(), fc.constantFrom<'max' | 'min'>('max', 'min')),
    );
    check('max/min/arg over dim vs reference', 300, specialArb, ([x, dim, keepdim, op]) => {
      const d = dim < 0 ? dim + x.shape.length : dim;
      const better = op === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
      if (x.shape[d] === 0) {
        expect(() => torch[op](x, dim, keepdim)).toThrow(RangeError);
        try {
          torch[op](x, dim, keepdim);
        } catch (e) {
          expectTypedError(e, op);
        }
        return;
      }
      const { values, indices } = torch[op](x, dim, keepdim) as ValuesIndices;
      const argTensor = op === 'max' ? torch.argmax(x, dim, keepdim) : torch.argmin(x, dim, keepdim);
      const shape = keptShape(x.shape, d, keepdim);
      expect(values.shape).toEqual(shape);
      expect(indices.shape).toEqual(shape);
      expect(argTensor.shape).toEqual(shape);
      const expectedIndex = reduceReference(x, d, (v) => argOf(v, better));
      const expectedValue = reduceReference(x, d, (v) => v[argOf(v, better)]);
      expectClose(indices.data, expectedIndex, 0, 0, `${op} indices`);
      expectClose(argTensor.data, expectedIndex, 0, 0, `arg${op}`);
      expectClose(values.data, expectedValue, 0, 0, `${op} values`);
    });
  });

  it('dims out of range or not integers (0.5, NaN, ±Infinity, any double) throw a typed error naming the op or in PyTorch\'s wording', () => {
    const badDim = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0.5, -5e-324));
    check('reductions with bad dims', 300, shapeArb(3, 3), badDim, fc.constantFrom('sum', 'mean', 'max', 'min', 'argmax', 'argmin', 'softmax', 'logSoftmax'), (shape, dim, op) => {
      const r = Math.max(shape.length, 1);
      fc.pre(!(Number.isInteger(dim) && dim >= -r && dim < r));
      const x = torch.zeros(shape);
      const f = torch[op as 'sum'] as (x: Tensor, d: number) => unknown;
      let threw = false;
      try {
        f(x, dim);
      } catch (e) {
        threw = true;
        expectTypedError(e, op === 'logSoftmax' ? 'log_softmax' : op);
      }
      expect(threw, `${op}(zeros([${shape}]), ${dim}) should throw`).toBe(true);
    });
  });

  it('softmax and logSoftmax over any dim match the reference; rows sum to 1; NaN stays confined to its row', () => {
    const smArb = shapeArb(3, 5, 1).chain((s) =>
      fc.tuple(tensorArb(s, 'float32', false), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean()),
    );
    check('softmax/logSoftmax vs reference', 300, smArb, ([x, dim, log]) => {
      const d = dim < 0 ? dim + x.shape.length : dim;
      const out = log ? torch.logSoftmax(x, dim) : torch.softmax(x, dim);
      expect(out.shape).toEqual(x.shape);
      const outer = numel(x.shape.slice(0, d));
      const size = x.shape[d];
      const inner = numel(x.shape.slice(d + 1));
      const expected = new Float64Array(x.data.length);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const at = (k: number) => (o * size + k) * inner + i;
          let m = -Infinity;
          for (let k = 0; k < size; k++) m = Math.max(m, x.data[at(k)]);
          let z = 0;
          for (let k = 0; k < size; k++) z += Math.exp(x.data[at(k)] - m);
          for (let k = 0; k < size; k++) expected[at(k)] = log ? x.data[at(k)] - m - Math.log(z) : Math.exp(x.data[at(k)] - m) / z;
        }
      }
      expectClose(out.data, expected, 1e-5, 1e-6, log ? 'logSoftmax' : 'softmax');
    });
  });

  it('softmax of rows with ±Infinity and NaN: PyTorch semantics (NaN rows, +∞ takes the mass)', () => {
    const rowArb = fc.integer({ min: 1, max: 6 }).chain((c) => tensorArb([3, c], 'float32'));
    check('softmax special values', 300, rowArb, (x) => {
      const out = torch.softmax(x, 1);
      const c = x.shape[1];
      for (let r = 0; r < 3; r++) {
        const row = Array.from(x.data.subarray(r * c, (r + 1) * c));
        const got = Array.from(out.data.subarray(r * c, (r + 1) * c));
        const plusInf = row.filter((v) => v === Infinity).length;
        if (row.some(Number.isNaN) || plusInf > 0 || row.every((v) => v === -Infinity)) {
          // max is +∞ (∞−∞ = NaN) or NaN or every entry −∞: PyTorch gives NaN for the whole row.
          expect(got.every(Number.isNaN), `row ${row} → ${got}`).toBe(true);
        } else {
          const total = got.reduce((a, b) => a + b, 0);
          expect(Math.abs(total - 1)).toBeLessThan(1e-5);
          expect(got.every((v) => v >= 0 && v <= 1)).toBe(true);
        }
      }
    });
  });
});
