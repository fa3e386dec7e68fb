import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';
import * as codes from '../../src/native/codes';
import { BinaryOp, UnaryOp } from '../../src/native/codes';

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

const f32 = (xs: number[]) => new Float32Array(xs);

function expectClose(actual: Float32Array, expected: number[], rtol = 1e-6) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (Number.isNaN(e)) expect(a, `element ${i}`).toBeNaN();
    else if (!Number.isFinite(e)) expect(a, `element ${i}`).toBe(e);
    else expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(rtol * Math.abs(e) + 1e-7);
  });
}

describe('codes', () => {
  it('codes.ts mirrors kindling_core::codes exactly', () => {
    const fromTs = Object.fromEntries(
      Object.entries(codes).map(([group, table]) => [group, { ...(table as Record<string, number>) }]),
    );
    expect(native.codesTable()).toEqual(fromTs);
  });
});

// a = torch.tensor([1.5, -2., 0.25, 3., -0.5, 4.]); b = torch.tensor([0.5, 3., -1., 2., 2.5, -4.])
const a = f32([1.5, -2, 0.25, 3, -0.5, 4]);
const b = f32([0.5, 3, -1, 2, 2.5, -4]);

describe('binary', () => {
  it.each([
    [BinaryOp.Add, [2.0, 1.0, -0.75, 5.0, 2.0, 0.0]],
    [BinaryOp.Sub, [1.0, -5.0, 1.25, 1.0, -3.0, 8.0]],
    [BinaryOp.Mul, [0.75, -6.0, -0.25, 6.0, -1.25, -16.0]],
    [BinaryOp.Div, [3.0, -0.6666666865348816, -0.25, 1.5, -0.20000000298023224, -1.0]],
    // torch.pow(a, b): negative base with a non-integer exponent is NaN.
    [BinaryOp.Pow, [1.2247449159622192, -8.0, 4.0, 9.0, NaN, 0.00390625]],
    [BinaryOp.Maximum, [1.5, 3.0, 0.25, 3.0, 2.5, 4.0]],
    [BinaryOp.Minimum, [0.5, -2.0, -1.0, 2.0, -0.5, -4.0]],
  ])('op %i matches torch', (op, expected) => {
    const out = new Float32Array(6);
    native.binary(op, a, b, out);
    expectClose(out, expected);
  });

  it('maximum/minimum propagate NaN from either side', () => {
    const out = new Float32Array(2);
    native.binary(BinaryOp.Maximum, f32([NaN, 1]), f32([1, NaN]), out);
    expect([...out].every(Number.isNaN)).toBe(true);
  });

  it('rejects mismatched lengths and unknown codes with a RangeError naming op and lengths', () => {
    const err = thrown(() => native.binary(BinaryOp.Add, a, f32([1, 2]), new Float32Array(6)));
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toMatchObject({ message: 'binary: b has 2 elements, expected 6 (same length as a)', code: 'ERR_KINDLING_LENGTH' });
    expect(() => native.binary(7, a, b, new Float32Array(6))).toThrow(
      'binary: unknown BinaryOp code 7 (expected 0..=6)',
    );
  });
});

describe('binaryScalar', () => {
  it('applies a scalar on either side (torch: 2 ** a, a ** 1.5, 3 - a, a / 3, 3 / a)', () => {
    const out = new Float32Array(6);
    native.binaryScalar(BinaryOp.Pow, a, 2, out, true);
    expectClose(out, [2.8284270763397217, 0.25, 1.1892070770263672, 8.0, 0.7071067690849304, 16.0]);
    native.binaryScalar(BinaryOp.Pow, a, 1.5, out, false);
    expectClose(out, [1.837117314338684, NaN, 0.125, 5.196152210235596, NaN, 8.0]);
    native.binaryScalar(BinaryOp.Sub, a, 3, out, true);
    expectClose(out, [1.5, 5.0, 2.75, 0.0, 3.5, -1.0]);
    native.binaryScalar(BinaryOp.Div, a, 3, out, false);
    expectClose(out, [0.5, -0.6666666865348816, 0.0833333358168602, 1.0, -0.1666666716337204, 1.3333333730697632]);
    native.binaryScalar(BinaryOp.Div, a, 3, out, true);
    expectClose(out, [2.0, -1.5, 12.0, 1.0, -6.0, 0.75]);
  });

  it('rejects a short output', () => {
    expect(() => native.binaryScalar(BinaryOp.Add, a, 1, new Float32Array(5), false)).toThrow(
      'binaryScalar: out has 5 elements, expected 6 (same length as a)',
    );
  });
});

