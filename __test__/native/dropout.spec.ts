import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../src/native';

/** The caught error, for asserting class, message and code together. */
function thrown(f: () => unknown): RangeError & { code?: string } {
  try {
    f();
  } catch (e) {
    return e as RangeError & { code?: string };
  }
  throw new Error('expected a throw');
}

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => 1 + (i % 13) * 0.5);

describe('dropout', () => {
  const threadsBefore = native.getNumThreads();
  afterAll(() => native.setNumThreads(threadsBefore));

  it('drops a fraction p of 1e6 elements and scales the rest by 1/(1 − p)', () => {
    const x = ramp(1_000_000);
    const out = new Float32Array(x.length);
    expect(native.dropout(x, out, 0.3, 1, 0)).toBe(x.length);
    const scale = Math.fround(1 / Math.fround(0.7));
    let dropped = 0;
    let wronglyScaled = 0;
    for (let i = 0; i < x.length; i++) {
      if (out[i] === 0) dropped++;
      else if (out[i] !== Math.fround(x[i] * scale)) wronglyScaled++;
    }
    expect(wronglyScaled).toBe(0);
    // Standard error 4.6e-4: six of them.
    expect(Math.abs(dropped / x.length - 0.3)).toBeLessThan(3e-3);
  });

  it('backward regenerates the mask of the forward with the same seed and offset', () => {
    const x = ramp(10_000);
    const y = new Float32Array(x.length);
    native.dropout(x, y, 0.5, 77, 123);
    const grad = new Float32Array(x.length).fill(1);
    const gradIn = new Float32Array(x.length);
    expect(native.dropoutBackward(grad, gradIn, 0.5, 77, 123)).toBe(x.length);
    let mismatches = 0;
    for (let i = 0; i < x.length; i++) {
      if ((gradIn[i] === 0) !== (y[i] === 0) || (gradIn[i] !== 0 && gradIn[i] !== 2)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(y.some((v) => v === 0)).toBe(true);
  });

  it('p = 0 copies, p = 1 zeroes, and neither draws', () => {
    const x = ramp(100);
    const out = new Float32Array(100);
    expect(native.dropout(x, out, 0, 1, 0)).toBe(0);
    expect(out).toEqual(x);
    expect(native.dropout(x, out, 1, 1, 0)).toBe(0);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('gives the same mask at 1 and 2 threads', () => {
    const x = ramp(500_000);
    const one = new Float32Array(x.length);
    const two = new Float32Array(x.length);
    native.setNumThreads(1);
    native.dropout(x, one, 0.25, 3, 9);
    native.setNumThreads(2);
    native.dropout(x, two, 0.25, 3, 9);
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });

  it('rejects a bad p and mismatched lengths with RangeErrors', () => {
    let e = thrown(() => native.dropout(ramp(4), new Float32Array(4), 1.5, 0, 0));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('dropout: dropout probability has to be between 0 and 1, but got 1.5');
    expect(e.code).toBe('ERR_KINDLING_VALUE');
    e = thrown(() => native.dropoutBackward(ramp(4), new Float32Array(3), 0.5, 0, 0));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('dropout_backward: out has 3 elements, expected 4 (must match the input)');
    expect(e.code).toBe('ERR_KINDLING_LENGTH');
  });

  it('rejects a typed array of the wrong kind instead of reading it as float32', () => {
    // napi-rs's own conversion error (its wording is napi's); TS validates dtypes before this.
    const wrong = new Float64Array(4) as unknown as Float32Array;
    expect(thrown(() => native.dropout(wrong, new Float32Array(4), 0.5, 0, 0)).code).toBe('InvalidArg');
  });
});
