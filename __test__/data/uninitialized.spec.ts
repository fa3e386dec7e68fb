import { describe, expect, it } from 'vitest';
import { uninitializedFloat32, uninitializedInt32, uninitializedUint8 } from '../../src/data/uninitialized';

describe('uninitialised typed arrays', () => {
  it.each([
    ['float32', uninitializedFloat32, Float32Array, 4],
    ['int32', uninitializedInt32, Int32Array, 4],
    ['uint8', uninitializedUint8, Uint8Array, 1],
  ] as const)('%s: exactly n elements at offset 0 of an ArrayBuffer of their own, small or large', (_, make, Kind, bytes) => {
    for (const n of [0, 1, 16, 17, 7840]) {
      const a = make(n);
      expect(a).toBeInstanceOf(Kind);
      expect(a.length).toBe(n);
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(n * bytes);
      expect(a.buffer).toBeInstanceOf(ArrayBuffer);
    }
    // Two arrays never share memory (Buffer's pool is not used).
    const [a, b] = [make(100), make(100)];
    a.fill(7);
    b.fill(9);
    expect(a[99]).toBe(7);
  });
});
