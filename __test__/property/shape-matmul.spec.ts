/**
 * Property tests of the shape ops (reshape/view with -1, flatten, squeeze/unsqueeze, transpose,
 * permute, expand; src/ops/shape.ts) and of matmul's 1-D/2-D/batched rules (src/ops/matmul.ts)
 * against plain JS re-indexing and triple loops, on random shapes with empty dimensions.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { Tensor } from '../../src/tensor';
import {
  broadcastReference,
  check,
  expectClose,
  expectTypedError,
  finiteF32Arb,
  numel,
  printCaseCounts,
  resultOrTypedError,
  shapeArb,
  tensorArb,
  unravel,
} from '../helpers/arbitraries';

/** Contiguous flat index of a multi-index. */
function ravel(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + index[d];
  return flat;
}

/** Reference permute: out[i…] = x[i permuted back]. */
function permuteReference(x: Tensor, order: readonly number[]): { shape: number[]; data: Float32Array } {
  const shape = order.map((d) => x.shape[d]);
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    const outIndex = unravel(i, shape);
    const inIndex = new Array<number>(order.length);
    order.forEach((d, k) => (inIndex[d] = outIndex[k]));
    data[i] = x.data[ravel(inIndex, x.shape)];
  }
  return { shape, data };
}

/** Naive float64 matmul of (B…, m, k)·(B…, k, n) with NumPy batch broadcasting already resolved by the caller. */
function mmReference(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
    out[i * n + j] = s;
  }
  return out;
}

