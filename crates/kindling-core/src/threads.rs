//! The one process-wide thread pool. Sized to the machine's cores (or `KINDLING_NUM_THREADS`),
//! resizable with `set_num_threads`. Work is split into chunks whose boundaries depend only on the
//! problem size, never on the thread count, and every chunk is computed by the same code whichever
//! thread runs it, so results are bit-identical for 1 and N threads.
//!
//! Entering a rayon pool from a thread it does not own (Node's main thread) costs ~8 µs per
//! parallel region on this machine, so small work runs inline on the calling thread: callers pass
//! an estimate of the work and only go parallel above `PARALLEL_MIN_WORK`.
use crate::error::{KernelError, KernelResult};
use std::sync::{Arc, RwLock};

/// Below this many element-operations a region runs on the calling thread (~8 µs of wake-up cost
/// would dominate).
pub const PARALLEL_MIN_WORK: usize = 1 << 16;

struct Pool {
    threads: usize,
    pool: Option<Arc<rayon::ThreadPool>>,
}

static POOL: RwLock<Pool> = RwLock::new(Pool { threads: 0, pool: None });

fn default_threads() -> usize {
    std::env::var("KINDLING_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n >= 1)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

fn build(threads: usize) -> Option<Arc<rayon::ThreadPool>> {
    if threads <= 1 {
        return None;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("kindling-{i}"))
        .build()
        .ok()
        .map(Arc::new)
}

fn current() -> (usize, Option<Arc<rayon::ThreadPool>>) {
    {
        let guard = POOL.read().unwrap_or_else(|e| e.into_inner());
        if guard.threads != 0 {
            return (guard.threads, guard.pool.clone());
        }
    }
    let mut guard = POOL.write().unwrap_or_else(|e| e.into_inner());
    if guard.threads == 0 {
        let threads = default_threads();
        guard.pool = build(threads);
        guard.threads = if guard.pool.is_some() { threads } else { 1 };
    }
    (guard.threads, guard.pool.clone())
}

/// How many threads kernels use.
pub fn num_threads() -> usize {
    current().0
}

/// Sets the number of threads (≥ 1). Takes effect for the next kernel call.
pub fn set_num_threads(n: usize) -> KernelResult {
    if n == 0 {
        return Err(KernelError::value("set_num_threads", "number of threads must be positive, got 0"));
    }
    let mut guard = POOL.write().unwrap_or_else(|e| e.into_inner());
    if guard.threads != n {
        guard.pool = build(n);
        guard.threads = if guard.pool.is_some() { n } else { 1 };
    }
    Ok(())
}

/// Runs `task(i)` for every `i in 0..tasks`: in parallel when `work` (an estimate of the total
/// element-operations) is large enough and more than one thread is configured, else inline in
/// order. Each `i` must write disjoint output, so the result is the same either way.
pub fn run_tasks(tasks: usize, work: usize, task: impl Fn(usize) + Sync + Send) {
    if tasks == 0 {
        return;
    }
    let (threads, pool) = current();
    match pool {
        Some(pool) if tasks > 1 && threads > 1 && work >= PARALLEL_MIN_WORK => {
            pool.install(|| {
                use rayon::prelude::*;
                (0..tasks).into_par_iter().for_each(|i| task(i));
            });
        }
        _ => (0..tasks).for_each(task),
    }
}

/// Splits `out` into fixed chunks of `chunk` elements (the last may be shorter) and calls
/// `f(start, chunk)` for each, in parallel when `work` is large enough. Chunk boundaries depend
/// only on `out.len()` and `chunk`.
pub fn par_chunks_mut<T: Send>(out: &mut [T], chunk: usize, work: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    let chunk = chunk.max(1);
    let (threads, pool) = current();
    match pool {
        Some(pool) if out.len() > chunk && threads > 1 && work >= PARALLEL_MIN_WORK => {
            pool.install(|| {
                use rayon::prelude::*;
                out.par_chunks_mut(chunk).enumerate().for_each(|(i, c)| f(i * chunk, c));
            });
        }
        _ => out.chunks_mut(chunk).enumerate().for_each(|(i, c)| f(i * chunk, c)),
    }
}

/// Serialises tests that change the global thread count.
#[cfg(test)]
pub(crate) static TEST_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_threads_is_rejected() {
        let err = set_num_threads(0).unwrap_err();
        assert_eq!(err.to_string(), "set_num_threads: number of threads must be positive, got 0");
    }

    #[test]
    fn chunked_results_do_not_depend_on_thread_count() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let run = || {
            let mut out = vec![0f32; 1 << 20];
            par_chunks_mut(&mut out, 4096, usize::MAX, |start, c| {
                for (j, v) in c.iter_mut().enumerate() {
                    *v = ((start + j) as f32).sqrt();
                }
            });
            out
        };
        set_num_threads(1).unwrap();
        let one = run();
        assert_eq!(num_threads(), 1);
        set_num_threads(2).unwrap();
        let two = run();
        assert_eq!(one, two);
    }
}
