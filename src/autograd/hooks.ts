/**
 * `torch.utils.hooks.RemovableHandle`: what registering a hook returns; `remove()` unregisters it.
 */
let nextId = 0;

export class RemovableHandle {
  /** A number unique to this registration. */
  readonly id = nextId++;

  constructor(private readonly hooks: Map<number, unknown>) {}

  /** Unregisters the hook (a second call does nothing). */
  remove(): void {
    this.hooks.delete(this.id);
  }
}
