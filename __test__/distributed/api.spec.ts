/**
 * kindling/distributed without MPI: what a process that never joined a group, or cannot, is told.
 * (mpi-jobs.spec.ts runs the collectives themselves in real MPI jobs.)
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import * as dist from '../../src/distributed';

describe('kindling/distributed before initProcessGroup', () => {
  const NOT_INIT = 'Default process group has not been initialized, please make sure to call initProcessGroup.';

  it('is reachable from the root module too, as torch.distributed', () => {
    expect(torch.distributed.allReduce).toBe(dist.allReduce);
    expect(dist.ReduceOp).toEqual({ SUM: 0, AVG: 1, PRODUCT: 2, MIN: 3, MAX: 4 });
  });

  it('every call but isInitialized throws PyTorch\'s DistributedError', () => {
    expect(dist.isInitialized()).toBe(false);
    const t = torch.ones(3);
    const calls: [string, () => unknown][] = [
      ['getRank', () => dist.getRank()],
      ['getWorldSize', () => dist.getWorldSize()],
      ['getBackend', () => dist.getBackend()],
      ['allReduce', () => dist.allReduce(t)],
      ['broadcast', () => dist.broadcast(t, 0)],
      ['allGather', () => dist.allGather([t], t)],
      ['allGatherIntoTensor', () => dist.allGatherIntoTensor(t, t)],
      ['reduceScatter', () => dist.reduceScatter(t, [t])],
      ['reduceScatterTensor', () => dist.reduceScatterTensor(t, t)],
      ['barrier', () => dist.barrier()],
      ['destroyProcessGroup', () => dist.destroyProcessGroup()],
    ];
    for (const [name, call] of calls) {
      expect(call, name).toThrow(dist.DistributedError);
      expect(call, name).toThrow(NOT_INIT);
    }
    expect(t.tolist()).toEqual([1, 1, 1]);
  });

  it('initProcessGroup checks its options before loading anything', () => {
    expect(() => dist.initProcessGroup({ backend: 'gloo' })).toThrow(RangeError);
    expect(() => dist.initProcessGroup({ backend: 'gloo' })).toThrow("initProcessGroup: Invalid backend: 'gloo'; kindling's backend is 'mpi' (gloo is not available)");
    expect(() => dist.initProcessGroup({ backend: 'tcp' })).toThrow("initProcessGroup: Invalid backend: 'tcp'; expected 'mpi'");
    expect(() => dist.initProcessGroup({ backend: 3 as unknown as string })).toThrow(TypeError);
    expect(() => dist.initProcessGroup({ backend: 'mpi', world_size: 2 } as never)).toThrow(/unexpected option 'world_size' \(did you mean 'worldSize'\?\)/);
    expect(() => dist.initProcessGroup({ backend: 'mpi', initMethod: 'env://' } as never)).toThrow(/option 'initMethod' is not supported/);
    expect(dist.isInitialized()).toBe(false);
  });

  it('without the kindling-mpi package: says what to install', () => {
    // Precondition: this test process cannot resolve kindling-mpi (the MPI jobs find it through NODE_PATH).
    expect(() => require.resolve('kindling-mpi')).toThrow();
    expect(dist.isMpiAvailable()).toBe(false);
    let err: unknown;
    try {
      dist.initProcessGroup({ backend: 'mpi' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(dist.BackendUnavailableError);
    expect(err).toBeInstanceOf(dist.DistributedError);
    const e = err as dist.BackendUnavailableError;
    expect(e.code).toBe('ERR_KINDLING_MPI_MISSING');
    expect(e.message).toContain("initProcessGroup: backend 'mpi' needs the kindling-mpi package, which is not installed.");
    expect(e.message).toContain('apt-get install openmpi-bin libopenmpi-dev libclang-dev');
    expect(e.message).toContain('npm install kindling-mpi');
    expect(dist.isInitialized()).toBe(false);
  });

  it('launchedByMpirun reads the launchers\' environment variables', () => {
    expect(dist.launchedByMpirun({})).toBe(false);
    expect(dist.launchedByMpirun({ OMPI_COMM_WORLD_SIZE: '2' })).toBe(true);
    expect(dist.launchedByMpirun({ PMI_SIZE: '4' })).toBe(true);
    expect(dist.launchedByMpirun({ PMIX_RANK: '0' })).toBe(true);
  });
});

describe('nn.parallel.DistributedDataParallel without a process group', () => {
  it('needs initProcessGroup first, and checks its options before that', () => {
    const model = new torch.nn.Linear(2, 2);
    const DDP = torch.nn.parallel.DistributedDataParallel;
    expect(() => new DDP(model)).toThrow(dist.DistributedError);
    expect(() => new DDP(model)).toThrow('Default process group has not been initialized');
    expect(() => new DDP(model, { bucketCapMb: 0 })).toThrow(TypeError);
    expect(() => new DDP(model, { findUnusedParameters: 'yes' as never })).toThrow(TypeError);
    expect(() => new DDP(model, { device_ids: [0] } as never)).toThrow(/unexpected option 'device_ids' \(did you mean 'deviceIds'\?\)/);
    expect(() => new DDP({} as never)).toThrow('DistributedDataParallel: module must be an nn.Module');
    // Nothing was registered on the model by the failed constructions.
    model.call(torch.ones(1, 2)).sum().backward();
    expect(model.weight.grad).not.toBeNull();
  });
});
