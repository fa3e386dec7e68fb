/**
 * Integer ops match BigInt arithmetic (#10.2): over the whole int32 range and the whole int64
 * range, every integer op gives the mathematically exact result wrapped as PyTorch wraps (int32
 * at 2^32, int64 at 2^64), or throws a RangeError — never a third outcome (a float32 rounding).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { check } from '../helpers/arbitraries';

type Width = 32 | 64;
const wrap = (width: Width, v: bigint): bigint => BigInt.asIntN(width, v);

const valuesArb = (width: Width): fc.Arbitrary<bigint[]> =>
  fc.array(fc.bigInt({ min: -(2n ** BigInt(width - 1)), max: 2n ** BigInt(width - 1) - 1n }), { minLength: 1, maxLength: 8 });

function tensorOf(width: Width, values: readonly bigint[]): torch.Tensor {
  return width === 64 ? torch.tensor(values as bigint[]) : torch.tensor(Int32Array.from(values, Number));
}

function bigints(t: torch.Tensor): bigint[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => BigInt(v));
}

function ipow(width: Width, base: bigint, e: bigint): bigint {
  let r = 1n;
  for (let k = 0n; k < e; k++) r = wrap(width, r * base);
  return r;
}

const BINARY: Array<[string, (a: torch.Tensor, b: torch.Tensor) => torch.Tensor, (x: bigint, y: bigint) => bigint]> = [
  ['add', (a, b) => a.add(b), (x, y) => x + y],
  ['sub', (a, b) => a.sub(b), (x, y) => x - y],
  ['mul', (a, b) => a.mul(b), (x, y) => x * y],
  ['maximum', (a, b) => a.maximum(b), (x, y) => (x > y ? x : y)],
  ['minimum', (a, b) => a.minimum(b), (x, y) => (x < y ? x : y)],
];

const UNARY: Array<[string, (a: torch.Tensor) => torch.Tensor, (x: bigint) => bigint]> = [
  ['neg', (a) => a.neg(), (x) => -x],
  ['abs', (a) => a.abs(), (x) => (x < 0n ? -x : x)],
  ['relu', (a) => a.relu(), (x) => (x > 0n ? x : 0n)],
];

describe('integer ops match BigInt arithmetic (property)', () => {
  for (const width of [32, 64] as const) {
    const dtype = width === 32 ? 'int32' : 'int64';

    it(`${dtype}: add, sub, mul, maximum, minimum are exact with ${width}-bit wrap-around`, () => {
      const pairArb = valuesArb(width).chain((a) => fc.tuple(fc.constant(a), fc.array(fc.bigInt({ min: -(2n ** BigInt(width - 1)), max: 2n ** BigInt(width - 1) - 1n }), { minLength: a.length, maxLength: a.length })));
      check(`${dtype} binary ops`, 300, pairArb, ([a, b]) => {
        for (const [name, op, ref] of BINARY) {
          const out = op(tensorOf(width, a), tensorOf(width, b));
          expect(out.dtype, name).toBe(dtype);
          expect(bigints(out), name).toEqual(a.map((x, i) => wrap(width, ref(x, b[i]))));
        }
      });
    });

    it(`${dtype}: neg, abs, relu, sum, max, min, argmax and comparisons are exact`, () => {
      check(`${dtype} unary ops and reductions`, 300, valuesArb(width), (a) => {
        const t = tensorOf(width, a);
        for (const [name, op, ref] of UNARY) expect(bigints(op(t)), name).toEqual(a.map((x) => wrap(width, ref(x))));
        const sum = t.sum();
        expect(sum.dtype).toBe('int64');
        expect(sum.itemBigInt()).toBe(wrap(64, a.reduce((s, x) => s + x, 0n)));
        const max = a.reduce((m, x) => (x > m ? x : m));
        const min = a.reduce((m, x) => (x < m ? x : m));
        expect(t.max().itemBigInt()).toBe(max);
        expect(t.min().itemBigInt()).toBe(min);
        expect(t.argmax().item()).toBe(a.indexOf(max));
        const pivot = tensorOf(width, a.map(() => a[0]));
        expect(t.gt(pivot).tolist()).toEqual(a.map((x) => x > a[0]));
        expect(t.eq(pivot).tolist()).toEqual(a.map((x) => x === a[0]));
      });
    });

    it(`${dtype}: pow with a small non-negative exponent wraps like repeated multiplication`, () => {
      check(`${dtype} pow`, 200, valuesArb(width), fc.integer({ min: 0, max: 70 }), (a, e) => {
        expect(bigints(tensorOf(width, a).pow(e))).toEqual(a.map((x) => ipow(width, x, BigInt(e))));
      });
    });

    it(`${dtype}: a scalar operand is exact when it fits, and refused with a RangeError when it does not`, () => {
      const scalarArb = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.double({ min: -1e20, max: 1e20, noNaN: true }).map(Math.trunc));
      check(`${dtype} scalar add`, 300, valuesArb(width), scalarArb, (a, s) => {
        const fits = width === 64 ? Math.abs(s) < 2 ** 63 : s >= -(2 ** 31) && s < 2 ** 31;
        if (!fits) {
          expect(() => tensorOf(width, a).add(s)).toThrow(RangeError);
          return;
        }
        expect(bigints(tensorOf(width, a).add(s))).toEqual(a.map((x) => wrap(width, x + BigInt(s))));
      });
    });
  }
});
