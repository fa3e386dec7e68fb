/**
 * src/native/index.ts: when no native binary loads, `require('kindling')` throws a
 * NativeBindingError that names the platform and what to do, with napi-rs's error as `cause`.
 * The failing loads run in child processes (a failed load cannot be undone in this one) against
 * the built dist/, the code users run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NativeBindingError, PREBUILT_PLATFORMS, platformTriple, native } from '../../src/native';

const repo = resolve(__dirname, '../..');

function requireBuilt(): void {
  if (!existsSync(join(repo, 'dist', 'index.js')) || !existsSync(join(repo, 'native', 'index.js'))) {
    throw new Error('dist/ or native/index.js is missing: run `npm run build` (or `npm install`) first');
  }
}

/** Requires `entry` in a fresh node and returns what it threw, as plain data. */
function loadFailure(entry: string, env: Record<string, string> = {}): Record<string, string> {
  const script = `
    try { require(${JSON.stringify(entry)}); console.log(JSON.stringify({ loaded: 'yes' })); }
    catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, platform: e.platform,
      message: e.message, cause: e.cause && e.cause.message, isError: String(e instanceof Error) })); }`;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out) as Record<string, string>;
}

describe('native loader', () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

  it('loads the binding here', () => {
    expect(typeof native.sgemm).toBe('function');
    expect(native.getNumThreads()).toBeGreaterThanOrEqual(1);
  });

  it('names platforms as the kindling-<platform> packages do', () => {
    expect(platformTriple('linux', 'x64', false)).toBe('linux-x64-gnu');
    expect(platformTriple('linux', 'x64', true)).toBe('linux-x64-musl');
    expect(platformTriple('linux', 'arm64', false)).toBe('linux-arm64-gnu');
    expect(platformTriple('darwin', 'arm64')).toBe('darwin-arm64');
    expect(platformTriple('win32', 'x64')).toBe('win32-x64-msvc');
    expect(platformTriple('freebsd', 'x64')).toBe('freebsd-x64');
    // This machine: CI and the install test run on linux-x64-gnu.
    if (process.platform === 'linux' && process.arch === 'x64') expect(platformTriple()).toMatch(/^linux-x64-(gnu|musl)$/);
  });

  it('says what to do on a platform with a prebuilt binary', () => {
    const cause = new Error('Cannot find native binding.');
    const e = new NativeBindingError('linux-x64-gnu', cause);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('NativeBindingError');
    expect(e.code).toBe('ERR_KINDLING_NATIVE_BINDING');
    expect(e.cause).toBe(cause);
    expect(e.message).toContain('could not load the native addon for linux-x64-gnu');
    expect(e.message).toContain('kindling-linux-x64-gnu');
    expect(e.message).toContain('optional dependencies enabled');
    expect(e.message).toContain('Rust toolchain');
    expect(e.message).toContain('npm run build');
    expect(e.message).toContain('Loader error: Cannot find native binding.');
  });

  it('says there is no prebuilt binary on other platforms', () => {
    const e = new NativeBindingError('freebsd-x64', new Error('Unsupported OS: freebsd'));
    expect(e.message).toContain(`kindling has no prebuilt binary for freebsd-x64 (prebuilt: ${PREBUILT_PLATFORMS.join(', ')})`);
    expect(e.message).toContain('npm run build');
    expect(e.message).not.toContain('kindling-freebsd-x64');
  });

  it('throws NativeBindingError from require when the binary path leads nowhere', () => {
    requireBuilt();
    const got = loadFailure(join(repo, 'dist', 'index.js'), { NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/kindling.node' });
    expect(got.name).toBe('NativeBindingError');
    expect(got.code).toBe('ERR_KINDLING_NATIVE_BINDING');
    expect(got.isError).toBe('true');
    expect(got.platform).toBe(platformTriple());
    expect(got.message).toContain(`could not load the native addon for ${platformTriple()}`);
    expect(got.cause).toContain('Cannot find native binding');
  });

  it('throws NativeBindingError from a copy of the package without any .node', () => {
    requireBuilt();
    // dist/ + native/index.js, as the published root package ships them, and no kindling-* package
    // anywhere up the tree: the state of an install that skipped optional dependencies.
    const dir = mkdtempSync(join(tmpdir(), 'kindling-nobinary-'));
    temps.push(dir);
    cpSync(join(repo, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(repo, 'native', 'index.js'), join(dir, 'native', 'index.js'));
    cpSync(join(repo, 'package.json'), join(dir, 'package.json'));
    expect(readdirSync(join(dir, 'native'))).toEqual(['index.js']);
    const got = loadFailure(join(dir, 'dist', 'index.js'), { NAPI_RS_NATIVE_LIBRARY_PATH: '' });
    expect(got.name).toBe('NativeBindingError');
    expect(got.message).toContain(`kindling-${platformTriple()}`);
    expect(got.message).toContain('Rust toolchain');
    expect(got.cause).toContain('Cannot find native binding');
  });
});
