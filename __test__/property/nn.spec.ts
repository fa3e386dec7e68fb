/**
 * Property tests of `nn.Linear`, `nn.CrossEntropyLoss` and `nn.Dropout` (src/nn, src/ops/loss.ts,
 * src/ops/dropout.ts): random shapes, sizes and options (also wrong ones), int and float targets,
 * out-of-range classes, ignoreIndex, class weights, label smoothing, dropout probabilities
 * including NaN/<0/>1/0/1 — each call gives the reference result or a typed error naming the op.
 */
import { kMaxLength } from 'node:buffer';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn } from '../../src';
import { Tensor } from '../../src/tensor';
import { check, expectClose, expectTypedError, finiteF32Arb, junkArb, numel, printCaseCounts, resultOrTypedError, shapeArb, tensorArb } from '../helpers/arbitraries';

// Absurd sizes (2^51, 1e15) throw naming Linear and the shape. Sizes between 2^20 and 2^33 are
// left out: they are allocatable (gigabytes) and would only make the suite slow, not find bugs.
const sizeArb = fc
  .oneof(fc.integer({ min: 0, max: 8 }), junkArb, fc.constantFrom(2 ** 51, 1e15))
  .filter((v) => !(typeof v === 'number' && Math.abs(v) > 2 ** 20 && Math.abs(v) < 2 ** 33));
/** Whether a Linear(inF, outF) of valid sizes fits in typed arrays (the weight, and the bias if any). */
const allocatable = (inF: number, outF: number, bias: boolean) => inF * outF <= kMaxLength && (!bias || outF <= kMaxLength);

