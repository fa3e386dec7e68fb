/**
 * NOTE [ Batches built in the worker's slot ]
 * A DataLoader worker writes every batch into a slot of shared memory that the main thread copies
 * out of (see batch-wire.ts). A dataset that builds its batch in one pass (MNIST's `getItems`)
 * can build it there directly: while the worker fetches a batch with the default collate, the
 * slot is the current arena, `allocateBatchFloat32` hands out views on it (in order, 8-byte
 * aligned, as `encodeBatch` lays tensors out), and `encodeBatch` leaves data that is already in
 * its place alone — one copy (31 KB for ten MNIST images) fewer per batch in the worker.
 * Anywhere else (the main thread, a custom collate function, a batch larger than the slot) it is
 * an ordinary fresh array.
 *
 * Only code that puts the array straight into the batch it returns may call it: the view is
 * overwritten by a later batch, so it must not be kept (cached, stored in the dataset) beyond the
 * batch being built.
 */
import { uninitializedFloat32 } from './uninitialized';

interface Arena {
  buffer: ArrayBufferLike;
  next: number;
  end: number;
}

let arena: Arena | undefined;

/** Byte alignment of tensors in a slot (shared with batch-wire.ts's layout). */
export const SLOT_ALIGN = 8;

export function alignToSlot(bytes: number): number {
  return Math.ceil(bytes / SLOT_ALIGN) * SLOT_ALIGN;
}

/**
 * `length` float32 elements, uninitialised: the caller writes every one of them. In the arena
 * when one is active and has room, else a fresh array.
 */
export function allocateBatchFloat32(length: number): Float32Array {
  const current = arena;
  const bytes = length * 4;
  if (current !== undefined && current.next + bytes <= current.end) {
    const view = new Float32Array(current.buffer, current.next, length);
    current.next += alignToSlot(bytes);
    return view;
  }
  return uninitializedFloat32(length);
}

/** Runs `build` with `slot` as the arena (its start 8-byte aligned); restores the previous one. */
export function withBatchArena<T>(slot: Uint8Array, build: () => T): T {
  const previous = arena;
  arena = { buffer: slot.buffer, next: slot.byteOffset, end: slot.byteOffset + slot.byteLength };
  try {
    return build();
  } finally {
    arena = previous;
  }
}
