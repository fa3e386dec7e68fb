/**
 * `torch.distributed.Work`: the handle an asynchronous collective (`asyncOp: true`) returns.
 * `wait()` is a Promise here (PyTorch's blocks the calling thread): Node's main thread stays free
 * while the ranks communicate. Until it resolves, the tensor must not be read or written.
 */
export class Work {
  readonly #done: Promise<void>;
  #completed = false;

  /** @internal Made by the collectives: `finish` runs once the native call is done. */
  constructor(native: Promise<boolean>, finish: (agreed: boolean) => void) {
    this.#done = native.then((agreed) => {
      this.#completed = true;
      finish(agreed);
    });
    // An error surfaces where `wait()` is awaited; a Work nobody waits for must not crash the
    // process with an unhandled rejection.
    this.#done.catch(() => {});
  }

  /** Resolves when the collective is complete; rejects with its error (the same typed errors as the synchronous call). */
  wait(): Promise<void> {
    return this.#done;
  }

  /** Whether the collective has finished (successfully or not). */
  isCompleted(): boolean {
    return this.#completed;
  }
}
