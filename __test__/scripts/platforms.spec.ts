/**
 * The platform table (scripts/platforms/targets.js) against the packages and the release
 * workflow, and the binary inspection test:platforms relies on, run on the addon `npm test` built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TARGETS } = require('../../scripts/platforms/targets.js') as { TARGETS: { platform: string; rust: string; build: string; glibcFloor?: string; local: boolean }[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { inspectBinary, compareVersions } = require('../../scripts/platforms/inspect.js') as {
  inspectBinary: (file: string, target: object) => { ok: boolean; problems: string[]; arch: string; format: string; glibcMax: string | null; exportsEntry: boolean };
  compareVersions: (a: string, b: string) => number;
};

describe('the platform table', () => {
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { napi: { targets: string[] } };
  const workflow = readFileSync(join(repo, '.github', 'workflows', 'release.yml'), 'utf8');

  it.each(TARGETS.map((t) => [t.platform, t] as const))('%s has its npm package, napi target and release job', (platform, t) => {
    const [os, cpu, abi] = platform.split('-');
    const pkg = JSON.parse(readFileSync(join(repo, 'npm', platform, 'package.json'), 'utf8')) as { name: string; main: string; os: string[]; cpu: string[]; libc?: string[] };
    expect(pkg.name).toBe(`kindling-${platform}`);
    expect(pkg.main).toBe(`kindling.${platform}.node`);
    expect(pkg.os).toEqual([os]);
    expect(pkg.cpu).toEqual([cpu]);
    if (os === 'linux') expect(pkg.libc).toEqual([abi === 'gnu' ? 'glibc' : 'musl']);
    expect(manifest.napi.targets).toContain(t.rust);
    expect(workflow).toContain(`platform: ${platform},`);
    expect(t.build.split('.')[0]).toBe(t.rust);
  });

  it('builds every napi target', () => {
    expect(manifest.napi.targets.slice().sort()).toEqual(TARGETS.map((t) => t.rust).sort());
  });
});

describe('inspectBinary', () => {
  const binary = join(repo, 'native', 'kindling.linux-x64-gnu.node');
  const gnu = TARGETS.find((t) => t.platform === 'linux-x64-gnu');

  it('compares dotted versions numerically', () => {
    expect(compareVersions('2.17', '2.17')).toBe(0);
    expect(compareVersions('2.9', '2.17')).toBeLessThan(0);
    expect(compareVersions('2.34', '2.17')).toBeGreaterThan(0);
    expect(compareVersions('2.2.5', '2.2')).toBeGreaterThan(0);
  });

  it('reads the addon npm test built: an x64 ELF exporting napi_register_module_v1', () => {
    expect(existsSync(binary)).toBe(true);
    const info = inspectBinary(binary, { ...gnu, glibcFloor: '99.0' });
    expect(info).toMatchObject({ format: 'ELF', arch: 'x64', exportsEntry: true, ok: true });
    expect(info.glibcMax).toMatch(/^2\.\d+$/);
  });

  it('fails a binary above the glibc floor, of the wrong architecture, or of the wrong libc', () => {
    const info = inspectBinary(binary, { ...gnu, glibcFloor: '2.2' });
    expect(info.ok).toBe(false);
    expect(info.problems).toContain(`needs GLIBC_${info.glibcMax}, newer than the floor 2.2`);
    expect(inspectBinary(binary, { ...gnu, platform: 'linux-arm64-gnu' }).problems).toContain('architecture x64, expected arm64');
    expect(inspectBinary(binary, { platform: 'linux-x64-musl' }).problems).toContain(`a musl binary that needs GLIBC_${info.glibcMax}`);
    expect(inspectBinary(binary, { platform: 'darwin-x64' }).problems).toContain('format ELF, expected Mach-O');
  });
});
