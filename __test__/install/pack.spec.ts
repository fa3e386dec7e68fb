/**
 * Installs like a user's: packs the root package and the linux-x64-gnu platform package
 * (`npm pack`), installs both tarballs into a fresh project with no Rust toolchain on PATH, and
 * trains a small MLP there as CommonJS, as ESM and with ts-node.
 *
 * Builds nothing: it uses the `dist/` and `native/kindling.linux-x64-gnu.node` that the README's
 * `npm install` (or `npm run build`) produced, and fails with a clear message if either is
 * missing. Takes about a minute. Skipped only when KINDLING_SKIP_INSTALL_TEST=1 (e.g. on a
 * platform other than linux-x64-gnu, where the platform package cannot be staged).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const fixtures = join(__dirname, 'fixtures');
const PLATFORM = 'linux-x64-gnu';
const BINARY = join(repo, 'native', `kindling.${PLATFORM}.node`);
const SKIP = process.env.KINDLING_SKIP_INSTALL_TEST === '1';
const run = promisify(execFile);

interface Packed {
  filename: string;
  files: { path: string }[];
}

/** PATH without any directory holding cargo, rustc or rustup, plus a bin dir with node and npm. */
function pathWithoutRust(bin: string): string {
  const rustTools = ['cargo', 'rustc', 'rustup'];
  const kept = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !rustTools.some((t) => existsSync(join(d, t))));
  return [bin, ...kept].join(delimiter);
}

/** Finds an executable on the current PATH. */
function which(name: string): string {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, name);
    if (d && existsSync(p)) return realpathSync(p);
  }
  throw new Error(`install test: ${name} is not on PATH`);
}

