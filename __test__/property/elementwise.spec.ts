/**
 * Property tests of the elementwise ops (src/ops/elementwise.ts) against plain JS loops: NumPy
 * broadcasting on random shapes (empty dims included), float32 values with NaN/±Infinity/−0,
 * scalars, integer dtypes, and arguments of the wrong type or shape.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { Tensor } from '../../src/tensor';
import type { DType } from '../../src/dtype';
import {
  broadcastPairArb,
  broadcastReference,
  check,
  expectClose,
  expectTypedError,
  f32ValuesArb,
  junkArb,
  numel,
  printCaseCounts,
  ravelBroadcast,
  shapeArb,
  tensorArb,
  unravel,
} from '../helpers/arbitraries';

type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'pow';
const BINARY: Record<BinaryName, { f: (a: number, b: number) => number; rtol: number }> = {
  // IEEE +, −, ×, ÷ of two f32 computed in f64 and rounded once are the correctly rounded f32 result.
  add: { f: (a, b) => a + b, rtol: 0 },
  sub: { f: (a, b) => a - b, rtol: 0 },
  mul: { f: (a, b) => a * b, rtol: 0 },
  div: { f: (a, b) => a / b, rtol: 0 },
  // powf is not correctly rounded; a few ulps.
  pow: { f: (a, b) => Math.pow(a, b), rtol: 4e-7 },
};
const binaryNameArb = fc.constantFrom<BinaryName>('add', 'sub', 'mul', 'div', 'pow');

/** The reference of `a op b` with broadcasting, rounded to f32. */
function broadcastReferenceValues(op: BinaryName, a: Tensor, b: Tensor, outShape: number[]): Float32Array {
  const out = new Float32Array(numel(outShape));
  for (let i = 0; i < out.length; i++) {
    const index = unravel(i, outShape);
    out[i] = BINARY[op].f(a.data[ravelBroadcast(index, a.shape)], b.data[ravelBroadcast(index, b.shape)]);
  }
  return out;
}

const unary = {
  neg: (x: number) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  relu: (x: number) => (Number.isNaN(x) ? NaN : Math.max(x, 0)),
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  abs: Math.abs,
} as const;
type UnaryName = keyof typeof unary;

