import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import * as P from '../../src/ops/pool';
import { expectClose, loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
interface Case {
  op: string;
  shape: number[];
  size: number | (number | null)[];
  options: Record<string, unknown>;
  input: Num[];
  gradOutput: number[];
  outShape: number[];
  output: Num[];
  indices: number[] | null;
  grad: Num[];
  gradFn: string;
}
interface ErrorCase {
  op: string;
  shape: number[];
  size: number | number[];
  options: Record<string, unknown>;
  message: string;
}
const fixture = loadFixture<{ cases: Case[]; errors: ErrorCase[] }>('pool');
const num = (v: Num): number => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity);

/** Calls the op as a user would; max pooling asks for its indices. */
function run(op: string, x: torch.Tensor, size: unknown, options: Record<string, unknown>): [torch.Tensor, torch.Tensor | null] {
  const s = size as never;
  switch (op) {
    case 'maxPool1d':
      return P.maxPool1d(x, s, { ...options, returnIndices: true });
    case 'maxPool2d':
      return P.maxPool2d(x, s, { ...options, returnIndices: true });
    case 'adaptiveMaxPool2d':
      return P.adaptiveMaxPool2d(x, s, { returnIndices: true });
    case 'avgPool1d':
      return [P.avgPool1d(x, s, options), null];
    case 'avgPool2d':
      return [P.avgPool2d(x, s, options), null];
    case 'adaptiveAvgPool1d':
      return [P.adaptiveAvgPool1d(x, s), null];
    case 'adaptiveAvgPool2d':
      return [P.adaptiveAvgPool2d(x, s), null];
    default:
      throw new Error(op);
  }
}

describe('pooling against PyTorch (scripts/fixtures/make_pool_fixtures.py)', () => {
  for (const c of fixture.cases) {
    const label = `${c.op}(${JSON.stringify(c.shape)}, ${JSON.stringify(c.size)}, ${JSON.stringify(c.options)})`;
    it(label, () => {
      const x = torch.tensor(Float32Array.from(c.input.map(num))).reshape(c.shape).requiresGrad_();
      const [out, indices] = run(c.op, x, c.size, c.options);
      expect(out.shape).toEqual(c.outShape);
      expect(out.gradFn?.name).toBe(c.gradFn);
      expectClose(out.data as Float32Array, c.output.map(num), { rtol: 1e-5, atol: 1e-6, label });
      if (c.indices !== null) {
        expect(indices?.dtype).toBe('int64');
        expect(indices?.shape).toEqual(c.outShape);
        expect(Array.from(indices?.data as BigInt64Array, Number)).toEqual(c.indices);
      }
      out.backward(torch.tensor(Float32Array.from(c.gradOutput)).reshape(c.outShape));
      expectClose(x.grad?.data as Float32Array, c.grad.map(num), { rtol: 1e-5, atol: 1e-5, label: `${label} grad` });
    });
  }
});

describe('pooling errors, worded as PyTorch (fixture)', () => {
  for (const e of fixture.errors) {
    it(`${e.op}(${JSON.stringify(e.shape)}, ${JSON.stringify(e.size)}, ${JSON.stringify(e.options)}) → ${e.message}`, () => {
      const x = torch.zeros(e.shape);
      expect(() => run(e.op, x, e.size, e.options)).toThrow(e.message);
      try {
        run(e.op, x, e.size, e.options);
      } catch (error) {
        expect(error).toBeInstanceOf(RangeError);
        expect((error as Error).message).toBe(e.message);
      }
    });
  }

  it('rejects bad arguments with TypeErrors naming the op', () => {
    const x = torch.zeros([1, 1, 4, 4]);
    expect(() => P.maxPool2d(x, [2, 2, 2] as never)).toThrow(new TypeError('max_pool2d: kernel_size must either be a single int, or a tuple of two ints'));
    expect(() => P.maxPool1d(torch.zeros([1, 4]), 1.5)).toThrow(new TypeError('max_pool1d: kernel_size must either be a single int, or a tuple of one int'));
    expect(() => P.maxPool2d(x, 2, { stide: 1 } as never)).toThrow(new TypeError("maxPool2d got an unexpected option 'stide' (did you mean 'stride'?)"));
    // PyTorch's avg_pool1d has no divisor_override.
    expect(() => P.avgPool1d(torch.zeros([1, 4]), 2, { divisorOverride: 2 } as never)).toThrow(
      new TypeError("avgPool1d got an unexpected option 'divisorOverride'"),
    );
    expect(() => P.avgPool2d(x, 2, { padding: 'same' } as never)).toThrow(
      new TypeError("avgPool2d: option 'padding' must be an integer or a tuple of two integers, got string 'same'"),
    );
    expect(() => P.maxPool2d([1, 2] as never, 2)).toThrow(new TypeError("max_pool2d(): argument 'input' must be Tensor"));
    expect(() => P.avgPool2d(torch.zeros([1, 2, 2], { dtype: 'int64' }), 2)).toThrow(new TypeError(`"avg_pool2d" not implemented for 'Long'`));
    expect(() => P.adaptiveAvgPool2d(x, [2, 2, 2] as never)).toThrow(
      new TypeError('adaptive_avg_pool2d(): output_size must be an int or a tuple of two ints (or None)'),
    );
    expect(() => P.adaptiveAvgPool2d(x, -1)).toThrow(
      new RangeError('adaptive_avg_pool2d(): elements of output_size must be greater than or equal to 0 but received {-1, -1}'),
    );
  });
});