describe('binaryBroadcast', () => {
  it('broadcasts a column against a row through zero strides', () => {
    // [3, 1] + [1, 4] → [3, 4]
    const col = f32([1, 2, 3]);
    const row = f32([10, 20, 30, 40]);
    const out = new Float32Array(12);
    native.binaryBroadcast(BinaryOp.Sub, col, new Uint32Array([1, 0]), row, new Uint32Array([0, 1]), new Uint32Array([3, 4]), out);
    expect([...out]).toEqual([-9, -19, -29, -39, -8, -18, -28, -38, -7, -17, -27, -37]);
  });

  it('rejects strides that reach past the buffer', () => {
    expect(() =>
      native.binaryBroadcast(
        BinaryOp.Add,
        f32([1, 2]),
        new Uint32Array([1, 0]),
        f32([1]),
        new Uint32Array([0, 0]),
        new Uint32Array([3, 2]),
        new Float32Array(6),
      ),
    ).toThrow('binaryBroadcast: a has 2 elements, expected at least 3 (shape [3, 2], strides [1, 0])');
  });
});

// x = torch.tensor([-1.5, 0., 0.5, 2., -3., 1.])
const x = f32([-1.5, 0, 0.5, 2, -3, 1]);

describe('unary', () => {
  it.each([
    [UnaryOp.Neg, [1.5, -0.0, -0.5, -2.0, 3.0, -1.0]],
    [UnaryOp.Exp, [0.22313016653060913, 1.0, 1.6487212181091309, 7.389056205749512, 0.049787066876888275, 2.7182817459106445]],
    [UnaryOp.Log, [NaN, -Infinity, -0.6931471824645996, 0.6931471824645996, NaN, 0.0]],
    [UnaryOp.Sqrt, [NaN, 0.0, 0.7071067690849304, 1.4142135381698608, NaN, 1.0]],
    [UnaryOp.Relu, [0.0, 0.0, 0.5, 2.0, 0.0, 1.0]],
    [UnaryOp.Sigmoid, [0.18242552876472473, 0.5, 0.622459352016449, 0.8807970285415649, 0.04742587357759476, 0.7310585975646973]],
    [UnaryOp.Tanh, [-0.9051482677459717, 0.0, 0.46211716532707214, 0.9640275835990906, -0.9950547814369202, 0.7615941762924194]],
    [UnaryOp.Abs, [1.5, 0.0, 0.5, 2.0, 3.0, 1.0]],
  ])('op %i matches torch', (op, expected) => {
    const out = new Float32Array(6);
    native.unary(op, x, out, 0);
    expectClose(out, expected, 4e-7);
  });

  it('pow and scale use param', () => {
    const out = new Float32Array(6);
    native.unary(UnaryOp.Pow, x, out, 2);
    expect([...out]).toEqual([2.25, 0, 0.25, 4, 9, 1]);
    native.unary(UnaryOp.Scale, x, out, -2);
    expect([...out]).toEqual([3, -0, -1, -4, 6, -2]);
  });
});

describe('unaryBackward', () => {
  const g = f32([1, 2, 3, 4, 5, 6]);
  const run = (op: number, y: Float32Array, param = 0) => {
    const out = new Float32Array(6);
    native.unaryBackward(op, g, x, y, out, param);
    return out;
  };
  const forward = (op: number, param = 0) => {
    const y = new Float32Array(6);
    native.unary(op, x, y, param);
    return y;
  };

  it('uses the output for relu, sigmoid, tanh and the input for pow and abs', () => {
    expect([...run(UnaryOp.Relu, forward(UnaryOp.Relu))]).toEqual([0, 0, 3, 4, 0, 6]);
    const s = forward(UnaryOp.Sigmoid);
    expectClose(
      run(UnaryOp.Sigmoid, s),
      [...s].map((v, i) => g[i] * (1 - v) * v),
    );
    const t = forward(UnaryOp.Tanh);
    expectClose(run(UnaryOp.Tanh, t), [...t].map((v, i) => g[i] * (1 - v * v)));
    // d/dx x^3 = 3x^2; torch gives 0 gradient for abs at 0.
    expect([...run(UnaryOp.Pow, new Float32Array(0), 3)]).toEqual([6.75, 0, 2.25, 48, 135, 18]);
    expect([...run(UnaryOp.Abs, new Float32Array(0))]).toEqual([-1, 0, 3, 4, -5, 6]);
    expect([...run(UnaryOp.Scale, new Float32Array(0), 0.5)]).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
  });

  it('passes param and the optional param2 to the two-argument activations (values from torch)', () => {
    // F.hardtanh(x, -1, 1.5), F.softplus(x, 2, 1), F.leaky_relu(x, 0.1) and their gradients for g
    const cases: Array<[number, number, number | undefined, number[], number[]]> = [
      [UnaryOp.Hardtanh, -1, 1.5, [-1, 0, 0.5, 1.5, -1, 1], [0, 2, 3, 0, 0, 6]],
      [
        UnaryOp.Softplus,
        2,
        1,
        [0.024293676018714905, 0.3465735912322998, 0.65663081407547, 2, 0.0012378426035866141, 1],
        [0.04742587357759476, 1, 2.193175792694092, 4, 0.012363117188215256, 6],
      ],
      [UnaryOp.LeakyRelu, 0.1, undefined, [-0.15000000596046448, 0, 0.5, 2, -0.30000001192092896, 1], [0.10000000149011612, 0.20000000298023224, 3, 4, 0.5, 6]],
    ];
    for (const [op, p, q, value, grad] of cases) {
      const y = new Float32Array(6);
      native.unary(op, x, y, p, q);
      expectClose(y, value, 4e-7);
      const gi = new Float32Array(6);
      native.unaryBackward(op, g, x, new Float32Array(0), gi, p, q);
      expectClose(gi, grad, 4e-7);
    }
    // Without param2, Hardtanh's max is 0.
    const y = new Float32Array(6);
    native.unary(UnaryOp.Hardtanh, x, y, -1);
    expect([...y]).toEqual([-1, 0, 0, 0, -1, 0]);
    expect(() => native.unaryBackward(UnaryOp.Gelu, g, new Float32Array(0), x, new Float32Array(6), 0)).toThrow(
      'unaryBackward: x has 0 elements, expected 6 (Gelu backward reads it)',
    );
  });

  it('requires the buffer the formula reads', () => {
    expect(() => native.unaryBackward(UnaryOp.Sigmoid, g, x, new Float32Array(0), new Float32Array(6), 0)).toThrow(
      'unaryBackward: y has 0 elements, expected 6 (Sigmoid backward reads it)',
    );
  });
});