describe('elementwise ops (property)', () => {
  afterAll(() => printCaseCounts('elementwise'));

  it('binary ops on broadcastable float32 shapes equal the NumPy-broadcast reference (NaN/Infinity included)', () => {
    const caseArb = fc
      .tuple(broadcastPairArb, binaryNameArb)
      .chain(([[sa, sb], op]) => fc.tuple(tensorArb(sa, 'float32'), tensorArb(sb, 'float32'), fc.constant(op)));
    check('binary float32 broadcasting vs reference', 400, caseArb, ([a, b, op]) => {
      const expectedShape = broadcastReference(a.shape, b.shape) as number[];
      const out = torch[op](a, b);
      expect(out.shape).toEqual(expectedShape);
      expect(out.dtype).toBe('float32');
      expectClose(out.data, broadcastReferenceValues(op, a, b, expectedShape), BINARY[op].rtol, 0, `${op}`);
    });
  });

  it('shapes that do not broadcast throw a ShapeError naming the sizes and the dimension', () => {
    check('binary non-broadcastable shapes', 300, shapeArb(4, 4), shapeArb(4, 4), binaryNameArb, (sa, sb, op) => {
      fc.pre(broadcastReference(sa, sb) === null);
      const a = torch.zeros(sa);
      const b = torch.zeros(sb);
      let thrown: unknown;
      try {
        torch[op](a, b);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(torch.ShapeError);
      expectTypedError(thrown, op);
      const m = /tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension (\d+)/.exec((thrown as Error).message);
      expect(m, (thrown as Error).message).not.toBeNull();
      const [da, db, dim] = (m as RegExpExecArray).slice(1).map(Number);
      const rank = Math.max(sa.length, sb.length);
      expect(sa[sa.length - rank + dim] ?? 1).toBe(da);
      expect(sb[sb.length - rank + dim] ?? 1).toBe(db);
    });
  });

  it('tensor op scalar (either side) equals the reference for any float32 values and any JS number', () => {
    const caseArb = shapeArb(3, 4).chain((s) => fc.tuple(tensorArb(s, 'float32'), fc.double(), binaryNameArb));
    check('binary tensor-scalar vs reference', 300, caseArb, ([a, s, op]) => {
      const out = torch[op](a, s);
      expect(out.shape).toEqual(a.shape);
      const sf = Math.fround(s);
      expectClose(out.data, Float32Array.from(a.data, (x) => BINARY[op].f(x, sf)), BINARY[op].rtol, 0, `${op} scalar`);
    });
  });

  it('integer and bool operands: PyTorch result dtypes and exact values', () => {
    const intOps = fc.constantFrom<'add' | 'mul' | 'sub'>('add', 'mul', 'sub');
    const intDtype = fc.constantFrom<'int32' | 'uint8' | 'bool'>('int32', 'uint8', 'bool');
    const caseArb = fc
      .tuple(broadcastPairArb, intDtype, fc.oneof(intDtype, fc.constant<'float32'>('float32')), intOps)
      .chain(([[sa, sb], da, db, op]) => fc.tuple(tensorArb(sa, da, false), tensorArb(sb, db, false), fc.constant(op)));
    check('binary integer/bool dtypes vs reference', 400, caseArb, ([a, b, op]) => {
      if (op === 'sub' && a.dtype === 'bool' && b.dtype === 'bool') {
        // PyTorch: "Subtraction, the `-` operator, with two bool tensors is not supported."
        expect(() => torch.sub(a, b)).toThrow(/Subtraction, the `-` operator, with two bool tensors/);
        return;
      }
      const out = torch[op](a, b);
      const rank = { bool: 0, uint8: 1, int32: 2, float32: 3 } as const;
      const dtype = rank[a.dtype] >= rank[b.dtype] ? a.dtype : b.dtype;
      expect(out.dtype).toBe(dtype);
      const shape = broadcastReference(a.shape, b.shape) as number[];
      expect(out.shape).toEqual(shape);
      const exact = broadcastReferenceValues(op, a, b, shape);
      // Integer results of small integers are exact; uint8 wraps modulo 256 and bool is "non-zero", like PyTorch.
      const expected =
        dtype === 'bool' ? Uint8Array.from(exact, (x) => (x !== 0 ? 1 : 0))
        : dtype === 'uint8' ? Uint8Array.from(exact, (x) => x & 255)
        : dtype === 'int32' ? Int32Array.from(exact)
        : exact;
      expectClose(out.data, expected, 0, 0, op);
    });
  });

  it('pow of integer/bool operands: PyTorch result dtypes and exact values; bool ** bool refuses as PyTorch', () => {
    const anyDtype = fc.constantFrom<'int32' | 'uint8' | 'bool' | 'float32'>('int32', 'uint8', 'bool', 'float32');
    // Small non-negative values keep integer powers exact (≤ 3³) and away from 0 ** negative.
    const smallArb = (shape: readonly number[], dtype: DType) =>
      fc.array(fc.integer({ min: 0, max: dtype === 'bool' ? 1 : 3 }), { minLength: numel(shape), maxLength: numel(shape) })
        .map((v) => new Tensor(dtype === 'float32' ? Float32Array.from(v) : dtype === 'int32' ? Int32Array.from(v) : Uint8Array.from(v), shape, dtype));
    const caseArb = fc
      .tuple(broadcastPairArb, anyDtype, anyDtype)
      .chain(([[sa, sb], da, db]) => fc.tuple(smallArb(sa, da), smallArb(sb, db)));
    check('pow integer/bool dtypes vs reference', 300, caseArb, ([a, b]) => {
      if (a.dtype === 'bool' && b.dtype === 'bool') {
        expect(() => torch.pow(a, b)).toThrow(new TypeError(`"pow" not implemented for 'Bool'`));
        expect(() => a.pow(b)).toThrow(new TypeError(`"pow" not implemented for 'Bool'`));
        return;
      }
      const out = torch.pow(a, b);
      const rank = { bool: 0, uint8: 1, int32: 2, float32: 3 } as const;
      expect(out.dtype).toBe(rank[a.dtype] >= rank[b.dtype] ? a.dtype : b.dtype);
      const shape = broadcastReference(a.shape, b.shape) as number[];
      expect(out.shape).toEqual(shape);
      expectClose(out.data, broadcastReferenceValues('pow', a, b, shape), 0, 0, 'pow');
    });
  });

  it('unary ops equal Math.* on any float32 values, keep the shape, and give float32', () => {
    const caseArb = shapeArb(3, 5).chain((s) => fc.tuple(tensorArb(s, 'float32'), fc.constantFrom(...(Object.keys(unary) as UnaryName[]))));
    check('unary float32 vs Math', 300, caseArb, ([x, op]) => {
      const out = torch[op](x);
      expect(out.shape).toEqual(x.shape);
      expect(out.dtype).toBe('float32');
      // Vectorised exp/log/tanh/sigmoid are polynomial approximations: a few ulps, and an absolute
      // floor for results near 0 (sigmoid of large negatives, tanh near 0).
      const tol = op === 'neg' || op === 'abs' || op === 'relu' || op === 'sqrt' ? [0, 0] : [2e-6, 1e-30];
      expectClose(out.data, Float32Array.from(x.data, unary[op]), tol[0], tol[1], op);
    });
  });

  it('autograd through broadcasting: gradients have the operands’ shapes and the summed values', () => {
    const caseArb = broadcastPairArb.chain(([sa, sb]) => fc.tuple(tensorArb(sa, 'float32', false), tensorArb(sb, 'float32', false)));
    check('add/mul backward through broadcasting', 150, caseArb, ([a0, b0]) => {
      const a = a0.clone().requiresGrad_();
      const b = b0.clone().requiresGrad_();
      torch.mul(a, b).sum().backward();
      const shape = broadcastReference(a.shape, b.shape) as number[];
      const ga = new Float64Array(a.data.length);
      const gb = new Float64Array(b.data.length);
      for (let i = 0; i < numel(shape); i++) {
        const index = unravel(i, shape);
        const ia = ravelBroadcast(index, a.shape);
        const ib = ravelBroadcast(index, b.shape);
        ga[ia] += b.data[ib];
        gb[ib] += a.data[ia];
      }
      expect((a.grad as Tensor).shape).toEqual(a.shape);
      expect((b.grad as Tensor).shape).toEqual(b.shape);
      expectClose((a.grad as Tensor).data, ga, 1e-5, 1e-3, 'grad a');
      expectClose((b.grad as Tensor).data, gb, 1e-5, 1e-3, 'grad b');
    });
  });

  it('wrong argument types throw a TypeError naming the op', () => {
    check('binary/unary junk arguments', 300, binaryNameArb, junkArb, junkArb, (op, x, y) => {
      fc.pre(!(x instanceof Tensor));
      try {
        (torch[op] as (a: unknown, b: unknown) => Tensor)(x, y);
      } catch (e) {
        expectTypedError(e, op);
        return;
      }
      throw new Error(`${op}(${String(x)}, ${String(y)}) returned instead of throwing`);
    });
    check('binary junk other', 300, binaryNameArb, junkArb, (op, y) => {
      fc.pre(typeof y !== 'number');
      expect(() => (torch[op] as (a: unknown, b: unknown) => Tensor)(torch.ones([2]), y)).toThrow(TypeError);
      try {
        (torch[op] as (a: unknown, b: unknown) => Tensor)(torch.ones([2]), y);
      } catch (e) {
        expectTypedError(e, op);
      }
    });
  });

  // A float that does not fit an integer dtype (NaN, ±inf, out of range) is refused with a
  // RangeError naming it (#10.2); every other value converts as PyTorch converts it.
  it('special float32 values convert to every dtype exactly, or are refused when they do not fit', () => {
    const caseArb = shapeArb(2, 6).chain((s) => fc.tuple(f32ValuesArb(numel(s)).map((v) => new Tensor(v, s, 'float32')), fc.constantFrom('int32', 'uint8', 'bool', 'float32' as const)));
    check('to(dtype) of special values', 200, caseArb, ([x, dtype]) => {
      const limit = dtype === 'int32' ? 2 ** 31 : 2 ** 63;
      const unfit = dtype === 'int32' || dtype === 'uint8' ? Array.from(x.data as Float32Array).find((v) => !(Math.trunc(v) >= -limit && Math.trunc(v) < limit)) : undefined;
      if (unfit !== undefined) {
        expect(() => x.to(dtype as 'int32')).toThrow(new RangeError(`to: value ${unfit} cannot be converted to type ${dtype}_t without overflow`));
        return;
      }
      const y = x.to(dtype as 'int32');
      expect(y.shape).toEqual(x.shape);
      for (let i = 0; i < x.data.length; i++) {
        const v = x.data[i];
        const expected =
          dtype === 'float32' ? v : dtype === 'bool' ? (v !== 0 ? 1 : 0) : dtype === 'int32' ? Math.trunc(v) : Number(BigInt.asUintN(8, BigInt(Math.trunc(v))));
        if (!(Object.is(y.data[i], expected) || (Number.isNaN(v) && dtype === 'float32' && Number.isNaN(y.data[i])) || y.data[i] === expected)) {
          throw new Error(`to(${dtype}) of ${v}: got ${y.data[i]}, expected ${expected}`);
        }
      }
    });
  });
});
