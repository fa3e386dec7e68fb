/**
 * Why a native binary that exists did not load, read from the file itself: the dynamic loader's
 * own words for a wrong-architecture or wrong-libc binary are misleading ("cannot open shared
 * object file: No such file or directory" for an arm64 `.node` on x64, "libc.so: invalid ELF
 * header" for a musl one under glibc).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';

const ELF_MACHINES: Record<number, string> = { 3: 'ia32', 40: 'arm', 62: 'x64', 183: 'arm64', 243: 'riscv64' };

/** The `.node` paths named anywhere in an error and its `cause` chain. */
export function nodeFilesIn(error: unknown): string[] {
  const found = new Set<string>();
  for (let e = error, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    for (const m of e.message.matchAll(/(\/[^\s:'"]+\.node)\b/g)) found.add(m[1]);
  }
  return [...found];
}

/** What is wrong with `file` for this process, or null when nothing can be told from the file. */
export function diagnoseBinary(file: string, arch: string = process.arch, musl = false): string | null {
  if (!existsSync(file)) return null;
  const head = Buffer.alloc(64);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 64, 0);
  } finally {
    closeSync(fd);
  }
  const name = file.split('/').pop();
  if (head.readUInt32BE(0) === 0x7f454c46) {
    const machine = ELF_MACHINES[head.readUInt16LE(18)] ?? `machine ${head.readUInt16LE(18)}`;
    if (machine !== arch) return `${name} is a Linux binary for ${machine}, but this process runs on ${arch}`;
    // A glibc binary carries GLIBC_ symbol versions; a musl one has none.
    const glibc = readFileSync(file).includes('GLIBC_');
    if (glibc && musl) return `${name} is built for glibc, but this Node uses musl libc`;
    if (!glibc && !musl) return `${name} is built for musl libc, but this Node uses glibc`;
    return null;
  }
  if (head.readUInt32LE(0) === 0xfeedfacf) return `${name} is a macOS (Mach-O) binary, but this is ${process.platform}`;
  if (head.readUInt16LE(0) === 0x5a4d) return `${name} is a Windows (PE) binary, but this is ${process.platform}`;
  return `${name} is not a native addon (no ELF, Mach-O or PE header)`;
}
