/**
 * issue 11: how a dataset reaches DataLoader workers. A plain-object dataset whose getItem used
 * `torch` failed in the worker with a bare `torch is not defined`; a class without workerSource()
 * silently ran in the main thread. Now the message shows the fix, and `datasetFromModule` lets
 * the workers import the dataset from its module, as PyTorch pickles a dataset by reference.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { DataLoader, type Dataset, NotPackableError, datasetFromModule } from '../../src/data';
import type { Tensor } from '../../src/tensor';

const factoryModule = join(__dirname, 'fixtures', 'make-dataset.ts');
// datasetFromModule requires the module in this thread too: let Node's require load TypeScript,
// as under ts-node (the workers register ts-node themselves).
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('ts-node').register({ transpileOnly: true });

describe('datasets in DataLoader workers (issue 11)', () => {
  it('a plain-object dataset using a variable of the main thread fails with the fix in the message', () => {
    const dataset: Dataset<Tensor> = { length: 4, getItem: (i: number) => torch.ones([2]).mul(i) };
    let caught: unknown;
    try {
      for (const _ of new DataLoader(dataset, { batchSize: 2, numWorkers: 1 })) void _;
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ReferenceError);
    expect((caught as Error).message).toMatch(/^Caught ReferenceError in DataLoader worker 0: \w+ is not defined \(the functions of a plain-object dataset, a collateFn or a Lambda reach the worker as source text, without the variables around them: require what they use inside them — const torch = require\('kindling'\) — or build the dataset in a module with datasetFromModule\(require\.resolve\('\.\/my-dataset'\), 'makeDataset', \.\.\.args\); see docs\/DATA\.md, "How a worker gets the dataset"\)$/);
  });

  it('datasetFromModule: the workers import the factory module and build the same samples', async () => {
    // for await: the test's event loop keeps running while the workers start (seconds under load).
    const plain = async (loader: AsyncIterable<unknown>): Promise<number[][][]> => {
      const out: number[][][] = [];
      for await (const b of loader) out.push((b as Tensor[]).map((t) => Array.from(t.data)));
      return out;
    };
    const dataset = datasetFromModule<[number, number]>(factoryModule, 'makeDataset', 5, 0.5);
    expect(dataset.length).toBe(5);
    const inMain = await plain(new DataLoader(dataset, { batchSize: 2 }));
    expect(inMain).toEqual([[[0, 1], [0, 1]], [[2, 3], [2, 0]], [[4], [1]]]);
    expect(await plain(new DataLoader(dataset, { batchSize: 2, numWorkers: 2 }))).toEqual(inMain);
    // A class export is constructed with `new`.
    const range = datasetFromModule<number>(factoryModule, 'RangeDataset', 3);
    const ranges: number[][] = [];
    for await (const b of new DataLoader(range, { batchSize: 3, numWorkers: 1 })) ranges.push(Array.from(b.data));
    expect(ranges).toEqual([[0, 1, 2]]);
  });

  it('datasetFromModule refuses what it cannot rebuild, naming it', () => {
    expect(() => datasetFromModule('./make-dataset', 'makeDataset')).toThrow(
      new TypeError("datasetFromModule: module must be an absolute path, as require.resolve('./my-dataset') gives, got string './make-dataset'"),
    );
    expect(() => datasetFromModule(factoryModule, 'nothing')).toThrow(new TypeError(`${factoryModule} has no export named nothing (got undefined)`));
    expect(() => datasetFromModule(factoryModule, 'makeDataset', 2, new Map())).toThrow(NotPackableError);
    expect(() => datasetFromModule(factoryModule, 'makeDataset', 2, new Map())).toThrow('datasetFromModule argument 1 (a Map) cannot be rebuilt in a worker thread');
    expect(() => datasetFromModule(factoryModule, 'RangeDataset', -1)).toThrow(
      new RangeError(`datasetFromModule (RangeDataset of ${factoryModule}): dataset length must be a non-negative integer, got number -1`),
    );
  });
});