describe.skipIf(SKIP)(`npm pack + install of kindling and kindling-${PLATFORM}`, () => {
  let tmp = '';
  let app = '';
  let env: NodeJS.ProcessEnv = {};
  let rootPacked: Packed;
  let npmCli = '';

  /** Runs a command with the consumer's environment (no Rust on PATH) and returns stdout. */
  async function sh(file: string, args: string[], cwd: string): Promise<string> {
    try {
      const { stdout } = await run(file, args, { cwd, env, timeout: 240_000, maxBuffer: 16 << 20 });
      return stdout;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    }
  }
  const npm = (args: string[], cwd: string): Promise<string> => sh(process.execPath, [npmCli, ...args], cwd);

  beforeAll(async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(`install test: stages the ${PLATFORM} package, but this is ${process.platform}-${process.arch}; set KINDLING_SKIP_INSTALL_TEST=1 to skip it`);
    }
    for (const [file, what] of [
      [join(repo, 'dist', 'index.js'), 'dist/ (the compiled TypeScript)'],
      [join(repo, 'native', 'index.js'), 'native/index.js (the generated loader)'],
      [BINARY, `native/kindling.${PLATFORM}.node (the release addon)`],
    ] as const) {
      if (!existsSync(file)) throw new Error(`install test: ${what} is missing at ${file}: run \`npm install\` or \`npm run build\` in the repository first`);
    }
    tmp = mkdtempSync(join(tmpdir(), 'kindling-install-'));
    // A bin dir with only node and npm: the consumer's PATH has no cargo/rustc at all.
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    // npm itself runs as `node <npm-cli.js>`: `which` follows the npm symlink to npm/bin/.
    npmCli = join(dirname(which('npm')), 'npm-cli.js');
    if (!existsSync(npmCli)) throw new Error(`install test: cannot find npm-cli.js next to ${which('npm')}`);
    env = { PATH: pathWithoutRust(bin), HOME: tmp, TMPDIR: tmpdir(), npm_config_cache: join(tmp, 'npm-cache'), npm_config_update_notifier: 'false' };
  }, 60_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('has no Rust toolchain on the consumer PATH', async () => {
    await expect(sh('/bin/sh', ['-c', 'command -v cargo || command -v rustc'], tmp)).rejects.toThrow(/failed/);
  });

  it('packs the root package without a binary or install scripts', async () => {
    // --ignore-scripts: `npm pack` would otherwise run `prepare` (scripts/install.js) here.
    const out = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], repo);
    rootPacked = (JSON.parse(out) as Packed[])[0];
    const files = rootPacked.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('native/index.js');
    expect(files).toContain('package.json');
    expect(files.filter((f) => f.endsWith('.node'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('scripts/') || f.startsWith('crates/'))).toEqual([]);
  }, 120_000);

  it('installs both tarballs offline and trains as CommonJS, ESM and ts-node', async () => {
    // What `napi prepublish` does at publish time: declare every platform package as an optional
    // dependency of the root package, at the same version.
    const stageRoot = join(tmp, 'stage-root');
    mkdirSync(stageRoot);
    await sh('tar', ['xzf', join(tmp, rootPacked.filename), '-C', stageRoot], tmp);
    const manifestPath = join(stageRoot, 'package', 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      version: string;
      scripts?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    // Only these lifecycle scripts run for a consumer's install of a tarball or registry package.
    for (const s of ['preinstall', 'install', 'postinstall']) expect(manifest.scripts?.[s]).toBeUndefined();
    manifest.optionalDependencies = { [`kindling-${PLATFORM}`]: manifest.version };
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    const rootTgz = (JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], join(stageRoot, 'package'))) as Packed[])[0].filename;

    // The platform package: its package.json from npm/, plus the binary (what `napi artifacts` copies).
    const stagePlatform = join(tmp, 'stage-platform');
    cpSync(join(repo, 'npm', PLATFORM), stagePlatform, { recursive: true });
    cpSync(BINARY, join(stagePlatform, `kindling.${PLATFORM}.node`));
    const platformPacked = (JSON.parse(await npm(['pack', '--json', '--pack-destination', tmp], stagePlatform)) as Packed[])[0];
    expect(platformPacked.files.map((f) => f.path).sort()).toEqual([`kindling.${PLATFORM}.node`, 'package.json']);

    app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }, null, 2));
    // The root package's runtime dependencies (protobufjs for kindling/utils/tensorboard, and
    // theirs), packed from the repository's node_modules: the install is offline with an empty
    // cache, so a consumer's registry download is stood in for by the same versions as tarballs.
    const depTgzs: string[] = [];
    const seen = new Set<string>();
    /** Where Node would find `name` from `from`: the nearest node_modules up to the repository's. */
    const locate = (name: string, from: string): string => {
      for (let d = from; ; d = dirname(d)) {
        const candidate = join(d, 'node_modules', name);
        if (existsSync(join(candidate, 'package.json'))) return candidate;
        if (d === repo || d === dirname(d)) throw new Error(`install test: dependency ${name} of ${from} is not installed`);
      }
    };
    const packDeps = async (pkgDir: string): Promise<void> => {
      const deps = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
      for (const name of Object.keys(deps)) {
        const dir = locate(name, pkgDir);
        if (seen.has(dir)) continue;
        seen.add(dir);
        depTgzs.push(join(tmp, (JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], dir)) as Packed[])[0].filename));
        await packDeps(dir);
      }
    };
    await packDeps(repo);
    const log = await npm(['install', '--offline', '--no-audit', '--no-fund', join(tmp, rootTgz), join(tmp, platformPacked.filename), ...depTgzs], app);
    expect(log).not.toMatch(/cargo|building the addon/);

    // The root package carries no binary; the generated loader must find the platform package.
    const installed = join(app, 'node_modules', 'kindling');
    expect(readdirSync(join(installed, 'native')).filter((f) => f.endsWith('.node'))).toEqual([]);
    expect(existsSync(join(app, 'node_modules', `kindling-${PLATFORM}`, `kindling.${PLATFORM}.node`))).toBe(true);
    expect(existsSync(join(installed, 'scripts'))).toBe(false);

    // ts-node, TypeScript and Node's types come from the repository (a consumer's devDependencies),
    // linked after the install so npm does not prune them.
    for (const pkg of ['ts-node', 'typescript', '@types/node']) {
      mkdirSync(dirname(join(app, 'node_modules', pkg)), { recursive: true });
      symlinkSync(realpathSync(join(repo, 'node_modules', pkg)), join(app, 'node_modules', pkg), 'dir');
    }
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, types: ['node'], skipLibCheck: false } }, null, 2),
    );
    for (const f of ['train.cjs', 'train.mjs', 'train.ts']) cpSync(join(fixtures, f), join(app, f));

    const runs = [
      await sh(process.execPath, ['train.cjs'], app),
      await sh(process.execPath, ['train.mjs'], app),
      await sh(process.execPath, [join(app, 'node_modules', 'ts-node', 'dist', 'bin.js'), 'train.ts'], app),
    ].map((out) => JSON.parse(out.trim().split('\n').pop() ?? '') as { flavour: string; losses: number[]; kindling: string });

    expect(runs.map((r) => r.flavour)).toEqual(['cjs', 'esm', 'ts-node']);
    for (const r of runs) {
      expect(realpathSync(r.kindling)).toBe(realpathSync(join(installed, 'dist', 'index.js')));
      expect(r.losses).toHaveLength(30);
      for (const l of r.losses) expect(Number.isFinite(l)).toBe(true);
      // 4 classes: the first loss is near ln 4; 30 Adam steps on 64 fixed samples fit them well.
      expect(r.losses[0]).toBeGreaterThan(1.2);
      expect(r.losses[0]).toBeLessThan(1.6);
      expect(r.losses[29]).toBeLessThan(r.losses[0] * 0.6);
      // Same seed, same binary: the three flavours train identically.
      expect(r.losses).toEqual(runs[0].losses);
    }
  }, 300_000);

  it('kindling/distributed imports without MPI and says what to install', async () => {
    // kindling-mpi is a separate, optional package: the root package must not need it.
    const script =
      "const d = require('kindling/distributed'); try { d.initProcessGroup({ backend: 'mpi' }) } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, available: d.isMpiAvailable() })) }";
    const got = JSON.parse(await sh(process.execPath, ['-e', script], app)) as Record<string, unknown>;
    expect(got).toMatchObject({ name: 'BackendUnavailableError', code: 'ERR_KINDLING_MPI_MISSING', available: false });
    expect(got.message).toContain('npm install kindling-mpi');
  }, 60_000);

  it('names the platform and the fix when the platform package is missing', async () => {
    // An install that skipped optional dependencies (`--omit=optional`): move the package away.
    const platformDir = join(app, 'node_modules', `kindling-${PLATFORM}`);
    renameSync(platformDir, `${platformDir}.away`);
    try {
      const script = `try { require('kindling'); console.log('loaded') } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, cause: e.cause && e.cause.message })) }`;
      const got = JSON.parse(await sh(process.execPath, ['-e', script], app)) as Record<string, string>;
      expect(got.name).toBe('NativeBindingError');
      expect(got.code).toBe('ERR_KINDLING_NATIVE_BINDING');
      expect(got.message).toContain(`could not load the native addon for ${PLATFORM}`);
      expect(got.message).toContain(`kindling-${PLATFORM}`);
      expect(got.message).toContain('optional dependencies enabled');
      expect(got.message).toContain('Rust toolchain');
      expect(got.cause).toContain('Cannot find native binding');
    } finally {
      renameSync(`${platformDir}.away`, platformDir);
    }
  }, 60_000);
});
