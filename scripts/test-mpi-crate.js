#!/usr/bin/env node
/**
 * `npm test`'s run of crates/kindling-mpi's Rust tests. The crate is a workspace of its own
 * (docs/DISTRIBUTED.md: kindling never needs MPI), so `cargo test --workspace` does not reach it;
 * it builds only where MPI is installed. Without MPI this says so and passes, unless
 * KINDLING_REQUIRE_MPI is set (as `.ci/run` does): then a missing MPI fails the run.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const found = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasMpi = found('mpicc', ['-show']) || found('pkg-config', ['--exists', 'ompi']) || found('pkg-config', ['--exists', 'mpich']);

if (!hasMpi) {
  if (process.env.KINDLING_REQUIRE_MPI) {
    console.error('test-mpi-crate: KINDLING_REQUIRE_MPI is set but no MPI (mpicc or pkg-config entry) was found');
    process.exit(1);
  }
  console.log('test-mpi-crate: no MPI on this machine; crates/kindling-mpi tests skipped');
  process.exit(0);
}
const manifest = path.join(__dirname, '..', 'crates', 'kindling-mpi', 'Cargo.toml');
const run = spawnSync('cargo', ['test', '--release', '--manifest-path', manifest], { stdio: 'inherit' });
process.exit(run.status ?? 1);
