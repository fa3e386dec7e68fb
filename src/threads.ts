/**
 * The kernels' thread count (`torch.set_num_threads` / `get_num_threads`), checked here, in one
 * place, before any number reaches the binding: the binding converts to `u32` (2^32 would wrap to
 * 0, −1 to 4294967295) and the pool starts one OS thread per count.
 *
 * NOTE [ The thread cap ]
 * A count is an integer from 1 to `MAX_THREADS` (256). More threads than cores only adds
 * contention (kernels split work into fixed chunks, so results never depend on the count), and a
 * fixed cap, unlike one derived from the core count, is the same on every machine and in Rust,
 * where `kindling_core::threads::MAX_THREADS` applies the same rule to `set_num_threads` and to
 * `KINDLING_NUM_THREADS`. The environment variable is checked when kindling is imported: a value
 * that is not such an integer throws there, naming the variable (Rust alone would fall back to
 * the core count).
 */
import { kernels as native } from './ops/kernels';

/** The largest thread count kindling accepts (see NOTE [ The thread cap ]). */
export const MAX_THREADS = 256;

/** The environment variable that sets the thread count at start-up. */
export const THREADS_ENV = 'KINDLING_NUM_THREADS';

/** Sets how many threads kernels use (`torch.set_num_threads`): an integer from 1 to 256. */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`setNumThreads: expected a positive integer, got ${String(n)}`);
  }
  if (n > MAX_THREADS) throw new RangeError(`setNumThreads: expected at most ${MAX_THREADS} threads, got ${n}`);
  native.setNumThreads(n);
}

/** How many threads kernels use (`torch.get_num_threads`). */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * Throws a `RangeError` naming `KINDLING_NUM_THREADS` unless it is unset, empty, or a decimal
 * integer from 1 to `MAX_THREADS` (surrounding spaces allowed, as Rust's `trim().parse()`).
 */
export function checkThreadsEnvironment(value: string | undefined = process.env[THREADS_ENV]): void {
  if (value === undefined || value.trim() === '') return;
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_THREADS)) {
    throw new RangeError(`${THREADS_ENV} must be an integer from 1 to ${MAX_THREADS}, got '${value}'`);
  }
}
