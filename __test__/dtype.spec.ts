import { describe, expect, it } from 'vitest';
import { canCast, castArray, promoteTypes, scalarTo, scalarTypeName, torchName, dtypeOfArray } from '../src/dtype';

describe('dtypes', () => {
  it('promote like PyTorch among kindling dtypes', () => {
    expect(promoteTypes('int32', 'float32')).toBe('float32');
    expect(promoteTypes('uint8', 'int32')).toBe('int32');
    expect(promoteTypes('bool', 'uint8')).toBe('uint8');
    expect(promoteTypes('bool', 'bool')).toBe('bool');
    expect(promoteTypes('int32', 'int64')).toBe('int64');
    expect(promoteTypes('bool', 'int64')).toBe('int64');
    expect(promoteTypes('int64', 'float32')).toBe('float32');
  });
  it("can_cast as PyTorch's in-place rule: within a kind or upwards", () => {
    expect(canCast('float32', 'int64')).toBe(false);
    expect(canCast('int64', 'bool')).toBe(false);
    expect(canCast('int64', 'int32')).toBe(true);
    expect(canCast('bool', 'uint8')).toBe(true);
    expect(canCast('int32', 'float32')).toBe(true);
  });
  it('cast per element: truncation toward zero, uint8 wraps, bool is non-zero', () => {
    expect([...castArray(new Float32Array([1.9, -1.9]), 'int32')]).toEqual([1, -1]);
    expect([...castArray(new Int32Array([-1, 256, 3]), 'uint8')]).toEqual([255, 0, 3]);
    expect([...castArray(new Float32Array([0, -0.5, 2]), 'bool')]).toEqual([0, 1, 1]);
  });
  it('names and typed-array kinds', () => {
    expect(torchName('int32')).toBe('torch.int32');
    expect(torchName('int64')).toBe('torch.int64');
    expect(scalarTypeName('int32')).toBe('Int');
    expect(scalarTypeName('int64')).toBe('Long');
    expect(dtypeOfArray(new BigInt64Array(1))).toBe('int64');
    expect(dtypeOfArray(new Int16Array(1))).toBe('int32');
    expect(dtypeOfArray([1, 2])).toBeNull();
  });
});