describe('nn modules (property)', () => {
  afterAll(() => printCaseCounts('nn'));

  it('Linear(in, out) with any sizes: valid sizes build the layer, others throw a RangeError naming Linear', () => {
    check('Linear constructor with random sizes', 300, sizeArb, sizeArb, fc.boolean(), (inF, outF, bias) => {
      const valid = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
      const r = resultOrTypedError(/Linear/, () => new nn.Linear(inF as number, outF as number, { bias }));
      const fits = valid(inF) && valid(outF) && allocatable(inF as number, outF as number, bias);
      expect(r.ok, r.ok ? '' : r.error.message).toBe(fits);
      if (!r.ok && valid(inF) && valid(outF)) expect(r.error.message).toMatch(/^Linear: cannot allocate a float32 tensor of shape \[/);
      if (r.ok) {
        expect(r.value.weight.shape).toEqual([outF, inF]);
        expect(r.value.bias?.shape ?? null).toEqual(bias ? [outF] : null);
        // PyTorch's init bound 1/√in: every weight inside it (all zero-size layers are trivially fine).
        const bound = (inF as number) > 0 ? 1 / Math.sqrt(inF as number) : 0;
        expect(Array.from(r.value.weight.data).every((w) => Math.abs(w) <= bound + 1e-7)).toBe(true);
      }
    });
  });

  it('Linear.forward on inputs of random shapes/dtypes equals x·Wᵀ + b or throws a typed error naming linear', () => {
    const caseArb = fc
      .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), shapeArb(3, 4), fc.boolean(), fc.constantFrom('float32', 'float32', 'float32', 'int32' as const), fc.boolean())
      .chain(([inF, outF, lead, matching, dtype, bias]) => {
        const shape = matching ? [...lead, inF] : [...lead];
        return fc.tuple(fc.constant(inF), fc.constant(outF), tensorArb(shape, dtype, false), fc.constant(bias));
      });
    check('Linear.forward vs reference', 300, caseArb, ([inF, outF, x, bias]) => {
      torch.manualSeed(0);
      const layer = new nn.Linear(inF, outF, { bias });
      const r = resultOrTypedError(/linear/, () => layer.forward(x));
      const fits = x.dtype === 'float32' && x.shape.length > 0 && x.shape[x.shape.length - 1] === inF;
      expect(r.ok, r.ok ? '' : r.error.message).toBe(fits);
      if (!r.ok) return;
      const rows = x.data.length / Math.max(inF, 1);
      const n = inF === 0 ? numel(x.shape.slice(0, -1)) : rows;
      expect(r.value.shape).toEqual([...x.shape.slice(0, -1), outF]);
      const expected = new Float64Array(n * outF);
      for (let i = 0; i < n; i++) for (let o = 0; o < outF; o++) {
        let s = bias ? (layer.bias as Tensor).data[o] : 0;
        for (let k = 0; k < inF; k++) s += x.data[i * inF + k] * layer.weight.data[o * inF + k];
        expected[i * outF + o] = s;
      }
      expectClose(r.value.data, expected, 1e-5, 1e-4, 'linear');
    });
  });

  // ---- CrossEntropyLoss ---------------------------------------------------------------------

  type Reduction = 'none' | 'mean' | 'sum';
  interface CeCase {
    input: Tensor;
    target: Tensor;
    weight: Tensor | null;
    ignoreIndex: number;
    reduction: Reduction;
    labelSmoothing: number;
  }

  /** PyTorch's cross_entropy in float64 (rows of C classes), following aten/src/ATen/native/LossNLL.cpp. */
  function crossEntropyReference(c: CeCase): { loss: number[]; shape: number[] } | 'out of bounds' {
    const [n, classes, ...spatial] = c.input.shape.length === 1 ? [1, c.input.shape[0]] : c.input.shape;
    const inner = numel(spatial);
    const rows = n * inner;
    const at = (r: number, k: number) => c.input.data[(Math.floor(r / inner) * classes + k) * inner + (r % inner)];
    const w = (k: number) => (c.weight === null ? 1 : c.weight.data[k]);
    const logp = (r: number) => {
      let m = -Infinity;
      for (let k = 0; k < classes; k++) m = Math.max(m, at(r, k));
      let z = 0;
      for (let k = 0; k < classes; k++) z += Math.exp(at(r, k) - m);
      return Array.from({ length: classes }, (_, k) => at(r, k) - m - Math.log(z));
    };
    const ls = c.labelSmoothing;
    const noneShape = c.input.shape.length === 1 ? [] : [n, ...spatial];
    const losses: number[] = [];
    if (c.target.dtype === 'float32') {
      for (let r = 0; r < rows; r++) {
        const lp = logp(r);
        let s = 0;
        for (let k = 0; k < classes; k++) {
          const t = c.target.data[(Math.floor(r / inner) * classes + k) * inner + (r % inner)] * (1 - ls) + ls / classes;
          s -= w(k) * t * lp[k];
        }
        losses.push(s);
      }
      if (c.reduction === 'none') return { loss: losses, shape: noneShape };
      const total = losses.reduce((a, b) => a + b, 0);
      return { loss: [c.reduction === 'sum' ? total : total / rows], shape: [] };
    }
    let nll = 0;
    let smooth = 0;
    let weightSum = 0;
    const nllRows: number[] = [];
    const smoothRows: number[] = [];
    for (let r = 0; r < rows; r++) {
      const t = c.target.data[r];
      if (t === c.ignoreIndex) {
        nllRows.push(0);
        smoothRows.push(0);
        continue;
      }
      if (t < 0 || t >= classes) return 'out of bounds';
      const lp = logp(r);
      nllRows.push(-w(t) * lp[t]);
      let s = 0;
      for (let k = 0; k < classes; k++) s -= w(k) * lp[k];
      smoothRows.push(s);
      nll += -w(t) * lp[t];
      smooth += s;
      weightSum += w(t);
    }
    if (c.reduction === 'none') return { loss: nllRows.map((v, i) => (1 - ls) * v + (ls / classes) * smoothRows[i]), shape: noneShape };
    if (c.reduction === 'sum') return { loss: [(1 - ls) * nll + (ls / classes) * smooth], shape: [] };
    return { loss: [((1 - ls) * nll + (ls / classes) * smooth) / weightSum], shape: [] };
  }

  const ceCaseArb: fc.Arbitrary<CeCase> = fc
    .record({
      n: fc.integer({ min: 0, max: 5 }),
      classes: fc.integer({ min: 1, max: 6 }),
      spatial: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      unbatched: fc.boolean(),
      probabilities: fc.boolean(),
      weighted: fc.boolean(),
      ignoreIndex: fc.oneof(fc.constant(-100), fc.integer({ min: -2, max: 7 })),
      reduction: fc.constantFrom<Reduction>('none', 'mean', 'sum'),
      labelSmoothing: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
    })
    .chain((o) => {
      const inputShape = o.unbatched ? [o.classes] : [o.n, o.classes, ...o.spatial];
      const targetShape = o.probabilities ? inputShape : o.unbatched ? [] : [o.n, ...o.spatial];
      const targetArb = o.probabilities
        ? finiteF32Arb(numel(targetShape), 1).map((v) => new Tensor(v.map(Math.abs), targetShape, 'float32'))
        : fc.array(fc.integer({ min: -2, max: o.classes + 1 }), { minLength: numel(targetShape), maxLength: numel(targetShape) }).map((v) => new Tensor(Int32Array.from(v), targetShape, 'int32'));
      const weightArb = o.weighted ? finiteF32Arb(o.classes, 3).map((v) => new Tensor(v.map((x) => Math.abs(x) + 0.1), [o.classes], 'float32')) : fc.constant(null);
      return fc.record({
        input: finiteF32Arb(numel(inputShape), 10).map((v) => new Tensor(v, inputShape, 'float32')),
        target: targetArb,
        weight: weightArb,
        ignoreIndex: fc.constant(o.ignoreIndex),
        reduction: fc.constant(o.reduction),
        labelSmoothing: fc.constant(o.labelSmoothing),
      });
    });

  it('CrossEntropyLoss on random shapes, int/float targets, weights, ignoreIndex, smoothing equals PyTorch’s formula; out-of-range classes throw', () => {
    check('CrossEntropyLoss vs reference', 400, ceCaseArb, (c) => {
      const lossFunction = new nn.CrossEntropyLoss({ weight: c.weight, ignoreIndex: c.ignoreIndex, reduction: c.reduction, labelSmoothing: c.labelSmoothing });
      const input = c.input.clone().requiresGrad_();
      const expected = crossEntropyReference(c);
      if (expected === 'out of bounds') {
        expect(() => lossFunction.forward(input, c.target)).toThrow(/^Target -?\d+ is out of bounds\.$/);
        return;
      }
      const loss = lossFunction.forward(input, c.target);
      expect(loss.shape).toEqual(expected.shape);
      expectClose(loss.data, expected.loss, 1e-4, 1e-4, 'cross_entropy');
      // Backward runs and gives a gradient of the input's shape, finite wherever the loss is.
      (c.reduction === 'none' ? loss.sum() : loss).backward();
      expect((input.grad as Tensor).shape).toEqual(input.shape);
      if (expected.loss.every(Number.isFinite)) expect(Array.from((input.grad as Tensor).data).every(Number.isFinite)).toBe(true);
    });
  });

  it('CrossEntropyLoss with wrong target shapes/dtypes, weights or options throws a typed error naming the op', () => {
    const caseArb = fc.tuple(
      fc.tuple(shapeArb(3, 4, 1), fc.constantFrom('float32', 'float32', 'int32' as const)).chain(([s, d]) => tensorArb(s, d, false)),
      fc.tuple(shapeArb(3, 4), fc.constantFrom('float32', 'int32', 'uint8', 'bool' as const)).chain(([s, d]) => tensorArb(s, d, false)),
      fc.oneof(fc.constant(undefined), fc.constant(null), junkArb, fc.tuple(shapeArb(2, 5), fc.constantFrom('float32', 'int32' as const)).chain(([s, d]) => tensorArb(s, d, false))),
      fc.oneof(fc.constant(undefined), fc.constantFrom('mean', 'sum', 'none', 'avg', ''), junkArb),
      fc.oneof(fc.constant(undefined), fc.double(), junkArb),
      fc.oneof(fc.constant(undefined), fc.integer({ min: -3, max: 5 }), junkArb),
    );
    check('CrossEntropyLoss random (mostly wrong) arguments', 500, caseArb, ([input, target, weight, reduction, labelSmoothing, ignoreIndex]) => {
      const r = resultOrTypedError(/cross_entropy|CrossEntropyLoss|reduction|label_smoothing|ignore_index|ignoreIndex|weight/, () => {
        const options = { weight, reduction, labelSmoothing, ignoreIndex } as unknown as ConstructorParameters<typeof nn.CrossEntropyLoss>[0];
        return new nn.CrossEntropyLoss(options).forward(input, target);
      });
      if (r.ok) {
        // Whatever was accepted is a float32 loss: no NaN unless the inputs or an all-ignored mean made one.
        expect(r.value.dtype).toBe('float32');
        expect(input.dtype).toBe('float32');
      }
    });
  });

  // ---- Dropout ------------------------------------------------------------------------------

  const pArb = fc.oneof(
    fc.constantFrom(0, 1, 0.5, NaN, -0.1, 1.1, Infinity, -Infinity, -0, 1e-300, 1 - 1e-16),
    fc.double(),
    fc.double({ min: 0, max: 1, noNaN: true }),
    junkArb,
  );

  it('Dropout(p) for any p: 0 ≤ p ≤ 1 builds, anything else throws a typed error naming dropout', () => {
    check('Dropout constructor with random p', 500, pArb, (p) => {
      // `undefined` is an omitted argument: the default 0.5.
      const valid = p === undefined || (typeof p === 'number' && p >= 0 && p <= 1);
      const r = resultOrTypedError(/dropout/, () => new nn.Dropout(p as number));
      expect(r.ok, `Dropout(${String(p)})`).toBe(valid);
      if (!r.ok && typeof p === 'number') expect(r.error).toBeInstanceOf(RangeError);
    });
  });

  it('Dropout.forward: every element is dropped (x·0) or kept (x·fround(1/(1−p))); p = 0 and eval are the identity; p = 1 zeroes', () => {
    const caseArb = fc.tuple(
      fc.double({ min: 0, max: 1, noNaN: true }).chain((p) => fc.constantFrom(p, 0, 1, 0.5)),
      shapeArb(3, 6).chain((s) => tensorArb(s, 'float32')),
      fc.boolean(),
    );
    check('Dropout.forward vs reference', 400, caseArb, ([p, x, training]) => {
      const drop = new nn.Dropout(p);
      if (!training) drop.eval();
      const out = drop.forward(x);
      expect(out.shape).toEqual(x.shape);
      if (!training || p === 0) {
        expectClose(out.data, x.data, 0, 0, 'identity');
        return;
      }
      const scale = Math.fround(1 / Math.fround(1 - p));
      for (let i = 0; i < x.data.length; i++) {
        const v = x.data[i];
        const dropped = v * 0;
        const kept = Math.fround(v * scale);
        const got = out.data[i];
        const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b;
        if (p === 1 ? !same(got, dropped) : !same(got, dropped) && !same(got, kept)) {
          throw new Error(`dropout(p=${p}) of ${v}: got ${got}, expected ${dropped} or ${kept}`);
        }
      }
    });
  });

  it('F.dropout with wrong inputs or p throws a typed error naming dropout', () => {
    check('F.dropout random arguments', 300, fc.oneof(fc.constant(null), junkArb, shapeArb(2, 3).chain((s) => tensorArb(s, 'int32'))), pArb, (x, p) => {
      const r = resultOrTypedError(/dropout/, () => nn.functional.dropout(x as Tensor, p as number, true));
      // Only p = 0 passes (PyTorch returns an integer input unchanged then); an invalid p, a
      // non-tensor or (for p > 0) an integer tensor throws.
      expect(r.ok, `dropout(${String(x)}, ${String(p)})`).toBe(x instanceof Tensor && (p === 0 || p === undefined ? p === 0 : false));
      if (r.ok) expect(r.value).toBe(x);
    });
  });
});
