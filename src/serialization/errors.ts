/**
 * The error of a checkpoint that cannot be read or written.
 *
 * NOTE [ One error type for checkpoints ]
 * PyTorch's `safetensors` raises `SafetensorError` for a corrupt file and `OSError` for a failed
 * write; kindling throws one `CheckpointError` for both, whose message starts with the operation
 * and the file (`load: /runs/model.safetensors: header length 4096 goes beyond the file (100 bytes)`)
 * and whose `path` names the file. A failed write keeps the operating system's error as `cause`
 * and its `code` (`ENOSPC`, `EACCES`, …). Wrong argument types (not a path, an object that
 * contains a function) are plain `TypeError`s, as elsewhere in kindling.
 */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
  /** The checkpoint file the error is about. */
  readonly path: string;
  /** The operating system's error code of a failed write or read (`ENOSPC`, `ENOENT`, …), if any. */
  readonly code: string | undefined;

  constructor(op: 'save' | 'load', path: string, what: string, cause?: unknown) {
    super(`${op}: ${path}: ${what}`, cause === undefined ? undefined : { cause });
    this.path = path;
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}
