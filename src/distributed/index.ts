/**
 * kindling/distributed: data-parallel training across processes, as `torch.distributed`, on MPI.
 * `import * as dist from 'kindling/distributed'`; launch with `mpirun -np 2 node train.js`.
 * The MPI binding is the separate `kindling-mpi` package (docs/DISTRIBUTED.md), loaded by
 * `initProcessGroup`, so importing this module never needs MPI.
 */
export {
  type InitProcessGroupOptions,
  initProcessGroup,
  isInitialized,
  isMpiAvailable,
  getRank,
  getWorldSize,
  getBackend,
  destroyProcessGroup,
} from './process-group';
export { ReduceOp } from './reduce-op';
export {
  type CollectiveOptions,
  type AsyncOptions,
  allReduce,
  broadcast,
  allGather,
  allGatherIntoTensor,
  reduceScatter,
  reduceScatterTensor,
  barrier,
} from './collectives';
export { DistributedError, BackendUnavailableError } from './errors';
export { Work } from './work';
export { launchedByMpirun } from './backend';
