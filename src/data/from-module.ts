/**
 * `datasetFromModule`: a dataset that DataLoader workers import from its module, as PyTorch
 * pickles a dataset by reference to its class (NOTE [ Rebuilding objects in worker threads ]).
 */
import { isAbsolute } from 'node:path';
import { describeValue } from '../options';
import { type Dataset, checkDataset } from './dataset';
import { type WorkerSource, construct, pack } from './worker-source';

/**
 * Builds `require(module)[exportName](...args)` (with `new` for a class) in this thread, and gives
 * it a `workerSource()` so that every DataLoader worker builds its own copy from the same module
 * and arguments. The module's code runs with its own imports in the worker — unlike functions of
 * a plain-object dataset, which travel as source text without the variables they use.
 *
 * @example
 * // my-dataset.ts: export function makeDataset(n: number) { return { length: n, getItem: (i) => torch.ones([2]).mul(i) }; }
 * const ds = datasetFromModule(require.resolve('./my-dataset'), 'makeDataset', 1000);
 * new DataLoader(ds, { batchSize: 10, numWorkers: 2 });
 */
export function datasetFromModule<T = unknown>(module: string, exportName: string, ...args: unknown[]): Dataset<T> {
  if (typeof module !== 'string' || !isAbsolute(module)) {
    throw new TypeError(`datasetFromModule: module must be an absolute path, as require.resolve('./my-dataset') gives, got ${describeValue(module)}`);
  }
  if (typeof exportName !== 'string') throw new TypeError(`datasetFromModule: exportName must be a string, got ${describeValue(exportName)}`);
  // The arguments must reach the workers: refuse now what could not.
  args.forEach((a, i) => pack(a, `datasetFromModule argument ${i}`));
  const dataset = construct(module, exportName, args);
  checkDataset(`datasetFromModule (${exportName} of ${module})`, dataset);
  const source: WorkerSource = { module, exportName, args };
  Object.defineProperty(dataset, 'workerSource', { value: () => source, enumerable: false, configurable: true, writable: true });
  return dataset as Dataset<T>;
}
