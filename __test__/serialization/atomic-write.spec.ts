/**
 * Atomic writes: a failure at any step (open, a write midway — a full disk —, fsync, close,
 * rename) leaves the old file byte for byte and no temporary file; success fsyncs the file before
 * the rename and the folder after it. Failures are injected through the `fs` parameter, which
 * wraps the real `node:fs` and throws at a chosen call.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type AtomicWriteFs, type AtomicWriteFsPromises, writeFileAtomic, writeFileAtomicSync } from '../../src/serialization/atomic-write';
import { CheckpointError } from '../../src/serialization/errors';

let dir: string;
let target: string;
const OLD = Buffer.from('the previous checkpoint');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-atomic-'));
  target = path.join(dir, 'model.safetensors');
  fs.writeFileSync(target, OLD);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function systemError(code: string, syscall: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated failure, ${syscall}`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  return e;
}

type Step = 'open' | 'write' | 'fsync' | 'close' | 'rename';

/** The real fs, logging every call, that throws at the `failAt` step (for `write`: after the first chunk landed). */
function failingFs(failAt: Step | null, log: string[] = []): AtomicWriteFs {
  let writes = 0;
  return {
    openSync(p, flags, mode) {
      log.push(`open ${path.basename(p)} ${flags}`);
      if (failAt === 'open') throw systemError('EACCES', 'open');
      return fs.openSync(p, flags, mode);
    },
    fchmodSync(fd, mode) {
      log.push(`fchmod ${mode.toString(8)}`);
      fs.fchmodSync(fd, mode);
    },
    writeSync(fd, buffer, offset, length) {
      writes++;
      log.push('write');
      // A full disk: the first write goes through partially, the next one fails.
      if (failAt === 'write' && writes > 1) throw systemError('ENOSPC', 'write');
      return fs.writeSync(fd, buffer, offset, failAt === 'write' ? Math.min(length, 3) : length);
    },
    fsyncSync(fd) {
      log.push('fsync');
      if (failAt === 'fsync') throw systemError('EIO', 'fsync');
      fs.fsyncSync(fd);
    },
    closeSync(fd) {
      log.push('close');
      fs.closeSync(fd);
      if (failAt === 'close') throw systemError('EIO', 'close');
    },
    renameSync(from, to) {
      log.push(`rename ${path.basename(from) === path.basename(to) ? 'same' : 'temp'} → ${path.basename(to)}`);
      if (failAt === 'rename') throw systemError('EXDEV', 'rename');
      fs.renameSync(from, to);
    },
    unlinkSync(p) {
      log.push('unlink');
      fs.unlinkSync(p);
    },
  };
}

const NEW = [Buffer.from('new '), Buffer.from('checkpoint '), Buffer.from('bytes')];

describe('writeFileAtomicSync', () => {
  it('writes to a temp file in the same folder, fsyncs it, renames it over the target, fsyncs the folder', () => {
    const log: string[] = [];
    writeFileAtomicSync(target, NEW, failingFs(null, log));
    expect(fs.readFileSync(target, 'utf8')).toBe('new checkpoint bytes');
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
    expect(log[0]).toMatch(/^open \.model\.safetensors\.\d+\.[0-9a-f]{8}\.tmp wx$/);
    expect(log.slice(1)).toEqual([
      `fchmod ${(fs.statSync(target).mode & 0o777).toString(8)}`, 'write', 'write', 'write', 'fsync', 'close', 'rename temp → model.safetensors',
      `open ${path.basename(dir)} r`, 'fsync', 'close',
    ]);
  });

  it.each(['open', 'write', 'fsync', 'close', 'rename'] as const)(
    'a failure at %s leaves the old file intact and no temp file, and rethrows the error',
    (step) => {
      expect(() => writeFileAtomicSync(target, NEW, failingFs(step))).toThrow(/simulated failure/);
      expect(fs.readFileSync(target).equals(OLD)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
    },
  );
});

describe('torch.save through a failing file system', () => {
  it('a full disk midway: CheckpointError with ENOSPC, old checkpoint intact, no temp file', () => {
    let error: unknown;
    try {
      torch.save({ w: torch.ones(1000) }, target, { fs: failingFs('write') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).message).toBe(`save: ${target}: could not write the checkpoint (ENOSPC: simulated failure, write)`);
    expect((error as CheckpointError).code).toBe('ENOSPC');
    expect(((error as CheckpointError).cause as Error).message).toBe('ENOSPC: simulated failure, write');
    expect(fs.readFileSync(target).equals(OLD)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('a target that is a folder: the write fails at the rename and the folder survives', () => {
    const folder = path.join(dir, 'folder.safetensors');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'keep'), 'x');
    expect(() => torch.save({ w: torch.ones(2) }, folder)).toThrow(`save: ${folder}: could not write the checkpoint (`);
    expect(fs.readFileSync(path.join(folder, 'keep'), 'utf8')).toBe('x');
    expect(fs.readdirSync(dir).sort()).toEqual(['folder.safetensors', 'model.safetensors']);
  });
});

describe('writeFileAtomic (async)', () => {
  function failingPromises(failAt: Step | null): AtomicWriteFsPromises {
    let writes = 0;
    return {
      async open(p, flags, mode) {
        if (failAt === 'open') throw systemError('EACCES', 'open');
        const handle = await fs.promises.open(p, flags, mode);
        return {
          async write(buffer, offset, length) {
            writes++;
            if (failAt === 'write' && writes > 1) throw systemError('ENOSPC', 'write');
            return handle.write(buffer, offset, failAt === 'write' ? Math.min(length, 3) : length);
          },
          async sync() {
            if (failAt === 'fsync') throw systemError('EIO', 'fsync');
            await handle.sync();
          },
          chmod: (mode) => handle.chmod(mode),
          close: () => handle.close(),
        };
      },
      async rename(from, to) {
        if (failAt === 'rename') throw systemError('EXDEV', 'rename');
        await fs.promises.rename(from, to);
      },
      unlink: (p) => fs.promises.unlink(p),
    };
  }

  it('replaces the file when nothing fails', async () => {
    await writeFileAtomic(target, NEW, failingPromises(null));
    expect(fs.readFileSync(target, 'utf8')).toBe('new checkpoint bytes');
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it.each(['open', 'write', 'fsync', 'rename'] as const)('a failure at %s leaves the old file and no temp file', async (step) => {
    await expect(writeFileAtomic(target, NEW, failingPromises(step))).rejects.toThrow(/simulated failure/);
    expect(fs.readFileSync(target).equals(OLD)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });
});
