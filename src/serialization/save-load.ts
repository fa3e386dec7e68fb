/**
 * `torch.save(obj, path)` / `torch.load(path)` over safetensors files.
 *
 * - A module's `stateDict()` (`{ 'layers.1.weight': Tensor, … }`) is stored tensor for tensor
 *   under the same names: `safetensors.torch.load_file(path)` in Python gives PyTorch's state dict.
 * - Nested state, such as an optimizer's `stateDict()`, stores its tensors under dotted paths
 *   (`state.0.exp_avg`) and everything else as JSON in `__metadata__` (see NOTE in `tree.ts`).
 * - `load` of a file written by kindling returns the object that was saved (same keys, same
 *   order); of any other safetensors file (e.g. from `safetensors.torch.save_file`), a flat
 *   `{ name: Tensor }` in name order, as Python's `load_file`.
 *
 * Differences from PyTorch: the format is safetensors, not pickle, so `save` stores only tensors,
 * numbers, strings, booleans, null, arrays and plain objects (no modules or arbitrary classes),
 * and the top level must be an object. Writes are atomic (see `atomic-write.ts`) and otherwise
 * behave like an overwrite: a symlink's target is replaced, the file's mode is kept, and a
 * read-only file is refused with `EACCES` (NOTE [ Replacing keeps the file system's meaning ]).
 * A cyclic object is refused with the path of the cycle.
 */
import * as fs from 'node:fs';
import type { StateDict } from '../nn/module';
import { Tensor } from '../tensor';
import { CheckpointError } from './errors';
import { type AtomicWriteFs, writeFileAtomic, writeFileAtomicSync } from './atomic-write';
import { decodeSafetensors, encodeSafetensors, type DecodedSafetensors } from './safetensors';
import { flattenState, unflattenState } from './tree';
import { checkOptions } from '../options';

/** The `__metadata__` key that holds the JSON structure of what kindling saved. */
export const STRUCTURE_KEY = 'kindling';

/** Options of `save`: an injectable file system for tests of failures midway. */
export interface SaveOptions {
  /** @internal The file operations to use (default `node:fs`); tests pass failing ones. */
  fs?: AtomicWriteFs;
}

/** Options of `load`: PyTorch's, with the only values a safetensors file on the CPU can honour. */
export interface LoadOptions {
  /** Must be `'cpu'` (or null): kindling's tensors live in JS memory. */
  mapLocation?: 'cpu' | null;
  /** Must be true (or null): safetensors holds only tensors and JSON, never code. */
  weightsOnly?: boolean | null;
}

const SAVE_OPTIONS = { fs: 'object' } as const;
const SAVE_ASYNC_OPTIONS = {} as const;
const LOAD_OPTIONS = {
  mapLocation: { notImplemented: "kindling's tensors live on the CPU; use 'cpu'", unless: ['cpu', null] },
  weightsOnly: { notImplemented: 'a safetensors checkpoint holds only tensors and JSON values', unless: [true, null] },
} as const;

function checkPath(op: 'save' | 'load', path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`${op}: expected a file path string, got ${path === '' ? 'an empty string' : typeof path}`);
  }
}

function encode(obj: unknown) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || obj instanceof Tensor) {
    const got = obj === null ? 'null' : Array.isArray(obj) ? 'an array' : obj instanceof Tensor ? 'a Tensor (save { name: tensor } instead)' : typeof obj;
    throw new TypeError(`save: expected a state dict (an object of tensors, possibly nested), got ${got}`);
  }
  const { tensors, structure } = flattenState(obj);
  // `format: pt` is what safetensors.torch.save_file callers (and transformers) write and expect.
  return encodeSafetensors(tensors, { format: 'pt', [STRUCTURE_KEY]: JSON.stringify(structure) });
}

function writeError(path: string, error: unknown): CheckpointError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CheckpointError('save', path, `could not write the checkpoint (${reason})`, error);
}

/**
 * Saves a state dict (a module's or an optimizer's, or any nested object of tensors and plain
 * values) to `path` as safetensors, atomically: on any failure the file already at `path` is
 * left as it was and no temporary file remains.
 *
 * https://pytorch.org/docs/stable/generated/torch.save.html
 *
 * @example
 * torch.save(model.stateDict(), 'model.safetensors');
 * torch.save(optimizer.stateDict(), 'optimizer.safetensors');
 */
export function save(obj: object, path: string, options: SaveOptions = {}): void {
  checkPath('save', path);
  checkOptions('save', options, SAVE_OPTIONS);
  const encoded = encode(obj);
  try {
    writeFileAtomicSync(path, [encoded.header, ...encoded.chunks], options.fs);
  } catch (error) {
    throw writeError(path, error);
  }
}

/**
 * `save` without blocking the event loop while the file is written. The tensors are copied first
 * (synchronously), so training may go on and change them while the file is being written: the
 * checkpoint holds the values at the time of the call.
 */
export async function saveAsync(obj: object, path: string, options: Record<string, never> = {}): Promise<void> {
  checkPath('save', path);
  checkOptions('saveAsync', options, SAVE_ASYNC_OPTIONS);
  const encoded = encode(obj);
  const snapshot = encoded.chunks.map((chunk) => chunk.slice());
  try {
    await writeFileAtomic(path, [encoded.header, ...snapshot]);
  } catch (error) {
    throw writeError(path, error);
  }
}

function readError(path: string, error: unknown): CheckpointError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CheckpointError('load', path, `could not read the file (${reason})`, error);
}

function rebuild(decoded: DecodedSafetensors, path: string): unknown {
  const structureText = decoded.metadata?.[STRUCTURE_KEY];
  if (structureText === undefined) return Object.fromEntries(decoded.tensors);
  let structure: unknown;
  try {
    structure = JSON.parse(structureText);
  } catch (e) {
    throw new CheckpointError('load', path, `__metadata__ '${STRUCTURE_KEY}' is not valid JSON (${(e as Error).message})`);
  }
  try {
    return unflattenState(structure, decoded.tensors, (what) => {
      throw new CheckpointError('load', path, what);
    });
  } catch (e) {
    if (e instanceof RangeError) {
      // A structure nested deeper than the stack allows (only a crafted file does that).
      throw new CheckpointError('load', path, `__metadata__ '${STRUCTURE_KEY}' is nested too deeply (${e.message})`);
    }
    throw e;
  }
}

/**
 * Loads what `save` wrote, or any safetensors file (as a flat `{ name: Tensor }`). A corrupt or
 * truncated file throws a `CheckpointError` that names the file and the problem.
 *
 * https://pytorch.org/docs/stable/generated/torch.load.html
 *
 * @example
 * model.loadStateDict(torch.load('model.safetensors'));
 * optimizer.loadStateDict(torch.load('optimizer.safetensors'));
 */
export function load<T = StateDict>(path: string, options: LoadOptions = {}): T {
  checkPath('load', path);
  checkOptions('load', options, LOAD_OPTIONS);
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (error) {
    throw readError(path, error);
  }
  return rebuild(decodeSafetensors(bytes, path), path) as T;
}

/** `load` without blocking the event loop while the file is read. */
export async function loadAsync<T = StateDict>(path: string, options: LoadOptions = {}): Promise<T> {
  checkPath('load', path);
  checkOptions('loadAsync', options, LOAD_OPTIONS);
  let bytes: Uint8Array;
  try {
    bytes = await fs.promises.readFile(path);
  } catch (error) {
    throw readError(path, error);
  }
  return rebuild(decodeSafetensors(bytes, path), path) as T;
}
