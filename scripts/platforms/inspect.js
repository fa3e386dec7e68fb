// What a built addon is, read from the file: its format and architecture, the newest glibc symbol
// version it needs, the libraries it links and whether it exports napi's entry point. ELF files
// are read with binutils' objdump/nm (there with gcc; they read ELF of any architecture), Mach-O
// files with LLVM's llvm-objdump/llvm-nm (Debian's `llvm`).
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

const tool = (name, args) => execFileSync(name, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

/** Compares dotted versions: negative, 0 or positive. */
function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const ELF_MACHINES = { 62: 'x64', 183: 'arm64' };
const MACHO_CPUS = { 0x01000007: 'x64', 0x0100000c: 'arm64' };

/** Format and architecture from the header bytes. */
function header(file) {
  const b = readFileSync(file).subarray(0, 64);
  if (b.readUInt32BE(0) === 0x7f454c46) return { format: 'ELF', arch: ELF_MACHINES[b.readUInt16LE(18)] ?? `machine ${b.readUInt16LE(18)}`, is64: b[4] === 2 };
  if (b.readUInt32LE(0) === 0xfeedfacf) {
    const filetype = b.readUInt32LE(12);
    return { format: 'Mach-O', arch: MACHO_CPUS[b.readUInt32LE(4)] ?? `cpu ${b.readUInt32LE(4)}`, is64: true, machoType: { 6: 'dylib', 8: 'bundle' }[filetype] ?? `filetype ${filetype}` };
  }
  if (b.readUInt16LE(0) === 0x5a4d) return { format: 'PE', arch: 'unknown', is64: true };
  return { format: 'unknown', arch: 'unknown', is64: false };
}

/**
 * Checks a built `.node` against its target (from targets.js): `{ ok, problems, summary, ... }`.
 * Linux: an ELF of the right architecture exporting `napi_register_module_v1`, glibc symbols no
 * newer than the floor (gnu) or no glibc at all (musl). macOS: a 64-bit Mach-O dylib/bundle of
 * the right architecture exporting `_napi_register_module_v1` and linking libSystem only.
 */
function inspectBinary(file, target) {
  const [os, arch] = target.platform.split('-');
  const h = header(file);
  const problems = [];
  const info = { platform: target.platform, file, ...h };
  if (h.arch !== arch) problems.push(`architecture ${h.arch}, expected ${arch}`);
  if (os === 'linux' && (h.format !== 'ELF' || !h.is64)) {
    problems.push(`format ${h.format}, expected 64-bit ELF`);
  } else if (os === 'darwin' && h.format !== 'Mach-O') {
    problems.push(`format ${h.format}, expected Mach-O`);
  } else if (os === 'linux') {
    const exported = tool('nm', ['-D', '--defined-only', file]);
    info.exportsEntry = /\bT napi_register_module_v1$/m.test(exported);
    const dynamic = tool('objdump', ['-T', file]);
    const glibc = [...new Set([...dynamic.matchAll(/GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1]))].sort(compareVersions);
    info.glibcMax = glibc.at(-1) ?? null;
    info.needed = [...tool('objdump', ['-p', file]).matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]);
    if (target.glibcFloor) {
      if (info.glibcMax === null) problems.push('no GLIBC_ symbol versions: not a glibc binary');
      else if (compareVersions(info.glibcMax, target.glibcFloor) > 0) problems.push(`needs GLIBC_${info.glibcMax}, newer than the floor ${target.glibcFloor}`);
    } else if (info.glibcMax !== null) {
      problems.push(`a musl binary that needs GLIBC_${info.glibcMax}`);
    }
  } else if (os === 'darwin') {
    if (h.machoType !== 'dylib' && h.machoType !== 'bundle') problems.push(`Mach-O ${h.machoType}, expected a dylib or bundle`);
    const exported = tool('llvm-nm', ['--extern-only', '--defined-only', file]);
    info.exportsEntry = /\bT _napi_register_module_v1$/m.test(exported);
    // The first line names the file; for a dylib the next is its own install name (LC_ID_DYLIB).
    const used = tool('llvm-objdump', ['--macho', '--dylibs-used', file]).split('\n').slice(1).map((l) => l.trim().split(' (')[0]).filter(Boolean);
    info.needed = h.machoType === 'dylib' ? used.slice(1) : used;
    const foreign = info.needed.filter((l) => l !== '/usr/lib/libSystem.B.dylib');
    if (foreign.length > 0) problems.push(`links ${foreign.join(', ')} besides libSystem`);
  } else {
    problems.push(`${os} binaries are not inspected here`);
  }
  if (info.exportsEntry === false) problems.push('does not export napi_register_module_v1');
  const summary = [
    `${h.format}${h.machoType ? ` ${h.machoType}` : ''} ${h.arch}`,
    info.glibcMax ? `GLIBC ≤ ${info.glibcMax}` : os === 'linux' ? 'no glibc' : null,
    info.needed ? `links ${info.needed.join(' ')}` : null,
    problems.length ? `PROBLEMS: ${problems.join('; ')}` : 'ok',
  ].filter(Boolean).join(', ');
  return { ...info, ok: problems.length === 0, problems, summary };
}

module.exports = { inspectBinary, compareVersions };
