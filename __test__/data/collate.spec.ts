import { describe, expect, it } from 'vitest';
import { collatedSamples, defaultCollate } from '../../src/data';
import { Tensor } from '../../src/tensor';

const img = (v: number) => new Tensor(new Float32Array(4).fill(v), [1, 2, 2], 'float32');

describe('defaultCollate', () => {
  it('stacks tensors along a new first dimension', () => {
    const out = defaultCollate([img(1), img(2), img(3)]);
    expect(out.shape).toEqual([3, 1, 2, 2]);
    expect(out.dtype).toBe('float32');
    expect(Array.from(out.data)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });

  // Regression (#10.3): whole-valued regression targets used to collate to int32, so the batch
  // whose targets happened to be whole failed in the loss. The JS type decides, never the value.
  it('turns numbers into float32 (whole or not), bigints into int64, booleans into bool', () => {
    const whole = defaultCollate([3, 1, 4]);
    expect(whole.dtype).toBe('float32');
    expect(Array.from(whole.data)).toEqual([3, 1, 4]);
    const floats = defaultCollate([0.5, 1]);
    expect(floats.dtype).toBe('float32');
    expect(Array.from(floats.data)).toEqual([0.5, 1]);
    expect(Object.is(defaultCollate([-0, 1]).data[0], -0)).toBe(true);
    const ints = defaultCollate([3n, 2n ** 62n]);
    expect(ints.dtype).toBe('int64');
    expect(ints.data).toEqual(new BigInt64Array([3n, 2n ** 62n]));
    expect(() => defaultCollate([3n, 2n ** 63n])).toThrow(new RangeError('default_collate: value 9223372036854775808 cannot be converted to type int64_t without overflow'));
    expect(() => defaultCollate([3n, 1])).toThrow('default_collate: expected a bigint at entry 1 like entry 0, got');
    const bools = defaultCollate([true, false]);
    expect(bools.dtype).toBe('bool');
    expect(Array.from(bools.data)).toEqual([1, 0]);
  });

  it('collates [image, label] samples position by position', () => {
    const [images, labels] = defaultCollate([
      [img(0), 7],
      [img(1), 2],
    ] as [Tensor, number][]);
    expect(images.shape).toEqual([2, 1, 2, 2]);
    expect(labels.shape).toEqual([2]);
    expect(Array.from(labels.data)).toEqual([7, 2]);
  });

  it('collates objects key by key and keeps strings as lists', () => {
    const out = defaultCollate([
      { x: 1, name: 'a' },
      { x: 2, name: 'b' },
    ]);
    expect(Array.from(out.x.data)).toEqual([1, 2]);
    expect(out.name).toEqual(['a', 'b']);
  });

  it('rejects tensors of different sizes, ragged lists and unknown types', () => {
    const other = new Tensor(new Float32Array(3), [1, 3], 'float32');
    expect(() => defaultCollate([img(0), other])).toThrow(
      'stack expects each tensor to be equal size, but got [1, 2, 2] at entry 0 and [1, 3] at entry 1',
    );
    expect(() => defaultCollate([[1, 2], [3]])).toThrow('each element in list of batch should be of equal size');
    expect(() => defaultCollate([new Map()])).toThrow(TypeError);
    expect(() => defaultCollate([new Map()])).toThrow('batch must contain tensors, numbers, dicts or lists; found Map');
  });
});

describe('collatedSamples', () => {
  it('hands a prebuilt batch to defaultCollate and materialises samples only when read', () => {
    const made: number[] = [];
    const batch = [new Tensor(new Float32Array(2), [2], 'float32'), new Tensor(Int32Array.from([4, 5]), [2], 'int32')];
    const samples = collatedSamples<[number, number]>(batch as never, 2, (k) => {
      made.push(k);
      return [k, k + 4];
    });
    expect(defaultCollate(samples)).toBe(batch);
    expect(made).toEqual([]);
    expect(samples.length).toBe(2);
    expect(Array.isArray(samples)).toBe(true);
    expect(samples.map((s) => s[1])).toEqual([4, 5]);
    expect([...samples]).toEqual([
      [0, 4],
      [1, 5],
    ]);
    expect(made).toEqual([0, 1]);
  });
});