describe('pooling gradients by finite differences', () => {
  const leaf = (shape: number[], seed: number): torch.Tensor => {
    torch.manualSeed(seed);
    return torch.randn(shape).requiresGrad_();
  };
  it('avgPool2d / avgPool1d (ceilMode, padding, countIncludePad off, divisorOverride)', () => {
    expectGradcheck((x) => P.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [leaf([1, 2, 5, 6], 1)]);
    expectGradcheck((x) => P.avgPool2d(x, [2, 3], { divisorOverride: 5 }), [leaf([2, 1, 4, 6], 2)]);
    expectGradcheck((x) => P.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [leaf([2, 7], 3)]);
  });
  it('adaptive average pooling with sizes that do not divide', () => {
    expectGradcheck((x) => P.adaptiveAvgPool2d(x, [3, 4]), [leaf([1, 2, 7, 5], 4)]);
    expectGradcheck((x) => P.adaptiveAvgPool1d(x, 4), [leaf([2, 3, 10], 5)]);
  });
  it('max pooling with distinct values (a permutation, so no ties within a step)', () => {
    const distinct = (shape: number[]) => torch.randperm(shape.reduce((a, b) => a * b, 1)).to('float32').mul(0.1).reshape(shape).requiresGrad_();
    torch.manualSeed(6);
    expectGradcheck((x) => P.maxPool2d(x, 3, { stride: 2, padding: 1, dilation: 1, ceilMode: true }), [distinct([1, 2, 6, 7])]);
    expectGradcheck((x) => P.maxPool1d(x, 2, { dilation: 2 }), [distinct([2, 9])]);
    expectGradcheck((x) => P.adaptiveMaxPool2d(x, [3, 2]), [distinct([1, 1, 5, 7])]);
  });
});

describe('pooling edge cases', () => {
  it('a window entirely in the dilated padding gives -inf, as PyTorch', () => {
    const [v, i] = P.maxPool2d(torch.arange(4).reshape([1, 1, 1, 4]), [2, 1], { padding: [1, 0], dilation: [2, 1], returnIndices: true });
    expect(Array.from(v.data as Float32Array)).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    expect(Array.from(i.data as BigInt64Array, Number)).toEqual([4, 5, 6, 7]);
  });
  it('adaptive pooling to an empty output gives an empty tensor, as PyTorch', () => {
    expect(P.adaptiveAvgPool2d(torch.zeros([1, 2, 3, 3]), [0, 2]).shape).toEqual([1, 2, 0, 2]);
  });
  it('reads a non-contiguous input through its strides', () => {
    const x = torch.randn([1, 2, 4, 6]);
    const t = x.transpose(2, 3);
    expectClose(P.avgPool2d(t, 2).data as Float32Array, Array.from(P.avgPool2d(t.contiguous(), 2).data as Float32Array), { rtol: 0, atol: 0 });
  });
});

describe('max pooling with no graph (values only, no indices)', () => {
  it('gives the fixture values of every max-pooling case when nothing needs a gradient', () => {
    for (const c of fixture.cases.filter((k) => k.op === 'maxPool2d' || k.op === 'maxPool1d')) {
      const label = `${c.op}(${JSON.stringify(c.shape)}, ${JSON.stringify(c.size)}, ${JSON.stringify(c.options)})`;
      const x = torch.tensor(Float32Array.from(c.input.map(num))).reshape(c.shape);
      const pool = c.op === 'maxPool2d' ? P.maxPool2d : P.maxPool1d;
      const out = torch.noGrad(() => pool(x, c.size as never, c.options as never));
      expect(out.shape).toEqual(c.outShape);
      expect(out.gradFn).toBeNull();
      expectClose(out.data as Float32Array, c.output.map(num), { rtol: 1e-5, atol: 1e-6, label });
    }
  });

  it('gives the bits of the indexed path on the MNIST shape, NaN, ±0 ties and ±∞ included', () => {
    torch.manualSeed(27);
    const x = torch.randn([1, 64, 24, 24]);
    const v = x.data as Float32Array;
    for (let i = 0; i < v.length; i += 7) v[i] = [NaN, 0, -0, Infinity, -Infinity][(i / 7) % 5];
    const valuesOnly = torch.noGrad(() => P.maxPool2d(x, 2));
    const [indexed] = P.maxPool2d(x, 2, { returnIndices: true });
    const bits = (t: torch.Tensor) => Array.from(new Uint32Array((t.data as Float32Array).slice().buffer));
    expect(bits(valuesOnly)).toEqual(bits(indexed));
    // With a graph the indices are kept for the backward.
    const xg = x.detach().requiresGrad_();
    const out = P.maxPool2d(xg, 2);
    expect(out.gradFn?.name).toBe('MaxPool2DWithIndicesBackward0');
    expect(bits(out)).toEqual(bits(indexed));
  });
});
