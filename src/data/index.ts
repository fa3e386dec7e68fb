/**
 * kindling/data: datasets, samplers and the DataLoader, as `torch.utils.data`.
 * `import { DataLoader, TensorDataset } from 'kindling/data'`.
 */
export { type Dataset, TensorDataset, Subset, ConcatDataset } from './dataset';
export { randomSplit } from './random-split';
export { CharTokenizer, CharDataset } from './char-dataset';
export {
  type Sampler,
  type BatchIndexSampler,
  type RandomSamplerOptions,
  SequentialSampler,
  RandomSampler,
  BatchSampler,
} from './sampler';
export { DistributedSampler, type DistributedSamplerOptions } from './distributed-sampler';
export { type Collated, defaultCollate, collatedSamples } from './collate';
export { DataLoader, type DataLoaderOptions } from './dataloader';
export { WorkerError, DataLoaderWorkerError } from './worker-pool';
export { type WorkerSource, NotPackableError } from './worker-source';
export { datasetFromModule } from './from-module';