describe('unaryBackwardInplace', () => {
  it('writes the same bits over the gradient as unaryBackward writes into a new buffer', () => {
    const n = 5000; // several stack blocks of the kernel, and a partial one
    const xs = new Float32Array(n).map((_, i) => Math.sin(i * 0.37) * 3);
    const gs = new Float32Array(n).map((_, i) => Math.cos(i * 0.11) * 2);
    for (const [op, param] of [[UnaryOp.Relu, 0], [UnaryOp.Tanh, 0], [UnaryOp.Gelu, 0], [UnaryOp.LeakyRelu, 0.1], [UnaryOp.Pow, 3]] as const) {
      const y = new Float32Array(n);
      native.unary(op, xs, y, param);
      const expected = new Float32Array(n);
      native.unaryBackward(op, gs, xs, y, expected, param);
      const grad = gs.slice();
      native.unaryBackwardInplace(op, grad, xs, y, param);
      expect(grad).toEqual(expected);
      expect(grad.some((v, i) => v !== gs[i])).toBe(true);
    }
  });

  it('checks the buffer the formula reads', () => {
    expect(() => native.unaryBackwardInplace(UnaryOp.Relu, new Float32Array(6), x, new Float32Array(5), 0)).toThrow(
      'unaryBackwardInplace: y has 5 elements, expected 6 (Relu backward reads it)',
    );
  });
});

describe('geluWithDerivative and mulInplace', () => {
  it("give unary's GELU and, multiplied together, unaryBackward's GELU bit for bit", () => {
    const n = 5003;
    const xs = new Float32Array(n).map((_, i) => Math.sin(i * 0.37) * 7);
    xs.set([NaN, Infinity, -Infinity], 0);
    const gs = new Float32Array(n).map((_, i) => Math.cos(i * 0.11) * 2);
    const y = new Float32Array(n);
    native.unary(UnaryOp.Gelu, xs, y, 0);
    const expected = new Float32Array(n);
    native.unaryBackward(UnaryOp.Gelu, gs, xs, new Float32Array(0), expected, 0);
    const out = new Float32Array(n);
    const deriv = new Float32Array(n);
    native.geluWithDerivative(xs, out, deriv);
    expect(out).toEqual(y);
    const grad = gs.slice();
    native.mulInplace(grad, deriv);
    expect(grad).toEqual(expected);
  });

  it('reject buffers of the wrong length with typed errors', () => {
    const e1 = thrown(() => native.geluWithDerivative(new Float32Array(4), new Float32Array(4), new Float32Array(3)));
    expect(e1.message).toBe('geluWithDerivative: deriv has 3 elements, expected 4 (same length as x)');
    expect(e1.code).toBe('ERR_KINDLING_LENGTH');
    expect(() => native.mulInplace(new Float32Array(4), new Float32Array(5))).toThrow('mulInplace: factor has 5 elements, expected 4 (same length as grad)');
  });
});
