import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnoseBinary, nodeFilesIn } from '../../src/native/binary-diagnosis';

const dir = mkdtempSync(join(tmpdir(), 'kindling-diagnosis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file with an ELF header for `machine` (62 x64, 183 arm64), optionally naming a glibc version. */
function elf(name: string, machine: number, glibc: boolean): string {
  const b = Buffer.alloc(256);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b.writeUInt16LE(machine, 18);
  if (glibc) b.write('GLIBC_2.17', 100);
  const file = join(dir, name);
  writeFileSync(file, b);
  return file;
}

describe('diagnoseBinary', () => {
  it('names the architecture, the C library or the OS a binary was built for', () => {
    expect(diagnoseBinary(elf('kindling.linux-arm64-gnu.node', 183, true), 'x64', false)).toBe('kindling.linux-arm64-gnu.node is a Linux binary for arm64, but this process runs on x64');
    expect(diagnoseBinary(elf('kindling.linux-x64-musl.node', 62, false), 'x64', false)).toBe('kindling.linux-x64-musl.node is built for musl libc, but this Node uses glibc');
    expect(diagnoseBinary(elf('kindling.linux-x64-gnu.node', 62, true), 'x64', true)).toBe('kindling.linux-x64-gnu.node is built for glibc, but this Node uses musl libc');
    expect(diagnoseBinary(elf('ok.node', 62, true), 'x64', false)).toBeNull();
    const macho = join(dir, 'kindling.darwin-arm64.node');
    writeFileSync(macho, Buffer.from([0xcf, 0xfa, 0xed, 0xfe, ...new Array(60).fill(0)]));
    expect(diagnoseBinary(macho)).toBe(`kindling.darwin-arm64.node is a macOS (Mach-O) binary, but this is ${process.platform}`);
    const junk = join(dir, 'junk.node');
    writeFileSync(junk, 'not a binary at all, just some text that is long enough'.repeat(2));
    expect(diagnoseBinary(junk)).toBe('junk.node is not a native addon (no ELF, Mach-O or PE header)');
    expect(diagnoseBinary(join(dir, 'missing.node'))).toBeNull();
  });

  it('finds the .node paths in an error chain', () => {
    const inner = new Error('/a/b/kindling.linux-x64-gnu.node: cannot open shared object file');
    const outer = new Error('Cannot find native binding');
    outer.cause = inner;
    expect(nodeFilesIn(outer)).toEqual(['/a/b/kindling.linux-x64-gnu.node']);
  });

  it("puts the diagnosis in NativeBindingError's message when the loader is pointed at a wrong binary", () => {
    const repo = resolve(__dirname, '../..');
    const file = elf('kindling.linux-arm64-gnu.node', process.arch === 'arm64' ? 62 : 183, true);
    const script = `try { require(${JSON.stringify(join(repo, 'dist', 'index.js'))}); console.log('loaded') } catch (e) { console.log(e.name + ': ' + e.message) }`;
    const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: file }, encoding: 'utf8' });
    expect(out).toContain('NativeBindingError: kindling: could not load the native addon for');
    expect(out).toContain(`The binary found is the wrong one: kindling.linux-arm64-gnu.node is a Linux binary for ${process.arch === 'arm64' ? 'x64' : 'arm64'}, but this process runs on ${process.arch}`);
  });
});
