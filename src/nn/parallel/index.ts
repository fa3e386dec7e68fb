/** `torch.nn.parallel`: `DistributedDataParallel` (data parallelism over kindling/distributed). */
export { DistributedDataParallel, type DistributedDataParallelOptions } from './distributed';
