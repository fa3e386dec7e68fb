/**
 * What the specs that start MPI jobs share: where mpirun is, whether it is required
 * (KINDLING_REQUIRE_MPI=1, set by .ci/run), the flags of a local job, and the kindling-mpi build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const repo = resolve(__dirname, '../..');

/** mpirun's path, or undefined when it is not installed. */
export const mpirun = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'mpirun')).find((p) => existsSync(p));

/** Set by .ci/run: a missing mpirun fails instead of skipping. */
export const MPI_REQUIRED = process.env.KINDLING_REQUIRE_MPI === '1';

/** Appended to the name of a describe block that is skipped for want of mpirun. */
export const MPI_SKIP_NOTE = mpirun ? '' : ' (SKIPPED: mpirun not found; apt-get install openmpi-bin libopenmpi-dev libclang-dev to run them)';

/** mpirun flags for a job on this machine: more ranks than cores, as root in CI, loopback and shared memory only. */
export const LOCAL_JOB_FLAGS = [
  '--oversubscribe',
  '--allow-run-as-root',
  ...['--mca', 'btl', 'self,vader,tcp', '--mca', 'btl_tcp_if_include', 'lo', '--mca', 'oob_tcp_if_include', 'lo'],
  ...['-x', 'NODE_PATH'],
];

/**
 * The job's environment: the repo's crates/ on NODE_PATH, so `require('kindling-mpi')` finds the
 * build, and TMPDIR set to `scratch` (a directory the test removes): Open MPI keeps its session
 * directory there, which a killed job can leave behind.
 */
export function rankEnv(scratch: string): NodeJS.ProcessEnv {
  return { ...process.env, NODE_PATH: join(repo, 'crates'), TMPDIR: scratch };
}

/** Builds crates/kindling-mpi as its npm install would (incremental after the first time). */
export function buildKindlingMpi(): void {
  execFileSync(process.execPath, [join(repo, 'crates', 'kindling-mpi', 'build.js')], { stdio: 'pipe' });
}