// Regression (#10.2): casts to integers were silently wrong outside the target's range.
describe('casting a value that does not fit an integer dtype throws a RangeError naming it', () => {
  it('float → int32/int64: NaN, ±inf and out-of-range values', () => {
    expect(() => castArray(new Float32Array([1, NaN]), 'int32')).toThrow(new RangeError('to: value NaN cannot be converted to type int32_t without overflow'));
    expect(() => castArray(new Float32Array([3e9]), 'int32', 'int')).toThrow(new RangeError('int: value 3000000000 cannot be converted to type int32_t without overflow'));
    expect(() => castArray(new Float32Array([-Infinity]), 'int64')).toThrow(new RangeError('to: value -Infinity cannot be converted to type int64_t without overflow'));
    expect(() => castArray(new Float32Array([1e19]), 'int64')).toThrow('to: value 9999999980506448000 cannot be converted to type int64_t without overflow');
    expect(castArray(new Float32Array([-(2 ** 63)]), 'int64')).toEqual(new BigInt64Array([-(2n ** 63n)]));
    expect([...castArray(new Float32Array([2147483520]), 'int32')]).toEqual([2147483520]);
  });
  it('int64 → int32 outside int32 throws; int64 → float32 rounds; → uint8 wraps', () => {
    expect(() => castArray(new BigInt64Array([2n ** 31n]), 'int32')).toThrow(new RangeError('to: value 2147483648 cannot be converted to type int32_t without overflow'));
    expect([...castArray(new BigInt64Array([-(2n ** 31n)]), 'int32')]).toEqual([-2147483648]);
    expect([...castArray(new BigInt64Array([16777217n]), 'float32')]).toEqual([16777216]);
    expect([...castArray(new BigInt64Array([300n, -1n]), 'uint8')]).toEqual([44, 255]);
    expect([...castArray(new Float32Array([300, -1]), 'uint8')]).toEqual([44, 255]);
    expect([...castArray(new BigInt64Array([0n, -5n]), 'bool')]).toEqual([0, 1]);
    expect(castArray(new Int32Array([-5]), 'int64')).toEqual(new BigInt64Array([-5n]));
  });
  it('scalarTo: PyTorch scalar checks (uint8 accepts [-255, 255]), fractions truncate', () => {
    expect(scalarTo('fill_', 2.9, 'int32')).toBe(2);
    expect(scalarTo('fill_', -1, 'uint8')).toBe(255);
    expect(() => scalarTo('fill_', 256, 'uint8')).toThrow(new RangeError('fill_: value 256 cannot be converted to type uint8_t without overflow'));
    expect(() => scalarTo('full', 2n ** 63n, 'int64')).toThrow(new RangeError('full: value 9223372036854775808 cannot be converted to type int64_t without overflow'));
    expect(scalarTo('full', 2n ** 63n - 1n, 'int64')).toBe(2n ** 63n - 1n);
    expect(scalarTo('full', NaN, 'bool')).toBe(1);
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

import { kMaxLength } from 'node:buffer';
import { afterEach, vi } from 'vitest';
import { MAX_ELEMENTS, allocate, allocationError } from '../src/dtype';
describe('allocate and uninitF32 with sizes that cannot be allocated', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the limit is the engine\'s typed-array limit as Node reports it', () => {
    expect(MAX_ELEMENTS).toBe(kMaxLength);
  });

  it('allocate gives zeroed buffers of each dtype, and over the limit a RangeError naming op, dtype and shape', () => {
    expect(allocate('int32', 3, 'zeros', [3])).toEqual(new Int32Array(3));
    expect(allocate('bool', 2)).toEqual(new Uint8Array(2));
    expect(() => allocate('float32', 1e18, 'zeros', [1e9, 1e9])).toThrow(
      new RangeError(
        `zeros: cannot allocate a float32 tensor of shape [1000000000, 1000000000] (1000000000000000000 elements, 4000000000000000000 bytes): more than the ${kMaxLength} elements one typed array can hold`,
      ),
    );
    expect(() => allocate('uint8', 2 ** 40, 'ones', [2 ** 40])).toThrow(
      new RangeError(`ones: cannot allocate a uint8 tensor of shape [1099511627776] (1099511627776 elements, 1099511627776 bytes): more than the ${kMaxLength} elements one typed array can hold`),
    );
    expect(() => allocate('int32', MAX_ELEMENTS + 1)).toThrow(
      new RangeError(`allocate: cannot allocate an int32 tensor (${MAX_ELEMENTS + 1} elements, ${4 * (MAX_ELEMENTS + 1)} bytes): more than the ${kMaxLength} elements one typed array can hold`),
    );
  });

  it('uninitF32 over the limit throws the same error (large but allowed sizes go through allocate, zeroed)', () => {
    expect(() => uninitF32(2 ** 40, 'rand', [2 ** 20, 2 ** 20])).toThrow(
      new RangeError(`rand: cannot allocate a float32 tensor of shape [1048576, 1048576] (1099511627776 elements, 4398046511104 bytes): more than the ${kMaxLength} elements one typed array can hold`),
    );
  });

  it('an allocation the engine refuses below the limit (out of memory) throws the same kind of error with the engine\'s reason', () => {
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation(() => {
      throw new RangeError('Array buffer allocation failed');
    });
    expect(() => uninitF32(5000, 'add', [50, 100])).toThrow(
      new RangeError('add: cannot allocate a float32 tensor of shape [50, 100] (5000 elements, 20000 bytes): the JavaScript engine refused it (Array buffer allocation failed)'),
    );
  });

  it('huge counts print in full below 10^21, in exponent form above', () => {
    expect(allocationError('zeros', 'float32', Infinity, [1e200, 1e200], 'why').message).toBe(
      'zeros: cannot allocate a float32 tensor of shape [1e+200, 1e+200] (over 1e+308 elements, over 1e+308 bytes): why',
    );
    expect(allocationError('zeros', 'bool', 1e24, [1e12, 1e12], 'why').message).toBe(
      'zeros: cannot allocate a bool tensor of shape [1000000000000, 1000000000000] (1e+24 elements, 1e+24 bytes): why',
    );
  });
});
