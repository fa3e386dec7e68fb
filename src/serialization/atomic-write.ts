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
 *
 * NOTE [ Replacing keeps the file system's meaning ]
 * A rename replaces a directory entry, which is not what `open(path, 'w')` does, so before
 * writing, `resolveTarget` makes the replacement behave like an overwrite:
 * - a symlink is followed (chains too) and the *file it points to* is replaced, the temporary
 *   file going next to that file; the link stays a link (a dangling link creates its target);
 * - an existing file keeps its permission bits (a `0600` checkpoint stays `0600`); a new file
 *   gets `0666` minus the umask, as `open` gives;
 * - a file the user may not write is refused with `EACCES` naming it, and so is a file whose
 *   mode has no owner write bit (`chmod a-w`) *even for root*, whose `open` would succeed:
 *   making a checkpoint read-only is how one protects it, and a rename would silently defeat
 *   that; a folder is refused with `EISDIR`.
 * Not kept: hard links to the old file (they keep the old bytes) and the owner when another user
 * (root) saves over it.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';

/** The synchronous file operations an atomic write needs; tests inject failing ones. */
export interface AtomicWriteFs {
  openSync(path: string, flags: string, mode?: number): number;
  fchmodSync(fd: number, mode: number): void;
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
    chmod(mode: number): Promise<void>;
    sync(): Promise<void>;
    close(): Promise<void>;
  }>;
  rename(oldPath: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** Where to write and with which permission bits (`null`: a new file, `open`'s default). */
export interface ResolvedTarget {
  path: string;
  mode: number | null;
}

/** Symlinks followed before giving up, as Linux's ELOOP limit. */
const MAX_SYMLINKS = 40;

function systemError(code: string, what: string, syscall: string, file: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: ${what}, ${syscall} '${file}'`) as NodeJS.ErrnoException;
  error.code = code;
  error.syscall = syscall;
  error.path = file;
  return error;
}

/**
 * The file a save to `target` must replace, following symlinks, and its mode; throws `EACCES`
 * for a file that may not be written and `EISDIR` for a folder. See NOTE [ Replacing keeps the
 * file system's meaning ]. Metadata calls only (synchronous also for `saveAsync`: microseconds).
 */
export function resolveTarget(target: string): ResolvedTarget {
  let current = target;
  for (let hops = 0; ; hops++) {
    let stats: nodeFs.Stats;
    try {
      stats = nodeFs.lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path: current, mode: null };
      throw error;
    }
    if (stats.isSymbolicLink()) {
      if (hops >= MAX_SYMLINKS) throw systemError('ELOOP', 'too many symbolic links encountered', 'open', target);
      current = path.resolve(path.dirname(current), nodeFs.readlinkSync(current));
      continue;
    }
    if (stats.isDirectory()) throw systemError('EISDIR', 'illegal operation on a directory', 'open', current);
    const mode = stats.mode & 0o7777;
    let writable = (mode & 0o200) !== 0;
    if (writable) {
      try {
        nodeFs.accessSync(current, nodeFs.constants.W_OK);
      } catch {
        writable = false;
      }
    }
    if (!writable) throw systemError('EACCES', 'permission denied (the file is read-only)', 'open', current);
    return { path: current, mode };
  }
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
  const { path: file, mode } = resolveTarget(target);
  const temp = tempPathFor(file);
  let fd: number | null = null;
  let renamed = false;
  try {
    fd = fs.openSync(temp, 'wx', 0o666);
    if (mode !== null) fs.fchmodSync(fd, mode); // the umask must not change an existing file's mode
    for (const chunk of chunks) writeAll(fs, fd, chunk);
    fs.fsyncSync(fd);
    const closing = fd;
    fd = null;
    fs.closeSync(closing);
    fs.renameSync(temp, file);
    renamed = true;
    syncDirectory(fs, path.dirname(file));
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
  const { path: file, mode } = resolveTarget(target);
  const temp = tempPathFor(file);
  let handle: Awaited<ReturnType<AtomicWriteFsPromises['open']>> | null = null;
  let renamed = false;
  try {
    handle = await fs.open(temp, 'wx', 0o666);
    if (mode !== null) await handle.chmod(mode);
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
    }
    await handle.sync();
    const closing = handle;
    handle = null;
    await closing.close();
    await fs.rename(temp, file);
    renamed = true;
    if (process.platform !== 'win32') {
      const dir = await fs.open(path.dirname(file), 'r');
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
