#!/usr/bin/env node
// `npm run test:platforms`: builds every platform package this machine can link (build.js), then
// proves what can be proven here and prints (and writes into docs/INSTALL.md) one table:
//   - linux-x64-gnu: packed and installed like a user's, trained as CJS, ESM and TypeScript on
//     Node 18, 20, 22, 24 and Bun (no Rust on PATH), plus 50 seed-model steps on real MNIST on each;
//   - linux-arm64-gnu: the same install (npm itself run by the arm64 Node) run by an official arm64 Node under
//     qemu-user, seed steps compared with x64's; the Rust kernel tests run under qemu too, so
//     the NEON kernels are checked against the scalar references;
//   - linux-x64-musl: the Rust kernel tests natively on the musl target;
//   - every binary: inspected (format, architecture, glibc floor, libraries, napi entry point).
// Options: --no-build (use the binaries already in npm/*/), --skip-rust (no qemu/musl cargo tests).
'use strict';
const { execFile, execFileSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { TARGETS } = require('./targets');
const { buildOne, packagedBinary } = require('./build');
const { inspectBinary } = require('./inspect');
const { runtimePath, QEMU_ARM64, RUNTIMES } = require('./runtimes');
const { makeApp, mnistRoot } = require('./install-app');

const root = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);
const args = new Set(process.argv.slice(2));

/** PATH without the directories that hold cargo, rustc or rustup: a user's machine has no Rust. */
const PATH_WITHOUT_RUST = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((d) => d && !['cargo', 'rustc', 'rustup'].some((t) => existsSync(path.join(d, t))))
  .join(path.delimiter);