describe('shape ops and matmul (property)', () => {
  afterAll(() => printCaseCounts('shape-matmul'));

  it('permute and transpose move elements exactly as index arithmetic says', () => {
    const caseArb = shapeArb(4, 4, 1).chain((s) =>
      fc.tuple(tensorArb(s, 'float32'), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 0, max: s.length - 1 })),
    );
    check('permute/transpose vs reference', 300, caseArb, ([x, order, d0, d1]) => {
      const p = torch.permute(x, order);
      const ref = permuteReference(x, order);
      expect(p.shape).toEqual(ref.shape);
      expectClose(p.data, ref.data, 0, 0, 'permute');
      const swap = [...x.shape.keys()];
      [swap[d0], swap[d1]] = [swap[d1], swap[d0]];
      const t = torch.transpose(x, d0 - x.shape.length, d1);
      const tref = permuteReference(x, swap);
      expect(t.shape).toEqual(tref.shape);
      expectClose(t.data, tref.data, 0, 0, 'transpose');
    });
  });

  it('reshape/view/flatten/squeeze/unsqueeze keep the elements in order and give the expected shape', () => {
    const caseArb = shapeArb(4, 4).chain((s) =>
      fc.tuple(
        tensorArb(s, 'float32'),
        fc.shuffledSubarray([...s.keys()]),
        fc.integer({ min: -(s.length + 1), max: s.length }),
      ),
    );
    check('reshape family vs reference', 300, caseArb, ([x, mergeDims, unsq]) => {
      const n = x.data.length;
      // reshape to [n] and, when possible, to [-1, last] — inferred size as PyTorch computes it.
      expect(torch.reshape(x, [-1]).shape).toEqual([n]);
      const last = x.shape[x.shape.length - 1];
      if (x.shape.length > 0 && last > 0) {
        const r = x.reshape(-1, last);
        expect(r.shape).toEqual([n / last, last]);
        expectClose(r.data, x.data, 0, 0, 'reshape');
      }
      const flat = torch.flatten(x);
      expect(flat.shape).toEqual(x.shape.length === 0 ? [1] : [n]);
      const u = torch.unsqueeze(x, unsq);
      const at = unsq < 0 ? unsq + x.shape.length + 1 : unsq;
      expect(u.shape).toEqual([...x.shape.slice(0, at), 1, ...x.shape.slice(at)]);
      expect(torch.squeeze(u, at).shape).toEqual(x.shape);
      expect(torch.squeeze(x).shape).toEqual(x.shape.filter((d) => d !== 1));
      void mergeDims;
    });
  });

  it('reshape to any list of sizes either fits the element count or throws a typed error', () => {
    const sizeArb = fc.array(fc.oneof(fc.integer({ min: -3, max: 6 }), fc.constantFrom(0.5, NaN, Infinity)), { maxLength: 4 });
    check('reshape with random sizes', 400, shapeArb(3, 4), sizeArb, (shape, sizes) => {
      const x = torch.arange(numel(shape)).reshape(shape);
      const r = resultOrTypedError(/reshape|view|shape|dimension/, () => x.reshape(sizes));
      if (r.ok) {
        expect(r.value.data.length).toBe(x.data.length);
        expect(sizes.every((s) => Number.isInteger(s) && s >= -1)).toBe(true);
        expect(sizes.filter((s) => s === -1).length).toBeLessThanOrEqual(1);
        r.value.shape.forEach((d, i) => sizes[i] !== -1 && expect(d).toBe(sizes[i]));
        expect(numel(r.value.shape)).toBe(numel(shape));
      } else {
        const valid = sizes.every((s) => Number.isInteger(s) && s >= -1) && sizes.filter((s) => s === -1).length <= 1;
        const known = sizes.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
        const fits = sizes.includes(-1) ? known > 0 && numel(shape) % known === 0 : known === numel(shape);
        expect(valid && fits, `reshape([${shape}] → [${sizes}]) threw ${r.error.message}`).toBe(false);
      }
    });
  });

  it('expand to random sizes follows PyTorch’s rules or throws a typed error naming expand', () => {
    const caseArb = shapeArb(3, 3).chain((s) => fc.tuple(fc.constant(s), fc.array(fc.integer({ min: -2, max: 4 }), { minLength: 0, maxLength: 5 })));
    check('expand with random sizes', 300, caseArb, ([shape, sizes]) => {
      const x = torch.arange(numel(shape)).float().reshape(shape);
      const r = resultOrTypedError(/expand/, () => x.expand(sizes));
      const offset = sizes.length - shape.length;
      if (r.ok) {
        expect(offset).toBeGreaterThanOrEqual(0);
        const expected = sizes.map((s, i) => (i >= offset && s === -1 ? shape[i - offset] : s));
        expect(r.value.shape).toEqual(expected);
        for (let i = 0; i < r.value.data.length; i++) {
          const index = unravel(i, expected).slice(offset).map((v, d) => (shape[d] === 1 ? 0 : v));
          expect(r.value.data[i]).toBe(x.data[ravel(index, shape)]);
        }
      } else {
        const ok = offset >= 0 && sizes.every((s, i) => (i < offset ? s >= 0 : s === -1 || s === shape[i - offset] || (shape[i - offset] === 1 && s >= 0)));
        expect(ok, `expand([${shape}] → [${sizes}]) threw ${r.error.message}`).toBe(false);
      }
    });
  });

  it('shape ops with a bad dim (out of range or not an integer) throw a typed error naming the op or in PyTorch\'s wording', () => {
    const badDim = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0.5, -5e-324));
    // Each op with the rank its dim is checked against (stack and unsqueeze address one more slot).
    const ops: Record<string, { extra: number; call: (x: Tensor, d: number) => unknown }> = {
      cat: { extra: 0, call: (x, d) => torch.cat([x, x], d) },
      stack: { extra: 1, call: (x, d) => torch.stack([x, x], d) },
      flatten: { extra: 0, call: (x, d) => torch.flatten(x, d) },
      unsqueeze: { extra: 1, call: (x, d) => torch.unsqueeze(x, d) },
      squeeze: { extra: 0, call: (x, d) => torch.squeeze(x, d) },
      transpose: { extra: 0, call: (x, d) => torch.transpose(x, 0, d) },
      permute: { extra: 0, call: (x, d) => torch.permute(x, [d, ...x.shape.map((_, i) => i).slice(1)]) },
      size: { extra: 0, call: (x, d) => x.size(d) },
    };
    check('shape ops with bad dims', 300, shapeArb(3, 3, 1), badDim, fc.constantFrom(...Object.keys(ops)), (shape, dim, op) => {
      const r = shape.length + ops[op].extra;
      fc.pre(!(Number.isInteger(dim) && dim >= -r && dim < r));
      let threw = false;
      try {
        ops[op].call(torch.zeros(shape), dim);
      } catch (e) {
        threw = true;
        expectTypedError(e, op);
      }
      expect(threw, `${op}(zeros([${shape}]), ${dim}) should throw`).toBe(true);
    });
  });

  it('matmul of random 1-D/2-D/3-D/4-D operands: PyTorch result shape and values of a naive triple loop', () => {
    // Compatible pairs: inner dims equal, batch dims broadcastable (sometimes 1 or missing).
    const dim = fc.integer({ min: 0, max: 4 });
    const caseArb = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), dim, dim, dim, shapeArb(3, 3), fc.boolean())
      .chain(([ra, rb, m, k, n, batch, dropB]) => {
        // Trailing parts of one batch shape, so that they broadcast (b's with some dims 1).
        const trailing = (rank: number) => batch.slice(Math.max(batch.length - Math.max(rank - 2, 0), 0));
        const sa = ra === 1 ? [k] : [...trailing(ra), m, k];
        const sb = rb === 1 ? [k] : [...(dropB ? [] : trailing(rb).map((d, i) => (i % 2 ? 1 : d))), k, n];
        return fc.tuple(finiteF32Arb(numel(sa), 10).map((v) => new Tensor(v, sa, 'float32')), finiteF32Arb(numel(sb), 10).map((v) => new Tensor(v, sb, 'float32')));
      });
    check('matmul vs naive loops', 300, caseArb, ([a, b]) => {
      const a2 = a.shape.length === 1 ? [1, a.shape[0]] : a.shape.slice(-2);
      const b2 = b.shape.length === 1 ? [b.shape[0], 1] : b.shape.slice(-2);
      const [m, k] = a2;
      const n = b2[1];
      const batch = broadcastReference(a.shape.slice(0, -2), b.shape.slice(0, -2));
      fc.pre(batch !== null);
      const r = resultOrTypedError(/matmul|mm/, () => torch.matmul(a, b));
      if (!r.ok) throw r.error;
      const expectedShape = [...(batch as number[]), ...(a.shape.length > 1 ? [m] : []), ...(b.shape.length > 1 ? [n] : [])];
      expect(r.value.shape).toEqual(expectedShape);
      const count = numel(batch as number[]);
      const aBatch = a.shape.slice(0, -2);
      const bBatch = b.shape.slice(0, -2);
      const pick = (t: Tensor, tb: number[], flatBatch: number, size: number) => {
        const index = unravel(flatBatch, batch as number[]).slice((batch as number[]).length - tb.length).map((v, d) => (tb[d] === 1 ? 0 : v));
        const start = ravel(index, tb) * size;
        return t.data.subarray(start, start + size);
      };
      for (let i = 0; i < count; i++) {
        const expected = mmReference(pick(a, aBatch, i, m * k), pick(b, bBatch, i, k * n), m, k, n);
        const got = r.value.data.subarray(i * m * n, (i + 1) * m * n);
        expectClose(got, expected, 1e-5, 1e-4 * (k + 1), 'matmul');
      }
    });
  });

  it('matmul of random (mostly incompatible) shapes and dtypes either is right or throws a typed error', () => {
    const caseArb = fc.tuple(shapeArb(4, 3), shapeArb(4, 3), fc.constantFrom('float32', 'int32', 'float32', 'bool' as const));
    check('matmul random shapes/dtypes', 400, caseArb, ([sa, sb, dtype]) => {
      const a = torch.ones(sa).to(dtype as 'float32');
      const b = torch.ones(sb);
      const r = resultOrTypedError(/matmul|mm|bmm|expand/, () => torch.matmul(a, b));
      if (r.ok) {
        // All-ones operands: every element of the product is the inner size.
        const k = sa[sa.length - 1];
        expect(Array.from(r.value.data).every((v) => v === k)).toBe(true);
      }
    });
  });
});
