/**
 * kindling's TypeScript tuning constants in one place: the sizes where a JS loop stops beating a
 * native call, and the DataLoader's waiting and polling times. Each has a unique name and the
 * reason for its value; the measurements behind them are in docs/PERFORMANCE.md and docs/DATA.md.
 * The Rust side's thresholds and timers live in `crates/kindling-core/src/tuning.rs`. Changing a
 * value changes speed only, never results.
 */

// Where a JS loop beats a native call (a native call costs ~0.3–0.5 µs before any work).

/** `addInto` (gradient accumulation): below this many elements a JS loop beats the native axpy. */
export const JS_ADD_MAX_ELEMENTS = 2048;

/** `addStrided` (a view's gradient into its base's): below this many elements the JS loop runs. */
export const JS_STRIDED_ADD_MAX_ELEMENTS = 2048;

/** Cross-entropy's backward scale runs in JS up to this many gradient elements (the seed's 10×10). */
export const JS_LOSS_SCALE_MAX_ELEMENTS = 1024;

/**
 * Dead gradient buffers the engine hands back for reuse (`recycleF32` in dtype.ts): only from this
 * many elements (above glibc's mmap threshold, where a new buffer means new pages), at most this
 * many buffers and bytes held. NOTE [ Gradients written in place ] in docs/PERFORMANCE.md.
 */
export const RECYCLE_MIN_ELEMENTS = 64 * 1024;
export const RECYCLE_MAX_BUFFERS = 16;
export const RECYCLE_MAX_BYTES = 64 * 1024 * 1024;

/** Below this many elements a zeroed `Float32Array` is as cheap as an uninitialised one. */
export const UNINIT_MIN_ELEMENTS = 1024;

/** Typed arrays up to this many bytes are allocated on V8's heap (its on-heap limit): no uninitialised path. */
export const ON_HEAP_MAX_BYTES = 64;

// The DataLoader's worker pool (docs/DATA.md).

/** Bytes of shared memory per prefetched batch; larger batches are transferred instead. */
export const LOADER_SLOT_BYTES = 1 << 20;

/** How long one main-thread wait for a batch lasts before the alive flags and timeout are checked. */
export const LOADER_WAIT_SLICE_MS = 200;

/** How long the main thread polls for a missing batch before it sleeps (a batch takes ~10 µs). */
export const LOADER_SPIN_MS = 0.5;

/** Batches per task message and worker: tasks travel in bulk, never one message per batch. */
export const LOADER_TASK_CHUNK = 64;
/** How often the DataLoader's supervisor thread beats its heartbeat (it watches the workers' exits). */
export const LOADER_HEARTBEAT_MS = 100;
/** A supervisor whose heartbeat has not moved for this long is gone (it runs no user code, so only a terminate stops it). */
export const LOADER_SUPERVISOR_SILENCE_MS = 3000;

/** A worker with a full ring naps at least this long (its first nap is the consumer's pace). */
export const WORKER_SHORTEST_NAP_MS = 0.05;

/** Naps double up to this; the worker then also looks at the closed flag again. */
export const WORKER_LONGEST_NAP_MS = 100;

/** Weight of the newest interval in the consumer's pace (an exponential moving average). */
export const WORKER_PACE_WEIGHT = 0.25;

/** A worker polls for a free slot for this many µs per ms of pace (twice the pace) before napping… */
export const WORKER_POLL_US_PER_PACE_MS = 2000;

/** …but at least this long (µs), so a fast consumer is not missed by a hair… */
export const WORKER_MIN_POLL_US = 100;

/** …and at most this long (µs), so a slow consumer does not cost a core for long. */
export const WORKER_MAX_POLL_US = 1000;
