// Loads the addon that build.js compiled, with RTLD_GLOBAL: Open MPI loads its transport plugins
// with dlopen, and builds whose plugins are not linked against libmpi resolve its symbols through
// the global namespace, which Node's default (local) loading of an addon hides from them. mpi4py
// loads libmpi globally for the same reason. (Debian's Open MPI works either way.)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const file = path.join(__dirname, 'kindling-mpi.node');
if (!fs.existsSync(file)) {
  const err = new Error(
    `kindling-mpi: the native addon was not built (${file} is missing). ` +
      'It is compiled from source when the package is installed; install MPI ' +
      '(Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev libclang-dev) and run `npm rebuild kindling-mpi`.',
  );
  err.code = 'ERR_KINDLING_MPI_NOT_BUILT';
  throw err;
}
const { RTLD_NOW, RTLD_GLOBAL } = os.constants.dlopen;
const addon = { exports: {} };
process.dlopen(addon, file, RTLD_NOW | RTLD_GLOBAL);
module.exports = addon.exports;
