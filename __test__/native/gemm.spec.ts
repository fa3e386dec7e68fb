import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';
import { kernels } from '../../src/ops/kernels';

/** No transposes, alpha 1: the settings most cases share. */
const plain = { transA: false, transB: false, alpha: 1 };

/** Deterministic values in [-1, 1). */
function data(len: number, seed: number): Float32Array {
  const out = new Float32Array(len);
  let s = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  bias: boolean;
}

/** The plain-loop reference in f64. */
function reference(t: Case, a: Float32Array, b: Float32Array, c: Float32Array, bias?: Float32Array): Float64Array {
  const out = new Float64Array(t.m * t.n);
  for (let i = 0; i < t.m; i++) {
    for (let j = 0; j < t.n; j++) {
      let acc = 0;
      for (let p = 0; p < t.k; p++) {
        const av = t.transA ? a[p * t.m + i] : a[i * t.k + p];
        const bv = t.transB ? b[j * t.k + p] : b[p * t.n + j];
        acc += av * bv;
      }
      let v = t.alpha * acc;
      if (t.beta !== 0) v += t.beta * c[i * t.n + j];
      if (bias) v += bias[j];
      out[i * t.n + j] = v;
    }
  }
  return out;
}

function check(t: Case, seed: number): void {
  const a = data(t.m * t.k, seed);
  const b = data(t.k * t.n, seed + 1);
  const c = data(t.m * t.n, seed + 2);
  const bias = t.bias ? data(t.n, seed + 3) : undefined;
  const want = reference(t, a, b, c, bias);
  kernels.sgemm(a, b, c, bias, { transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha, beta: t.beta });
  const tol = 1e-5 * (t.k + 1);
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(c[i] - want[i]) > tol) {
      throw new Error(`${JSON.stringify(t)}: element ${i} is ${c[i]}, expected ${want[i]}`);
    }
  }
}

