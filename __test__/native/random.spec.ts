import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';

/** Philox4x32-10 in plain JS (BigInt for the 32×32→64 products): an independent reference. */
function philox(counter: number[], key: number[]): number[] {
  const mulhilo = (a: number, b: number): [number, number] => {
    const p = BigInt(a) * BigInt(b);
    return [Number(p >> 32n), Number(p & 0xffffffffn)];
  };
  let [c0, c1, c2, c3] = counter;
  let [k0, k1] = key;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + 0x9e3779b9) >>> 0;
      k1 = (k1 + 0xbb67ae85) >>> 0;
    }
    const [hi0, lo0] = mulhilo(0xd2511f53, c0);
    const [hi1, lo1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

/** The caught error, for asserting class, message and code together. */
function thrown(f: () => unknown): RangeError & { code?: string } {
  try {
    f();
  } catch (e) {
    return e as RangeError & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('Philox streams', () => {
  it('the JS reference reproduces the Random123 known answer', () => {
    expect(philox([0, 0, 0, 0], [0, 0]).map((w) => w.toString(16))).toEqual([
      '6627e8d5',
      'e169c58d',
      'bc57ac4c',
      '9b00dbd8',
    ]);
  });

  it('fillUniform element i is word 0 of counter offset + i, top 24 bits', () => {
    const out = new Float32Array(40);
    expect(native.fillUniform(out, 0, 1, 0x1_0000_0005, 1000)).toBe(40);
    for (let i = 0; i < out.length; i++) {
      const w = philox([1000 + i, 0, 0, 0], [5, 1])[0];
      expect(out[i]).toBe((w >>> 8) / 2 ** 24);
    }
  });

  it('two consecutive draws equal one long draw when the offset advances by the returned count', () => {
    const whole = new Float32Array(300);
    native.fillNormal(whole, 0, 1, 42, 0);
    const first = new Float32Array(120);
    const used = native.fillNormal(first, 0, 1, 42, 0);
    const second = new Float32Array(180);
    native.fillNormal(second, 0, 1, 42, used);
    expect([...first, ...second]).toEqual([...whole]);
  });
});

describe('random fills', () => {
  it('fillUniform stays in [low, high) with mean (low + high) / 2', () => {
    const out = new Float32Array(200_000);
    native.fillUniform(out, -1, 3, 7, 0);
    let sum = 0;
    let outside = 0;
    for (const v of out) {
      if (!(v >= -1 && v < 3)) outside++;
      sum += v;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / out.length - 1)).toBeLessThan(0.02);
  });

  it('fillNormal has the requested mean and standard deviation', () => {
    const out = new Float32Array(200_000);
    native.fillNormal(out, 2, 0.5, 3, 0);
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    const variance = out.reduce((a, b) => a + (b - mean) ** 2, 0) / out.length;
    expect(Math.abs(mean - 2)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(variance) - 0.5)).toBeLessThan(0.01);
  });

  it('fillRandint draws every integer of [low, high) and nothing else', () => {
    const out = new Int32Array(10_000);
    expect(native.fillRandint(out, 3, 8, 1, 0)).toBe(10_000);
    expect(new Set(out)).toEqual(new Set([3, 4, 5, 6, 7]));
  });

  it('randperm is a permutation, fixed by (seed, offset)', () => {
    const a = new Int32Array(1000);
    const b = new Int32Array(1000);
    native.randperm(a, 9, 0);
    native.randperm(b, 9, 0);
    expect(b).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    native.randperm(b, 9, 1000);
    expect(b).not.toEqual(a);
  });

  it('fillBernoulli hits p', () => {
    const out = new Float32Array(200_000);
    native.fillBernoulli(out, 0.2, 5, 0);
    const ones = out.filter((v) => v === 1).length / out.length;
    expect(Math.abs(ones - 0.2)).toBeLessThan(0.006);
    expect(out.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it('bad parameters are RangeErrors naming the op and the values', () => {
    let e = thrown(() => native.fillRandint(new Int32Array(2), 5, 5, 0, 0));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe("random_: expects 'from' to be less than 'to', but got from=5 >= to=5");
    expect(e.code).toBe('ERR_KINDLING_VALUE');
    e = thrown(() => native.fillUniform(new Float32Array(2), 1, 0, 0, 0));
    expect(e.message).toBe('uniform_: expects to return a [from, to) range, but found from=1 > to=0');
    e = thrown(() => native.fillNormal(new Float32Array(2), 0, NaN, 0, 0));
    expect(e.message).toBe('normal_: std must be finite, got NaN');
    e = thrown(() => native.fillBernoulli(new Float32Array(2), 1.5, 0, 0));
    expect(e.message).toBe('bernoulli_: expects p to be in [0, 1], but got p=1.5');
    e = thrown(() => native.randperm(new Int32Array(2), -1, 0));
    expect(e.message).toBe('randperm: seed must be an integer in [0, 2^53), got -1');
  });
});
