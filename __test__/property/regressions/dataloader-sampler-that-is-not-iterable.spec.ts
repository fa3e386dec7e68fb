/**
 * Regression (found by the DataLoader options property): `new DataLoader(ds, { sampler: 0 })` (or
 * any non-iterable sampler/batchSampler) was accepted and failed only at the first batch with JS's
 * "number 0 is not iterable", naming neither the DataLoader nor the option; a Symbol `timeout`
 * threw "Cannot convert a Symbol value to a number". Both now fail at construction, typed, named.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';
import { DataLoader, TensorDataset } from '../../../src/data';

const dataset = new TensorDataset(torch.arange(4).float());

describe('DataLoader options of the wrong type', () => {
  it('a sampler that is not an iterable object is a TypeError naming the option', () => {
    for (const sampler of [0, 'abc', {}, () => [0]]) {
      expect(() => new DataLoader(dataset, { sampler: sampler as unknown as number[] })).toThrow(TypeError);
    }
    expect(() => new DataLoader(dataset, { sampler: 0 as unknown as number[] })).toThrow(
      'DataLoader: sampler option should be an iterable of indices (a Sampler or an array), but got number 0',
    );
    expect(() => new DataLoader(dataset, { batchSampler: 'x' as unknown as number[][] })).toThrow(
      "DataLoader: batch_sampler option should be an iterable of lists of indices (a Sampler or an array), but got string 'x'",
    );
  });

  it('a timeout that is not a number is a TypeError naming timeout', () => {
    // Checked by checkOptions (src/options.ts), as every option's type.
    expect(() => new DataLoader(dataset, { timeout: Symbol('t') as unknown as number })).toThrow(new TypeError("DataLoader: option 'timeout' must be a number, got symbol"));
    expect(() => new DataLoader(dataset, { timeout: '5' as unknown as number })).toThrow(TypeError);
  });

  it('arrays and samplers still work', () => {
    const batches = [...new DataLoader(dataset, { sampler: [3, 1], batchSize: 2 })];
    expect(Array.from((batches[0] as unknown as torch.Tensor[])[0].data)).toEqual([3, 1]);
  });
});