describe('sgemm', () => {
  it('computes the seed layer x·Wᵀ + b and its two backward products', () => {
    check({ transA: false, transB: true, m: 10, n: 64, k: 784, alpha: 1, beta: 0, bias: true }, 1);
    check({ transA: true, transB: false, m: 64, n: 784, k: 10, alpha: 1, beta: 0, bias: false }, 2);
    check({ transA: false, transB: false, m: 10, n: 784, k: 64, alpha: 1, beta: 0, bias: false }, 3);
  });

  it('matches the reference for every transpose combination, alpha, beta and bias', () => {
    let seed = 10;
    for (const [m, n, k] of [
      [1, 1, 1],
      [3, 5, 7],
      [17, 31, 13],
      [40, 70, 129],
      [130, 67, 90],
    ]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          check({ transA, transB, m, n, k, alpha: 1, beta: 0, bias: false }, seed++);
          check({ transA, transB, m, n, k, alpha: -0.5, beta: 2, bias: true }, seed++);
        }
      }
    }
  });

  it('writes into the caller’s Float32Array in place and accepts null or undefined bias', () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float32Array([5, 6, 7, 8]);
    const c = new Float32Array(4);
    const sizes = { transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 1 };
    kernels.sgemm(a, b, c, null, { ...sizes, beta: 0 });
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    kernels.sgemm(a, b, c, undefined, { ...sizes, beta: 1 });
    expect(Array.from(c)).toEqual([38, 44, 86, 100]);
  });

  it('ignores NaN in c when beta is 0', () => {
    const c = new Float32Array([NaN, NaN]);
    kernels.sgemm(new Float32Array([2]), new Float32Array([3, 4]), c, new Float32Array([1, 1]), { ...plain, m: 1, n: 2, k: 1, beta: 0 });
    expect(Array.from(c)).toEqual([7, 9]);
  });

  it('treats k = 0 as C = beta·C + bias and m = 0 as a no-op', () => {
    const c = new Float32Array([1, 2]);
    kernels.sgemm(new Float32Array(0), new Float32Array(0), c, new Float32Array([1, 1]), { ...plain, m: 1, n: 2, k: 0, beta: 3 });
    expect(Array.from(c)).toEqual([4, 7]);
    expect(() => kernels.sgemm(new Float32Array(0), new Float32Array(6), new Float32Array(0), null, { ...plain, m: 0, n: 2, k: 3, beta: 0 })).not.toThrow();
  });

  it('throws a RangeError naming the buffer and the sizes on a length mismatch', () => {
    const run = (): void =>
      kernels.sgemm(new Float32Array(7839), new Float32Array(784 * 64), new Float32Array(640), null, { ...plain, transB: true, m: 10, n: 64, k: 784, beta: 0 });
    expect(run).toThrow(RangeError);
    expect(run).toThrow('sgemm: a has 7839 elements, expected 7840 (m=10, k=784, transA=false)');
    let caught: unknown;
    try {
      kernels.sgemm(new Float32Array(4), new Float32Array(4), new Float32Array(4), new Float32Array(3), { ...plain, m: 2, n: 2, k: 2, beta: 0 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as RangeError).message).toBe('sgemm: bias has 3 elements, expected 2 (n=2)');
    expect((caught as { code?: string }).code).toBe('ERR_KINDLING_LENGTH');
  });

  it('throws a RangeError on NaN alpha or beta', () => {
    const call = (alpha: number, beta: number): void =>
      kernels.sgemm(new Float32Array(1), new Float32Array(1), new Float32Array(1), null, { transA: false, transB: false, m: 1, n: 1, k: 1, alpha, beta });
    expect(() => call(NaN, 0)).toThrow(RangeError);
    expect(() => call(NaN, 0)).toThrow('sgemm: alpha must not be NaN');
    expect(() => call(1, NaN)).toThrow(RangeError);
    expect(() => call(1, NaN)).toThrow('sgemm: beta must not be NaN');
  });

  it('gives the same products on every SIMD path forced with KINDLING_SIMD', () => {
    // The path is fixed when the addon loads, so each one runs in a fresh process.
    const addon = path.resolve(__dirname, '../../native/index.js');
    const script = `
      const native = require(${JSON.stringify(addon)});
      const out = [];
      for (const [ta, tb, m, n, k] of [[false, true, 10, 64, 784], [true, false, 64, 784, 10], [false, false, 70, 90, 300], [true, true, 33, 17, 129]]) {
        const a = new Float32Array(m * k).map((_, i) => Math.sin(i));
        const b = new Float32Array(k * n).map((_, i) => Math.cos(i));
        const c = new Float32Array(m * n).fill(1);
        native.sgemm(a, b, c, new Float32Array(n).fill(0.25), Float64Array.of(ta, tb, m, n, k, 1, 0.5));
        out.push(Array.from(c));
      }
      console.log(JSON.stringify({ path: native.simdPath(), out }));
    `;
    const runOn = (simd: string): { path: string; out: number[][] } => {
      const res = spawnSync(process.execPath, ['-e', script], {
        env: { ...process.env, KINDLING_SIMD: simd },
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(res.status, res.stderr).toBe(0);
      return JSON.parse(res.stdout) as { path: string; out: number[][] };
    };
    const scalar = runOn('scalar');
    expect(scalar.path).toBe('scalar');
    for (const simd of ['avx2', 'avx512', 'neon']) {
      const forced = runOn(simd);
      for (let s = 0; s < scalar.out.length; s++) {
        const want = scalar.out[s];
        const got = forced.out[s];
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) {
          if (Math.abs(got[i] - want[i]) > 1e-3 * (1 + Math.abs(want[i]))) {
            throw new Error(`${forced.path} (asked ${simd}), shape ${s}: element ${i} is ${got[i]}, scalar gives ${want[i]}`);
          }
        }
      }
    }
  });
});
