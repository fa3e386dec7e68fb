/**
 * A tensor's storage: the typed array its elements live in, shared by every view of it, and the
 * in-place version counter (PyTorch's `_version`). The counter lives here, not on the tensor, so
 * that views and `detach()` see every write made through any of them.
 */
import type { TypedArray } from './dtype';

export class Storage {
  /** The elements of every tensor viewing this storage (each at its own offset and strides). */
  readonly data: TypedArray;
  /** How many in-place writes went into `data`; only `bumpVersion` changes it. */
  version = 0;

  constructor(data: TypedArray) {
    this.data = data;
  }
}

/**
 * Records an in-place write into `t`'s storage. Every in-place op calls this once per write (the
 * ops in ops/inplace.ts, nn.init, the optimizers' steps), so that a tensor saved for backward can
 * tell it was modified after it was saved (autograd/node.ts `checkSavedVersions`).
 */
export function bumpVersion(t: { readonly storage: Storage }): void {
  t.storage.version++;
}
