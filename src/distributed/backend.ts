/**
 * Finds the MPI backend: the optional `kindling-mpi` package (crates/kindling-mpi), loaded on the
 * first `initProcessGroup`, never at import, so that kindling works without MPI installed.
 */
import { BackendUnavailableError } from './errors';

/** What the kindling-mpi addon exports (crates/kindling-mpi/index.d.ts). */
export interface MpiAddon {
  init(): void;
  isInitialized(): boolean;
  rank(): number;
  worldSize(): number;
  finalize(): void;
  abort(code: number): void;
  libraryVersion(): string;
  barrier(): void;
  allReduceF32(buf: Float32Array, op: number): void;
  allReduceI32(buf: Int32Array, op: number): void;
  allReduceI64(buf: BigInt64Array, op: number): void;
  broadcastF32(buf: Float32Array, src: number): void;
  broadcastI32(buf: Int32Array, src: number): void;
  broadcastI64(buf: BigInt64Array, src: number): void;
  allGatherF32(input: Float32Array, output: Float32Array): void;
  allGatherI32(input: Int32Array, output: Int32Array): void;
  allGatherI64(input: BigInt64Array, output: BigInt64Array): void;
  reduceScatterF32(input: Float32Array, output: Float32Array, op: number): void;
  reduceScatterI32(input: Int32Array, output: Int32Array, op: number): void;
  reduceScatterI64(input: BigInt64Array, output: BigInt64Array, op: number): void;
  /** Async forms: the agreement exchange of `plan` then the collective, in issue order; resolve to whether the ranks agreed. */
  allReduceF32Async(buf: Float32Array, op: number, plan: BigInt64Array): Promise<boolean>;
  allReduceI32Async(buf: Int32Array, op: number, plan: BigInt64Array): Promise<boolean>;
  allReduceI64Async(buf: BigInt64Array, op: number, plan: BigInt64Array): Promise<boolean>;
  broadcastF32Async(buf: Float32Array, src: number, plan: BigInt64Array): Promise<boolean>;
  broadcastI32Async(buf: Int32Array, src: number, plan: BigInt64Array): Promise<boolean>;
  broadcastI64Async(buf: BigInt64Array, src: number, plan: BigInt64Array): Promise<boolean>;
  allGatherF32Async(input: Float32Array, output: Float32Array, plan: BigInt64Array): Promise<boolean>;
  allGatherI32Async(input: Int32Array, output: Int32Array, plan: BigInt64Array): Promise<boolean>;
  allGatherI64Async(input: BigInt64Array, output: BigInt64Array, plan: BigInt64Array): Promise<boolean>;
  reduceScatterF32Async(input: Float32Array, output: Float32Array, op: number, plan: BigInt64Array): Promise<boolean>;
  reduceScatterI32Async(input: Int32Array, output: Int32Array, op: number, plan: BigInt64Array): Promise<boolean>;
  reduceScatterI64Async(input: BigInt64Array, output: BigInt64Array, op: number, plan: BigInt64Array): Promise<boolean>;
  barrierAsync(plan: BigInt64Array): Promise<boolean>;
}

const INSTALL =
  'Install an MPI library, then the package (it compiles against that MPI):\n' +
  '  apt-get install openmpi-bin libopenmpi-dev libclang-dev   # Debian/Ubuntu; macOS: brew install open-mpi\n' +
  '  npm install kindling-mpi';
const LAUNCH = 'Start every rank with mpirun, e.g. `mpirun -np 2 node train.js` (add --oversubscribe for more ranks than cores).';

/** Requires kindling-mpi, turning each way it can fail into a `BackendUnavailableError`. */
export function loadMpi(op: string): MpiAddon {
  try {
    return require('kindling-mpi') as MpiAddon;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'MODULE_NOT_FOUND' && String(e.message).includes("'kindling-mpi'")) {
      throw new BackendUnavailableError(`${op}: backend 'mpi' needs the kindling-mpi package, which is not installed.\n${INSTALL}`, 'ERR_KINDLING_MPI_MISSING');
    }
    if (e?.code === 'ERR_KINDLING_MPI_NOT_BUILT') {
      throw new BackendUnavailableError(`${op}: ${e.message}`, 'ERR_KINDLING_MPI_NOT_BUILT', { cause: err });
    }
    // Typically the addon was built against an MPI library that is no longer there.
    const why = err instanceof Error ? err.message : String(err);
    throw new BackendUnavailableError(
      `${op}: the kindling-mpi package failed to load (${why}). Rebuild it against this machine's MPI: npm rebuild kindling-mpi`,
      'ERR_KINDLING_MPI_LOAD_FAILED',
      { cause: err },
    );
  }
}

/**
 * Whether a launcher started this process: mpirun/mpiexec of Open MPI (`OMPI_COMM_WORLD_SIZE`),
 * MPICH's Hydra and Slurm's srun (`PMI_SIZE`), PMIx launchers (`PMIX_RANK`). Without one, MPI
 * would start a world of one process, which is never what a data-parallel script wants.
 */
export function launchedByMpirun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OMPI_COMM_WORLD_SIZE !== undefined || env.PMI_SIZE !== undefined || env.PMIX_RANK !== undefined;
}

export function notLaunchedError(op: string): BackendUnavailableError {
  return new BackendUnavailableError(
    `${op}: backend 'mpi' needs a process started by mpirun (none of OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK is set).\n${LAUNCH}`,
    'ERR_KINDLING_MPI_NOT_LAUNCHED',
  );
}
