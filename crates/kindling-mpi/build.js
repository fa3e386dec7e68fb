#!/usr/bin/env node
// Builds the addon against this machine's MPI, as mpi4py does: there is no prebuilt binary,
// because an MPI program must use the MPI library (and its mpirun) installed where it runs.
// Runs as the package's `install` script, and from kindling's tests (`node build.js`).
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const INSTALL_HINT =
  'Install an MPI library and a Rust toolchain first, e.g. on Debian/Ubuntu\n' +
  '  apt-get install openmpi-bin libopenmpi-dev libclang-dev\n' +
  'on macOS `brew install open-mpi llvm`; Rust from https://rustup.rs. Then `npm rebuild kindling-mpi`.';

function found(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

function main() {
  // rsmpi finds MPI through `mpicc -show` (or pkg-config); check up front for a clear message.
  if (!found('mpicc', ['-show']) && !found('pkg-config', ['--exists', 'ompi']) && !found('pkg-config', ['--exists', 'mpich'])) {
    fail('no MPI compiler wrapper (mpicc) or pkg-config entry for Open MPI / MPICH was found.');
  }
  if (!found('cargo', ['--version'])) fail('cargo (Rust) was not found.');
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(here, 'target');
  console.log('kindling-mpi: building the MPI addon with cargo (release)…');
  try {
    execFileSync('cargo', ['build', '--release', '--manifest-path', path.join(here, 'Cargo.toml')], {
      stdio: 'inherit',
      env: { ...process.env, CARGO_TARGET_DIR: targetDir },
    });
  } catch {
    fail('cargo build failed (see its output above).');
  }
  const lib = { darwin: 'libkindling_mpi.dylib', win32: 'kindling_mpi.dll' }[process.platform] || 'libkindling_mpi.so';
  // Copy, then rename: a process that already loaded the old addon keeps a valid file, and two
  // builds at once (cargo serialises them on its lock) each rename their own copy.
  const dest = path.join(here, 'kindling-mpi.node');
  const tmp = `${dest}.${process.pid}.tmp`;
  fs.copyFileSync(path.join(targetDir, 'release', lib), tmp);
  fs.renameSync(tmp, dest);
  console.log(`kindling-mpi: built ${dest}`);
}

function fail(why) {
  console.error(`kindling-mpi: cannot build: ${why}\n${INSTALL_HINT}`);
  process.exit(1);
}

main();
