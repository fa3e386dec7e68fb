import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';

describe('native binding', () => {
  it('reports the SIMD path it dispatched to', () => {
    expect(['scalar', 'neon', 'avx2', 'avx512']).toContain(native.simdPath());
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
