import { describe, expect, it } from 'vitest';
import { castArray, promoteTypes, torchName, dtypeOfArray } from '../src/dtype';

describe('dtypes', () => {
  it('promote like PyTorch among kindling dtypes', () => {
    expect(promoteTypes('int32', 'float32')).toBe('float32');
    expect(promoteTypes('uint8', 'int32')).toBe('int32');
    expect(promoteTypes('bool', 'uint8')).toBe('uint8');
    expect(promoteTypes('bool', 'bool')).toBe('bool');
  });
  it('cast per element: truncation toward zero, uint8 wraps, bool is non-zero', () => {
    expect([...castArray(new Float32Array([1.9, -1.9, NaN]), 'int32')]).toEqual([1, -1, 0]);
    expect([...castArray(new Int32Array([-1, 256, 3]), 'uint8')]).toEqual([255, 0, 3]);
    expect([...castArray(new Float32Array([0, -0.5, 2]), 'bool')]).toEqual([0, 1, 1]);
  });
  it('names and typed-array kinds', () => {
    expect(torchName('int32')).toBe('torch.int64');
    expect(dtypeOfArray(new Int16Array(1))).toBe('int32');
    expect(dtypeOfArray([1, 2])).toBeNull();
  });
});

import { uninitF32 } from '../src/dtype';
describe('uninitF32', () => {
  it('returns offset-0 Float32Arrays of the requested length, small ones zeroed', () => {
    const small = uninitF32(10);
    expect([...small]).toEqual(new Array(10).fill(0));
    const big = uninitF32(5000);
    expect(big).toBeInstanceOf(Float32Array);
    expect(big.length).toBe(5000);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(20000);
  });
});
