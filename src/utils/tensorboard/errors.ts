/**
 * The error of a SummaryWriter that cannot write: its log directory or event file cannot be
 * created or written, or the writer was used after `close()`.
 *
 * Like `CheckpointError`, its message starts with the method (`SummaryWriter.addScalar(): ...`);
 * a failed file system call is kept as `cause`, with its `code` (`EACCES`, `ENOSPC`, …) and the
 * `path` it was about. Arguments of the wrong type or value are plain `TypeError`/`RangeError`s,
 * as elsewhere in kindling.
 */
/** `SummaryWriter.addScalar()`, or `new SummaryWriter()` for the constructor: how messages name the method. */
export function methodName(method: string): string {
  return method === 'constructor' ? 'new SummaryWriter()' : `SummaryWriter.${method}()`;
}

export class SummaryWriterError extends Error {
  override name = 'SummaryWriterError';
  /** The file or directory the error is about, if any. */
  readonly path: string | undefined;
  /** The operating system's error code of a failed call (`EACCES`, `ENOSPC`, …), if any. */
  readonly code: string | undefined;

  constructor(method: string, what: string, options: { path?: string; cause?: unknown } = {}) {
    super(`${methodName(method)}: ${what}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.path = options.path;
    const code = (options.cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}
