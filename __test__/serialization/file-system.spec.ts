/**
 * Issue #11.6: saving keeps the file system's meaning. The atomic temp-file + rename stays, but a
 * symlink's target is replaced (not the link), an existing file keeps its mode, a read-only file
 * is refused as `open(…, 'w')` would refuse it, and a cycle is named by its path instead of
 * overflowing the stack. Each for `save` and `saveAsync`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { CheckpointError } from '../../src/serialization/errors';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-save-fs-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const first = () => ({ w: torch.tensor([1, 2, 3], { dtype: torch.float32 }) });
const second = () => ({ w: torch.tensor([4, 5, 6], { dtype: torch.float32 }) });
const savers = {
  save: async (obj: object, file: string) => torch.save(obj, file),
  saveAsync: (obj: object, file: string) => torch.saveAsync(obj, file),
};

async function failure(run: () => Promise<void>): Promise<CheckpointError> {
  try {
    await run();
  } catch (error) {
    return error as CheckpointError;
  }
  throw new Error('expected the save to fail');
}

describe.each(Object.entries(savers))('%s', (_name, saveWith) => {
  it('over a symlink replaces the file it points to, and the link stays a link', async () => {
    const real = path.join(dir, 'runs', 'real.safetensors');
    fs.mkdirSync(path.dirname(real));
    torch.save(first(), real);
    const link = path.join(dir, 'latest.safetensors');
    fs.symlinkSync(path.join('runs', 'real.safetensors'), link); // relative, as `ln -s` users write it
    await saveWith(second(), link);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe(path.join('runs', 'real.safetensors'));
    expect(torch.load(real).w.tolist()).toEqual([4, 5, 6]);
    expect(fs.readdirSync(path.join(dir, 'runs'))).toEqual(['real.safetensors']); // no temp file left
    expect(fs.readdirSync(dir).sort()).toEqual(['latest.safetensors', 'runs']);
  });

  it('follows a chain of links, and a dangling link creates its target', async () => {
    const real = path.join(dir, 'real.safetensors');
    fs.symlinkSync(real, path.join(dir, 'b'));
    fs.symlinkSync(path.join(dir, 'b'), path.join(dir, 'a'));
    await saveWith(first(), path.join(dir, 'a')); // real does not exist yet: b dangles
    expect(fs.lstatSync(path.join(dir, 'a')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(dir, 'b')).isSymbolicLink()).toBe(true);
    expect(torch.load(real).w.tolist()).toEqual([1, 2, 3]);
  });

  it('a symlink loop is refused with ELOOP', async () => {
    const loop = path.join(dir, 'loop');
    fs.symlinkSync(loop, loop);
    const error = await failure(() => saveWith(first(), loop));
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.code).toBe('ELOOP');
  });

  it('a 0600 checkpoint stays 0600 (and 0640 stays 0640, whatever the umask)', async () => {
    const file = path.join(dir, 'private.safetensors');
    for (const mode of [0o600, 0o640]) {
      torch.save(first(), file);
      fs.chmodSync(file, mode);
      await saveWith(second(), file);
      expect(fs.statSync(file).mode & 0o777).toBe(mode);
      expect(torch.load(file).w.tolist()).toEqual([4, 5, 6]);
    }
  });

  it('a new file gets 0666 minus the umask, as open(…, "w") gives', async () => {
    const file = path.join(dir, 'new.safetensors');
    await saveWith(first(), file);
    const umask = process.umask();
    expect(fs.statSync(file).mode & 0o777).toBe(0o666 & ~umask);
  });

  it('a read-only file in a writable folder is refused with EACCES naming it (even for root), not replaced', async () => {
    const file = path.join(dir, 'best.safetensors');
    torch.save(first(), file);
    fs.chmodSync(file, 0o444);
    const error = await failure(() => saveWith(second(), file));
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).toBe(`save: ${file}: could not write the checkpoint (EACCES: permission denied (the file is read-only), open '${file}')`);
    expect(error.code).toBe('EACCES');
    expect(error.path).toBe(file);
    expect(torch.load(file).w.tolist()).toEqual([1, 2, 3]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o444);
    expect(fs.readdirSync(dir)).toEqual(['best.safetensors']);
  });

  it('a read-only file behind a symlink is refused naming the real file', async () => {
    const file = path.join(dir, 'best.safetensors');
    torch.save(first(), file);
    fs.chmodSync(file, 0o400);
    const link = path.join(dir, 'link.safetensors');
    fs.symlinkSync(file, link);
    const error = await failure(() => saveWith(second(), link));
    expect(error.message).toBe(`save: ${link}: could not write the checkpoint (EACCES: permission denied (the file is read-only), open '${file}')`);
  });

  it('a folder is refused with EISDIR before any temp file is made', async () => {
    const folder = path.join(dir, 'folder.safetensors');
    fs.mkdirSync(folder);
    const error = await failure(() => saveWith(first(), folder));
    expect(error.message).toBe(`save: ${folder}: could not write the checkpoint (EISDIR: illegal operation on a directory, open '${folder}')`);
    expect(error.code).toBe('EISDIR');
    expect(fs.readdirSync(dir)).toEqual(['folder.safetensors']);
  });

  it("a cyclic object no longer overflows the stack: the error names the cycle's path", async () => {
    const model: Record<string, unknown> = { w: torch.ones([1]) };
    model.layers = [model];
    const error = await failure(() => saveWith({ model }, path.join(dir, 'cycle.safetensors')));
    expect(error).toEqual(new TypeError("save: the object to save contains a cycle at 'model.layers.0' (it refers back to 'model')"));
    const top: Record<string, unknown> = {};
    top.self = top;
    await expect(saveWith(top, path.join(dir, 'cycle.safetensors'))).rejects.toThrow(
      new TypeError("save: the object to save contains a cycle at 'self' (it refers back to the top level)"),
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a shared (not cyclic) object is stored at each place; absurd nesting is a RangeError naming the path', async () => {
    const shared = { lr: 0.1 };
    const file = path.join(dir, 'shared.safetensors');
    await saveWith({ a: shared, b: [shared] }, file);
    expect(torch.load<Record<string, unknown>>(file)).toEqual({ a: { lr: 0.1 }, b: [{ lr: 0.1 }] });
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 1500; i++) deep = deep.x = {} as Record<string, unknown>;
    await expect(saveWith(root, file)).rejects.toThrow(/^save: the object to save is nested deeper than 1000 levels at 'x(\.x){999}'$/);
  });
});
