/**
 * kindling/distributed's error types. A collective on a bad tensor throws the usual `TypeError` /
 * `RangeError` / `ShapeError` (src/errors.ts); these are for the process group itself.
 */

/**
 * The process group is in the wrong state for the call: a collective before `initProcessGroup`,
 * a second `initProcessGroup`, ranks that disagree on which collective they run. (PyTorch raises
 * `ValueError` / `RuntimeError` for these.)
 */
export class DistributedError extends Error {
  override name = 'DistributedError';
}

/**
 * The backend cannot run here: the `kindling-mpi` package is not installed (or not built), or the
 * process was not started by `mpirun`. The message says what to install or how to launch; `code`
 * tells the cases apart: `ERR_KINDLING_MPI_MISSING`, `ERR_KINDLING_MPI_NOT_BUILT`,
 * `ERR_KINDLING_MPI_LOAD_FAILED`, `ERR_KINDLING_MPI_NOT_LAUNCHED`.
 */
export class BackendUnavailableError extends DistributedError {
  override name = 'BackendUnavailableError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
