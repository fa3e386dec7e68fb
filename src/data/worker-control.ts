/**
 * The per-worker counters shared by a DataLoader worker and the main thread (one Int32Array):
 * the worker fills its ring of `prefetchFactor` slots, the main thread empties it in order.
 * (Separate from worker-main.ts, which runs worker code when imported.)
 */
/** Batches produced (slots filled) by this worker so far. */
export const CONTROL_PRODUCED = 0;
/** Batches the main thread has copied out of this worker's slots so far. */
export const CONTROL_CONSUMED = 1;
/** Set by the main thread when it stops iterating: a waiting worker gives up. */
export const CONTROL_CLOSED = 2;
/**
 * Set by the worker once it has rebuilt the dataset: how many draws the rebuild took from the
 * default generator. A pool whose rebuild drew random numbers is not reused (a fresh worker would
 * rebuild with the next epoch's seed).
 */
export const CONTROL_REBUILD_DRAWS = 3;
export const CONTROL_WORDS = 4;
