/**
 * The default process group, as `torch.distributed`'s: `initProcessGroup`, `isInitialized`,
 * `getRank`, `getWorldSize`, `destroyProcessGroup`. One backend, MPI; one group, the world.
 *
 * MPI itself is started once per process and never restarted (the MPI standard forbids
 * re-initialising after `MPI_Finalize`), so `destroyProcessGroup` only forgets the group, as
 * PyTorch's MPI backend does; MPI is finalised when the process exits cleanly, and mpirun ends
 * the whole job when a rank exits with an error, so the other ranks do not wait forever.
 */
import { checkOptions } from '../options';
import { type MpiAddon, launchedByMpirun, loadMpi, notLaunchedError } from './backend';
import { DistributedError } from './errors';

export interface InitProcessGroupOptions {
  /** The backend: only `'mpi'` (PyTorch's other CPU backend, Gloo, is not part of kindling). */
  backend?: string;
  /** Checked against the world size mpirun gave, as a guard against launching the wrong -np. */
  worldSize?: number;
  /** Checked against the rank mpirun gave. */
  rank?: number;
}

/** The group in use: the MPI world, as this process sees it. */
export interface ProcessGroup {
  readonly backend: 'mpi';
  readonly rank: number;
  readonly size: number;
  readonly mpi: MpiAddon;
}

let group: ProcessGroup | null = null;
let exitHookInstalled = false;

const NOT_INITIALIZED = 'Default process group has not been initialized, please make sure to call initProcessGroup.';

/**
 * Joins the job's process group (`torch.distributed.init_process_group`). The rank and world
 * size come from mpirun. Throws `BackendUnavailableError` when the MPI package is missing or the
 * process was not launched by mpirun, `RangeError` for a backend other than `'mpi'`.
 *
 * @example
 * // mpirun -np 2 node train.js
 * dist.initProcessGroup({ backend: 'mpi' });
 * console.log(`rank ${dist.getRank()} of ${dist.getWorldSize()}`);
 */
export function initProcessGroup(options: InitProcessGroupOptions = {}): void {
  const op = 'initProcessGroup';
  checkOptions(op, options, {
    backend: 'string',
    worldSize: 'integer',
    rank: 'integer',
    initMethod: { notImplemented: 'MPI finds its peers through mpirun; there is no rendezvous to configure' },
    store: { notImplemented: 'MPI finds its peers through mpirun; there is no store' },
    timeout: { notImplemented: 'MPI collectives have no timeout; mpirun ends the job when a rank fails' },
  });
  const backend = (options.backend ?? 'mpi').toLowerCase();
  if (backend !== 'mpi') {
    const hint = backend === 'gloo' || backend === 'nccl' ? `; kindling's backend is 'mpi' (${backend} is not available)` : "; expected 'mpi'";
    throw new RangeError(`${op}: Invalid backend: '${options.backend}'${hint}`);
  }
  if (group !== null) throw new DistributedError('trying to initialize the default process group twice!');
  const mpi = loadMpi(op);
  if (!launchedByMpirun()) throw notLaunchedError(op);
  mpi.init();
  installExitHook(mpi);
  const rank = mpi.rank();
  const size = mpi.worldSize();
  if (options.worldSize !== undefined && options.worldSize !== size) {
    throw new RangeError(`${op}: worldSize ${options.worldSize} was given, but mpirun started ${size} processes`);
  }
  if (options.rank !== undefined && options.rank !== rank) {
    throw new RangeError(`${op}: rank ${options.rank} was given, but mpirun assigned rank ${rank} to this process`);
  }
  group = { backend: 'mpi', rank, size, mpi };
}

/**
 * Finalises MPI when the process exits cleanly (mpirun reports an error for a rank that exits
 * with code 0 without MPI_Finalize). A failing exit does nothing: mpirun sees a rank end with a
 * non-zero code and ends the whole job, so the other ranks are not left blocked in their next
 * collective, and the failing rank's error is printed. (MPI_Abort here would kill the job before
 * Node has printed the uncaught error.)
 */
function installExitHook(mpi: MpiAddon): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', (code) => {
    if (code === 0) mpi.finalize();
  });
}

/** Whether `initProcessGroup` has run (and `destroyProcessGroup` has not since). */
export function isInitialized(): boolean {
  return group !== null;
}

/** Whether the MPI backend can be loaded here (the `kindling-mpi` package is installed and built). */
export function isMpiAvailable(): boolean {
  try {
    loadMpi('isMpiAvailable');
    return true;
  } catch {
    return false;
  }
}

/** The group, or PyTorch's error for a call before `initProcessGroup`. */
export function defaultGroup(): ProcessGroup {
  if (group === null) throw new DistributedError(NOT_INITIALIZED);
  return group;
}

/** This process's rank, 0 ≤ rank < world size. */
export function getRank(): number {
  return defaultGroup().rank;
}

/** The number of processes in the group. */
export function getWorldSize(): number {
  return defaultGroup().size;
}

/** The backend's name, `'mpi'` (`torch.distributed.get_backend`). */
export function getBackend(): string {
  return defaultGroup().backend;
}

/**
 * Leaves the process group (`torch.distributed.destroy_process_group`). MPI stays initialised
 * until the process exits, so `initProcessGroup` may be called again.
 */
export function destroyProcessGroup(): void {
  defaultGroup();
  group = null;
}
