import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';

describe('native binding', () => {
  it('reports the SIMD path it dispatched to', () => {
    expect(['scalar', 'neon', 'avx2', 'avx512']).toContain(native.simdPath());
  });

  it('measures the FMA rate of the pool as a positive GFLOP/s, and refuses a duration out of range', () => {
    const gflops = native.measurePeakGflops(0.005);
    expect(Number.isFinite(gflops) && gflops > 0).toBe(true);
    for (const bad of [0, -1, Number.NaN, 11]) {
      const expected = Object.assign(new RangeError(`measurePeakGflops: seconds must be in (0, 10], got ${bad}`), { code: 'ERR_KINDLING_VALUE' });
      expect(() => native.measurePeakGflops(bad)).toThrow(RangeError);
      expect(() => native.measurePeakGflops(bad)).toThrow(expected);
    }
  });

  it('turns a Rust panic into a JS error instead of aborting the process', () => {
    expect(() => native.debugPanic('deliberate')).toThrow('deliberate');
    // Still alive and still computing after the panic.
    expect(native.simdPath()).toBeTypeOf('string');
  });

  it('turns a core length error into a RangeError with a code', () => {
    let caught: unknown;
    try {
      native.debugLengthError(3, 4);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as RangeError).message).toBe('debug: buffer has 3 elements, expected 4 (probe)');
    expect((caught as { code?: string }).code).toBe('ERR_KINDLING_LENGTH');
  });
});