/** Runs a program (with no Rust on PATH), returning its last stdout line parsed as JSON. */
async function runJson(file, argv, cwd, env = {}) {
  try {
    const { stdout } = await run(file, argv, { cwd, env: { ...process.env, PATH: PATH_WITHOUT_RUST, ...env }, timeout: 600_000, maxBuffer: 64 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop());
  } catch (e) {
    throw new Error(`${path.basename(file)} ${argv.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** The largest |a-b| / max(|b|, 1e-3) over two loss curves. */
function maxRelativeDifference(a, b) {
  if (a.length !== b.length) return Infinity;
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(Math.abs(b[i]), 1e-3)));
}

function checkLosses(what, losses, steps) {
  if (!Array.isArray(losses) || losses.length !== steps) throw new Error(`${what}: expected ${steps} losses, got ${JSON.stringify(losses)}`);
  if (!losses.every(Number.isFinite)) throw new Error(`${what}: a loss is not finite: ${losses}`);
}

/** The flavours of the install fixture a runtime runs: CJS, ESM and TypeScript. */
function flavours(kind, exe, app) {
  const tsNode = path.join(app, 'node_modules', 'ts-node', 'dist', 'bin.js');
  return [
    ['cjs', exe, ['train.cjs']],
    ['esm', exe, ['train.mjs']],
    kind === 'bun' ? ['ts', exe, ['train.ts']] : ['ts-node', exe, [tsNode, 'train.ts']],
  ];
}

async function main() {
  const started = Date.now();
  const rows = [];
  const failures = [];
  const note = (row) => { rows.push(row); console.log(`  ${row.platform.padEnd(17)} ${row.runtime.padEnd(22)} ${row.built.padEnd(8)} ${row.loaded.padEnd(30)} ${row.seed.padEnd(34)} ${row.simd}`); };

  // 1. Build (or inspect what is there).
  const built = {};
  for (const t of TARGETS.filter((x) => x.local)) {
    try {
      built[t.platform] = args.has('--no-build') ? inspectBinary(packagedBinary(t.platform), t) : buildOne(t);
      if (!built[t.platform].ok) failures.push(`${t.platform}: ${built[t.platform].problems.join('; ')}`);
    } catch (e) {
      built[t.platform] = { ok: false, summary: `build failed: ${e.message.split('\n')[0]}` };
      failures.push(`${t.platform}: ${e.message}`);
    }
  }

  const tmp = mkdtempSync(path.join(tmpdir(), 'kindling-platforms-'));
  try {
    const mnist = mnistRoot(tmp);
    const STEPS = 50;
    const seedEnv = { KINDLING_MNIST_ROOT: mnist, KINDLING_SEED_STEPS: String(STEPS), KINDLING_NUM_THREADS: '2' };

    // 2. linux-x64-gnu on every supported runtime.
    let x64Seed = null;
    if (built['linux-x64-gnu']?.ok) {
      const app = makeApp(tmp, 'linux-x64-gnu');
      for (const name of (args.has('--only-arm64') ? ['node20'] : ['node20', 'node18', 'node22', 'node24', 'bun'])) {
        const r = RUNTIMES[name];
        const row = { platform: 'linux-x64-gnu', runtime: r.spec.replace(/^@oven\//, ''), built: 'yes', loaded: '', seed: '', simd: '' };
        try {
          const exe = runtimePath(name);
          const fl = [];
          for (const [flavour, file, argv] of flavours(r.kind, exe, app)) {
            const out = await runJson(file, argv, app);
            checkLosses(`${name} ${flavour}`, out.losses, 30);
            if (!(out.losses[29] < out.losses[0] * 0.6)) throw new Error(`${name} ${flavour}: did not train (${out.losses[0]} → ${out.losses[29]})`);
            fl.push(flavour);
          }
          row.loaded = `yes (${fl.join(', ')})`;
          const seed = await runJson(exe, ['seed-steps.cjs'], app, seedEnv);
          checkLosses(`${name} seed`, seed.losses, STEPS);
          row.simd = seed.simd;
          if (x64Seed === null) {
            x64Seed = seed.losses;
            row.seed = `${STEPS} steps, ${seed.losses[0].toFixed(4)} → ${seed.losses[STEPS - 1].toFixed(4)}, ${seed.stepsPerSecond.toFixed(0)} steps/s`;
          } else {
            // The same binary and the same program: the losses are the same numbers.
            const d = maxRelativeDifference(seed.losses, x64Seed);
            if (d !== 0) throw new Error(`${name}: seed losses differ from node20's (max relative difference ${d.toExponential(2)})`);
            row.seed = `${STEPS} steps, equal to node 20, ${seed.stepsPerSecond.toFixed(0)} steps/s`;
          }
        } catch (e) {
          row.loaded = row.loaded || 'FAILED';
          row.seed = row.seed || 'FAILED';
          failures.push(`linux-x64-gnu on ${name}: ${e.message}`);
        }
        note(row);
      }
    }

    // 3. linux-arm64-gnu under qemu-user.
    if (built['linux-arm64-gnu']?.ok) {
      const row = { platform: 'linux-arm64-gnu', runtime: `${RUNTIMES['node20-arm64'].spec} (qemu)`, built: 'yes', loaded: '', seed: '', simd: '' };
      try {
        if (!existsSync(QEMU_ARM64.qemu)) throw new Error(`no ${QEMU_ARM64.qemu}: apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross`);
        const exe = runtimePath('node20-arm64');
        const app = makeApp(tmp, 'linux-arm64-gnu', { node: [QEMU_ARM64.qemu, ['-L', QEMU_ARM64.sysroot, exe]] });
        const qemu = (argv) => [QEMU_ARM64.qemu, ['-L', QEMU_ARM64.sysroot, exe, ...argv]];
        const fl = [];
        for (const [flavour, , argv] of flavours('node', exe, app).slice(0, 2)) {
          const out = await runJson(...qemu(argv), app);
          checkLosses(`arm64 ${flavour}`, out.losses, 30);
          fl.push(flavour);
        }
        row.loaded = `yes (${fl.join(', ')})`;
        const seed = await runJson(...qemu(['seed-steps.cjs']), app, seedEnv);
        checkLosses('arm64 seed', seed.losses, STEPS);
        row.simd = seed.simd;
        if (seed.arch !== 'arm64') throw new Error(`arm64: the runtime reports ${seed.arch}`);
        if (seed.simd !== 'neon') throw new Error(`arm64: simdPath() is ${seed.simd}, expected neon`);
        if (x64Seed !== null) {
          // NEON and AVX-512 sum in different orders (vector widths 4 and 16): float32 rounding.
          const d = maxRelativeDifference(seed.losses, x64Seed);
          row.seed = `${STEPS} steps, max rel. diff. to x64 ${d.toExponential(1)}, ${seed.stepsPerSecond.toFixed(1)} steps/s emulated`;
          if (!(d <= 1e-4)) throw new Error(`arm64: seed losses differ from x64's by ${d} (relative)`);
        } else {
          row.seed = `${STEPS} steps`;
        }
      } catch (e) {
        row.loaded = row.loaded || 'FAILED';
        row.seed = row.seed || 'FAILED';
        failures.push(`linux-arm64-gnu: ${e.message}`);
      }
      note(row);
    }

    // 4. The Rust kernel tests on the other targets.
    const rust = {};
    if (!args.has('--skip-rust')) {
      const cargoTests = [
        ['linux-arm64-gnu', 'cargo-zigbuild', ['test', '-p', 'kindling-core', '--release', '--target', 'aarch64-unknown-linux-gnu'], { CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER: `${QEMU_ARM64.qemu} -L ${QEMU_ARM64.sysroot}` }],
        ['linux-x64-musl', 'cargo-zigbuild', ['test', '-p', 'kindling-core', '--release', '--target', 'x86_64-unknown-linux-musl'], {}],
      ];
      for (const [platform, cmd, argv, env] of cargoTests) {
        try {
          const { stdout } = await run(cmd, argv, { cwd: root, env: { ...process.env, ...env }, timeout: 1_200_000, maxBuffer: 64 << 20 });
          const m = [...stdout.matchAll(/test result: ok\. (\d+) passed; (\d+) failed/g)];
          rust[platform] = `${m.reduce((s, x) => s + Number(x[1]), 0)} passed`;
        } catch (e) {
          rust[platform] = 'FAILED';
          failures.push(`${platform} Rust tests: ${(e.stdout ?? '').split('\n').filter((l) => /FAILED|panicked|failed/.test(l)).slice(0, 10).join('\n') || e.message}`);
        }
      }
    }

    // 5. A wrong binary names itself: arm64 and musl builds loaded by this x64 glibc Node.
    for (const [platform, expected] of [['linux-arm64-gnu', 'is a Linux binary for arm64, but this process runs on x64'], ['linux-x64-musl', 'is built for musl libc, but this Node uses glibc']]) {
      if (!built[platform]?.ok) continue;
      const script = `try { require(${JSON.stringify(path.join(root, 'dist', 'index.js'))}); console.log(JSON.stringify({ loaded: true })) } catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })) }`;
      const out = await runJson(process.execPath, ['-e', script], root, { NAPI_RS_NATIVE_LIBRARY_PATH: packagedBinary(platform) });
      if (out.name !== 'NativeBindingError' || !out.message.includes(expected)) failures.push(`${platform} loaded on x64: expected a NativeBindingError saying "${expected}", got ${JSON.stringify(out)}`);
      else console.log(`  ${platform} on this x64 glibc Node: NativeBindingError, "${expected}"`);
    }

    // 6. Every binary's inspection, and the rows for what cannot be run here.
    for (const t of TARGETS) {
      if (t.platform === 'linux-x64-gnu' || t.platform === 'linux-arm64-gnu') continue;
      const b = built[t.platform];
      const reason = {
        'linux-x64-musl': 'not loaded: no musl Node/Bun runs here (docs/INSTALL.md)',
        'linux-arm64-musl': 'not loaded: no musl runtime',
        'darwin-x64': 'inspected only (Mach-O)',
        'darwin-arm64': 'inspected only (Mach-O)',
        'win32-x64-msvc': 'not built here: release workflow',
      }[t.platform];
      note({ platform: t.platform, runtime: '—', built: t.local ? (b?.ok ? 'yes' : 'FAILED') : 'no', loaded: reason, seed: '—', simd: '—' });
    }

    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    writeTable(rows, built, rust, minutes);
    console.log(`\ntest:platforms: ${minutes} min; ${failures.length === 0 ? 'all passed' : `${failures.length} failed`}`);
    if (failures.length > 0) {
      console.error(failures.join('\n\n'));
      process.exitCode = 1;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The packed size of npm/<platform>/ as `npm pack` would publish it. */
function packedSize(platform) {
  try {
    const [info] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: path.join(root, 'npm', platform), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    return `${(info.size / 1024).toFixed(0)} KiB (${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked)`;
  } catch {
    return '—';
  }
}

/** The table, into docs/INSTALL.md between its markers. */
function writeTable(rows, built, rust, minutes) {
  const lines = [
    `Measured by \`npm run test:platforms\` on ${new Date().toISOString().slice(0, 10)} (${minutes} min, 2-vCPU x86-64 Linux).`,
    '',
    '| platform | runtime | built | loaded (install fixture) | seed steps (real MNIST) | `simdPath()` |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.platform} | ${r.runtime} | ${r.built} | ${r.loaded} | ${r.seed} | ${r.simd} |`),
    '',
    '| binary | what it is | package (packed) | build | Rust kernel tests |',
    '|---|---|---|---|---|',
    ...Object.entries(built).map(([p, b]) => `| ${p} | ${b.summary} | ${packedSize(p)} | ${b.seconds === undefined ? '—' : `${b.seconds.toFixed(0)} s`} | ${rust[p] ?? (p === 'linux-x64-gnu' ? 'in `npm test`' : '—')} |`),
  ];
  const file = path.join(root, 'docs', 'INSTALL.md');
  const text = readFileSync(file, 'utf8');
  const begin = '<!-- platforms:begin -->';
  const end = '<!-- platforms:end -->';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/INSTALL.md has no ${begin} … ${end} markers`);
  writeFileSync(file, `${text.slice(0, i + begin.length)}\n${lines.join('\n')}\n${text.slice(j)}`);
  console.log(`\n${lines.join('\n')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
