/**
 * Atomic file replacement: the target holds either its old bytes or all the new ones, never a
 * mix, whatever fails (a full disk, a crash, a kill) and whenever.
 *
 * NOTE [ Why temp file + fsync + rename + fsync(dir) ]
 * Writing the target in place truncates it first: a failure midway loses the old checkpoint.
 * Instead the bytes go to a temporary file in the *same folder* (rename is only atomic within one
 * file system), which is fsync'ed so its data is on disk before the rename can make it visible
 * (otherwise a power cut after the rename may leave an empty file under the target's name), then
 * renamed over the target (atomic on POSIX; on Windows Node's rename uses MoveFileEx with
 * REPLACE_EXISTING), and finally the folder is fsync'ed so the rename itself is durable. On any
 * failure the temporary file is removed and the target is untouched.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';

/** The synchronous file operations an atomic write needs; tests inject failing ones. */
export interface AtomicWriteFs {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(oldPath: string, newPath: string): void;
  unlinkSync(path: string): void;
}

/** The asynchronous counterpart (`fs.promises` shaped). */
export interface AtomicWriteFsPromises {
  open(path: string, flags: string, mode?: number): Promise<{
    write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
    sync(): Promise<void>;
    close(): Promise<void>;
  }>;
  rename(oldPath: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** A fresh temporary name next to `target`, hidden and unique per process and call. */
export function tempPathFor(target: string): string {
  const random = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${random}.tmp`);
}

function writeAll(fs: AtomicWriteFs, fd: number, chunk: Uint8Array): void {
  let done = 0;
  while (done < chunk.length) done += fs.writeSync(fd, chunk, done, chunk.length - done);
}

/**
 * Makes the folder entry durable. Windows cannot open a folder for fsync (and its rename is
 * already durable through MoveFileEx), so there the step is skipped; elsewhere a failure is an error.
 */
function syncDirectory(fs: AtomicWriteFs, dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `chunks` (in order) to `target` atomically; on error removes its temporary file and rethrows. */
export function writeFileAtomicSync(target: string, chunks: readonly Uint8Array[], fs: AtomicWriteFs = nodeFs): void {
  const temp = tempPathFor(target);
  let fd: number | null = null;
  let renamed = false;
  try {
    fd = fs.openSync(temp, 'wx', 0o644);
    for (const chunk of chunks) writeAll(fs, fd, chunk);
    fs.fsyncSync(fd);
    const closing = fd;
    fd = null;
    fs.closeSync(closing);
    fs.renameSync(temp, target);
    renamed = true;
    syncDirectory(fs, path.dirname(target));
  } catch (error) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // The write already failed; that error is the one to report.
      }
    }
    if (!renamed) {
      try {
        fs.unlinkSync(temp);
      } catch {
        // Never created (open failed) or already gone.
      }
    }
    throw error;
  }
}

/** `writeFileAtomicSync` without blocking the event loop. */
export async function writeFileAtomic(
  target: string,
  chunks: readonly Uint8Array[],
  fs: AtomicWriteFsPromises = nodeFs.promises,
): Promise<void> {
  const temp = tempPathFor(target);
  let handle: Awaited<ReturnType<AtomicWriteFsPromises['open']>> | null = null;
  let renamed = false;
  try {
    handle = await fs.open(temp, 'wx', 0o644);
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
    }
    await handle.sync();
    const closing = handle;
    handle = null;
    await closing.close();
    await fs.rename(temp, target);
    renamed = true;
    if (process.platform !== 'win32') {
      const dir = await fs.open(path.dirname(target), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
  } catch (error) {
    if (handle !== null) await handle.close().catch(() => undefined);
    if (!renamed) await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
}
