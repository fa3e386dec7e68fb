//! The one process-wide thread pool. Sized to the machine's cores (or `KINDLING_NUM_THREADS`),
//! resizable with `set_num_threads`. Work is split into chunks whose boundaries depend only on the
//! problem size, never on the thread count, and every chunk is computed by the same code whichever
//! thread runs it, so results are bit-identical for 1 and N threads.
//!
//! The pool keeps `threads − 1` persistent workers that spin for a while after each region before
//! parking, and the calling thread always takes part, so a region entered from Node's main thread
//! stays far cheaper than entering rayon's pool (NOTE [ Why not rayon here ] in
//! docs/PERFORMANCE.md has the figures). A region entered while the pool is busy (another JS worker
//! thread, or a nested call from inside a task) runs inline on its caller instead of queueing:
//! never a deadlock, same results. Work below `PARALLEL_MIN_WORK` runs inline. The pool's timings
//! are in `crate::tuning`.
use crate::error::{KernelError, KernelResult};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Instant;

pub use crate::tuning::PARALLEL_MIN_WORK;
use crate::tuning::{
    POOL_BACKOFF_SPINS, POOL_CONTENDED_FOR as CONTENDED_FOR,
    POOL_CONTENDED_INLINE_MAX_WORK as CONTENDED_INLINE_MAX_WORK,
    POOL_CONTENDED_WAIT as CONTENDED_WAIT, POOL_HOT_SPIN as HOT_SPIN, POOL_SPIN_WINDOW,
};

/// The caller's task closure, lifetime-erased. Only dereferenced while the region that published
/// it is open, and the publisher waits for every worker to leave before returning.
#[derive(Clone, Copy)]
struct JobRef {
    task: *const (dyn Fn(usize) + Sync + 'static),
    tasks: usize,
}
// SAFETY: the closure is `Sync`, and its owner outlives every use (see `Shared::run`).
unsafe impl Send for JobRef {}

/// State shared by the caller and the workers of one pool.
struct Shared {
    /// Bumped once per region; workers watch it.
    epoch: AtomicU64,
    /// True while the current region accepts workers.
    open: AtomicBool,
    /// Workers inside the current region (entered and not yet left).
    active: AtomicUsize,
    /// Next task index to claim, and tasks finished, for the current region.
    next: AtomicUsize,
    done: AtomicUsize,
    panicked: AtomicBool,
    job: Mutex<Option<JobRef>>,
    /// One region at a time; a busy pool makes other callers run inline.
    submit: Mutex<()>,
    /// Parking of idle workers.
    sleepers: Mutex<usize>,
    wake: Condvar,
    shutdown: AtomicBool,
    /// Until when (ns after `clock_base()`) small regions run inline.
    contended_until: AtomicU64,
}

/// The origin of the pool's coarse clock.
fn clock_base() -> Instant {
    static BASE: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fn now_ns() -> u64 {
    clock_base().elapsed().as_nanos() as u64
}

impl Shared {
    /// Claims and runs tasks of `job` until none is left.
    fn work(&self, job: JobRef) {
        loop {
            let i = self.next.fetch_add(1, SeqCst);
            if i >= job.tasks {
                return;
            }
            // SAFETY: the region is open, so the closure's owner is still waiting in `run`.
            let task = unsafe { &*job.task };
            if catch_unwind(AssertUnwindSafe(|| task(i))).is_err() {
                self.panicked.store(true, SeqCst);
            }
            self.done.fetch_add(1, SeqCst);
        }
    }

    /// Runs `task(0..tasks)` on this thread and the workers; returns false (running nothing) when
    /// the pool is already busy.
    fn run(&self, tasks: usize, task: &(dyn Fn(usize) + Sync)) -> bool {
        let busy = match self.submit.try_lock() {
            Ok(guard) => guard,
            // Poisoned only by a task panic re-raised below after a complete clean-up: still usable.
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return false,
        };
        // SAFETY: only the lifetime is erased; `run` does not return before every worker has left
        // the region (`active == 0` after `open` is cleared), so no use outlives `task`.
        let task: *const (dyn Fn(usize) + Sync + 'static) = unsafe { std::mem::transmute(task) };
        let job = JobRef { task, tasks };
        *self.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(job);
        self.next.store(0, SeqCst);
        self.done.store(0, SeqCst);
        self.panicked.store(false, SeqCst);
        self.open.store(true, SeqCst);
        self.epoch.fetch_add(1, SeqCst);
        {
            let sleepers = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
            if *sleepers > 0 {
                self.wake.notify_all();
            }
        }
        let started = Instant::now();
        self.work(job);
        // Tasks claimed by workers may still be running.
        let mut spins = 0u32;
        if self.done.load(SeqCst) < tasks {
            let own = started.elapsed();
            let waiting = Instant::now();
            while self.done.load(SeqCst) < tasks {
                backoff(&mut spins);
            }
            let waited = waiting.elapsed();
            if waited > CONTENDED_WAIT && waited > own {
                self.contended_until
                    .store(now_ns() + CONTENDED_FOR.as_nanos() as u64, SeqCst);
            }
        }
        // Close the region, then wait for workers that entered it to leave. A worker increments
        // `active` before it checks `open` (both SeqCst), so one that saw it open is counted here.
        self.open.store(false, SeqCst);
        while self.active.load(SeqCst) > 0 {
            backoff(&mut spins);
        }
        *self.job.lock().unwrap_or_else(|e| e.into_inner()) = None;
        drop(busy);
        if self.panicked.load(SeqCst) {
            resume_unwind(Box::new("a kindling parallel task panicked"));
        }
        true
    }

    /// True while small regions should run inline (a worker recently held one up).
    fn contended(&self) -> bool {
        now_ns() < self.contended_until.load(SeqCst)
    }

    /// A worker's life: wait for a region, help with it, repeat until shutdown.
    fn worker(&self) {
        let mut seen = self.epoch.load(SeqCst);
        loop {
            if !self.wait_for_region(seen) {
                return;
            }
            seen = self.epoch.load(SeqCst);
            self.active.fetch_add(1, SeqCst);
            if self.open.load(SeqCst) {
                let job = *self.job.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(job) = job {
                    self.work(job);
                }
            }
            self.active.fetch_sub(1, SeqCst);
        }
    }

    /// Spins, then parks, until the epoch moves past `seen`; false on shutdown.
    ///
    /// After `HOT_SPIN` of pure spinning the worker yields its core between polls: on an idle core
    /// that returns at once, on a contended one it hands the core to whoever needs it (NOTE [ Idle
    /// workers yield while they wait ] in docs/PERFORMANCE.md).
    fn wait_for_region(&self, seen: u64) -> bool {
        let start = Instant::now();
        let window = POOL_SPIN_WINDOW;
        let mut spins = 0u32;
        let mut hot = true;
        while self.epoch.load(SeqCst) == seen {
            if self.shutdown.load(SeqCst) {
                return false;
            }
            if hot {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
            spins = spins.wrapping_add(1);
            if !hot || spins.is_multiple_of(64) {
                let elapsed = start.elapsed();
                hot = elapsed < HOT_SPIN;
                if elapsed <= window {
                    continue;
                }
                let mut sleepers = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
                while self.epoch.load(SeqCst) == seen && !self.shutdown.load(SeqCst) {
                    *sleepers += 1;
                    sleepers = self.wake.wait(sleepers).unwrap_or_else(|e| e.into_inner());
                    *sleepers -= 1;
                }
            }
        }
        !self.shutdown.load(SeqCst)
    }
}

/// Spin briefly, then yield the core (the machine may be shared).
fn backoff(spins: &mut u32) {
    *spins = spins.saturating_add(1);
    if *spins < POOL_BACKOFF_SPINS {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

/// A pool of `threads − 1` workers plus the calling thread.
struct Pool {
    shared: Arc<Shared>,
}

impl Pool {
    fn new(threads: usize) -> Option<Pool> {
        if threads <= 1 {
            return None;
        }
        let shared = Arc::new(Shared {
            epoch: AtomicU64::new(0),
            open: AtomicBool::new(false),
            active: AtomicUsize::new(0),
            next: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            job: Mutex::new(None),
            submit: Mutex::new(()),
            sleepers: Mutex::new(0),
            wake: Condvar::new(),
            shutdown: AtomicBool::new(false),
            contended_until: AtomicU64::new(0),
        });
        for i in 1..threads {
            let shared = Arc::clone(&shared);
            let spawned = std::thread::Builder::new()
                .name(format!("kindling-{i}"))
                .spawn(move || shared.worker());
            if spawned.is_err() {
                // Fewer workers only means less parallelism; results are the same.
                break;
            }
        }
        Some(Pool { shared })
    }
}

impl Drop for Pool {
    /// Workers are told to exit and are not joined (they finish within one spin/park cycle).
    fn drop(&mut self) {
        self.shared.shutdown.store(true, SeqCst);
        let _sleepers = self
            .shared
            .sleepers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        self.shared.wake.notify_all();
    }
}

struct Config {
    threads: usize,
    pool: Option<Arc<Pool>>,
}

static POOL: RwLock<Config> = RwLock::new(Config {
    threads: 0,
    pool: None,
});

/// The largest thread count accepted, by `set_num_threads` and from `KINDLING_NUM_THREADS`
/// (the TypeScript side checks the same cap first: src/threads.ts, NOTE [ The thread cap ]).
/// More threads than cores only adds contention, and each count starts that many OS threads.
pub const MAX_THREADS: usize = 256;

/// `KINDLING_NUM_THREADS` if it is an integer from 1 to `MAX_THREADS`, else the machine's cores.
/// (Importing kindling refuses a bad value with an error naming the variable; this fallback only
/// guards Rust callers.)
fn default_threads() -> usize {
    threads_from_env(std::env::var("KINDLING_NUM_THREADS").ok().as_deref()).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(std::num::NonZeroUsize::get)
            .unwrap_or(1)
            .min(MAX_THREADS)
    })
}

fn threads_from_env(value: Option<&str>) -> Option<usize> {
    value
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| (1..=MAX_THREADS).contains(&n))
}

fn current() -> (usize, Option<Arc<Pool>>) {
    {
        let guard = POOL.read().unwrap_or_else(|e| e.into_inner());
        if guard.threads != 0 {
            return (guard.threads, guard.pool.clone());
        }
    }
    let mut guard = POOL.write().unwrap_or_else(|e| e.into_inner());
    if guard.threads == 0 {
        let threads = default_threads();
        guard.pool = Pool::new(threads).map(Arc::new);
        guard.threads = if guard.pool.is_some() { threads } else { 1 };
    }
    (guard.threads, guard.pool.clone())
}

/// How many threads kernels use.
pub fn num_threads() -> usize {
    current().0
}

/// Sets the number of threads (1 to `MAX_THREADS`). Takes effect for the next kernel call.
pub fn set_num_threads(n: usize) -> KernelResult {
    if n == 0 {
        return Err(KernelError::value(
            "set_num_threads",
            "number of threads must be positive, got 0",
        ));
    }
    if n > MAX_THREADS {
        return Err(KernelError::value(
            "set_num_threads",
            format!("number of threads must be at most {MAX_THREADS}, got {n}"),
        ));
    }
    let mut guard = POOL.write().unwrap_or_else(|e| e.into_inner());
    if guard.threads != n {
        guard.pool = Pool::new(n).map(Arc::new);
        guard.threads = if guard.pool.is_some() { n } else { 1 };
    }
    Ok(())
}

/// Runs `task(i)` for every `i in 0..tasks`: in parallel when `work` (an estimate of the total
/// element-operations) is large enough and more than one thread is configured, else inline in
/// order. Each `i` must write disjoint output, so the result is the same either way.
///
/// When a caller waits more than `CONTENDED_WAIT` (and longer than its own share took) for the
/// last task, a worker was descheduled: regions below `CONTENDED_INLINE_MAX_WORK` then run inline
/// for `CONTENDED_FOR` before the workers are tried again; large regions keep going parallel
/// (NOTE [ Contended pools run small regions inline ] in docs/PERFORMANCE.md).
pub fn run_tasks(tasks: usize, work: usize, task: impl Fn(usize) + Sync + Send) {
    if tasks == 0 {
        return;
    }
    if tasks > 1 && work >= PARALLEL_MIN_WORK {
        let (threads, pool) = current();
        if let Some(pool) = pool.filter(|_| threads > 1) {
            let inline = work < CONTENDED_INLINE_MAX_WORK && pool.shared.contended();
            if !inline && pool.shared.run(tasks, &task) {
                return;
            }
        }
    }
    (0..tasks).for_each(task)
}

/// A slice's base pointer that tasks carving out disjoint chunks may share.
struct ChunkBase<T>(*mut T);
// SAFETY: each task derives a distinct, non-overlapping chunk from it (see `par_chunks_mut`).
unsafe impl<T: Send> Send for ChunkBase<T> {}
unsafe impl<T: Send> Sync for ChunkBase<T> {}

impl<T> ChunkBase<T> {
    /// Through a method, so closures capture the `Sync` wrapper rather than the raw field.
    fn get(&self) -> *mut T {
        self.0
    }
}

/// Splits `out` into fixed chunks of `chunk` elements (the last may be shorter) and calls
/// `f(start, chunk)` for each, in parallel when `work` is large enough. Chunk boundaries depend
/// only on `out.len()` and `chunk`.
pub fn par_chunks_mut<T: Send>(
    out: &mut [T],
    chunk: usize,
    work: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    let chunk = chunk.max(1);
    let len = out.len();
    let tasks = len.div_ceil(chunk);
    let base = ChunkBase(out.as_mut_ptr());
    run_tasks(tasks, work, |i| {
        let start = i * chunk;
        let end = (start + chunk).min(len);
        // SAFETY: task i alone covers `start..end`, inside `out`, which is borrowed mutably for
        // the whole call.
        let part = unsafe { std::slice::from_raw_parts_mut(base.get().add(start), end - start) };
        f(start, part);
    });
}

/// A mutable slice that the tasks of one region share, each taking its own disjoint parts of it
/// with [`SharedSlice::part`]: for kernels whose tasks write several buffers by the same rows,
/// where `par_chunks_mut`'s one chunk per task does not fit.
pub struct SharedSlice<'a, T> {
    ptr: *mut T,
    len: usize,
    _borrow: std::marker::PhantomData<&'a mut [T]>,
}
// SAFETY: tasks only reach the data through `part`, whose contract forbids overlapping parts.
unsafe impl<T: Send> Send for SharedSlice<'_, T> {}
unsafe impl<T: Send> Sync for SharedSlice<'_, T> {}

impl<'a, T> SharedSlice<'a, T> {
    pub fn new(slice: &'a mut [T]) -> Self {
        SharedSlice {
            ptr: slice.as_mut_ptr(),
            len: slice.len(),
            _borrow: std::marker::PhantomData,
        }
    }

    /// Elements `start..start + len` (panics when out of range).
    ///
    /// # Safety
    /// No other live part returned by this `SharedSlice` overlaps this one.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn part(&self, start: usize, len: usize) -> &'a mut [T] {
        assert!(
            start <= self.len && len <= self.len - start,
            "part out of range"
        );
        std::slice::from_raw_parts_mut(self.ptr.add(start), len)
    }
}

/// Serialises tests that change the global thread count.
#[cfg(test)]
pub(crate) static TEST_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn more_threads_than_the_cap_are_rejected() {
        let err = set_num_threads(MAX_THREADS + 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "set_num_threads: number of threads must be at most 256, got 257"
        );
        let err = set_num_threads(u32::MAX as usize).unwrap_err();
        assert!(err.to_string().ends_with("got 4294967295"), "{err}");
    }

    #[test]
    fn env_thread_counts_outside_1_to_the_cap_fall_back() {
        assert_eq!(threads_from_env(Some(" 4 ")), Some(4));
        assert_eq!(threads_from_env(Some("256")), Some(256));
        assert_eq!(threads_from_env(Some("257")), None);
        assert_eq!(threads_from_env(Some("0")), None);
        assert_eq!(threads_from_env(Some("-1")), None);
        assert_eq!(threads_from_env(Some("4294967296")), None);
        assert_eq!(threads_from_env(Some("two")), None);
        assert_eq!(threads_from_env(None), None);
    }

    #[test]
    fn zero_threads_is_rejected() {
        let err = set_num_threads(0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "set_num_threads: number of threads must be positive, got 0"
        );
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

    #[test]
    fn every_task_runs_exactly_once_across_many_regions() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_num_threads(2).unwrap();
        for tasks in [2, 3, 7, 64, 1000] {
            let counts: Vec<AtomicUsize> = (0..tasks).map(|_| AtomicUsize::new(0)).collect();
            for _ in 0..200 {
                run_tasks(tasks, usize::MAX, |i| {
                    counts[i].fetch_add(1, SeqCst);
                });
            }
            assert!(
                counts.iter().all(|c| c.load(SeqCst) == 200),
                "tasks = {tasks}"
            );
        }
    }

    #[test]
    fn both_threads_take_part() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_num_threads(2).unwrap();
        let ids = Mutex::new(std::collections::HashSet::new());
        // Tasks long enough that the worker wakes and claims some before the caller finishes.
        // Other tests may hold the pool for a while (their regions make ours run inline), so try
        // for up to a few seconds.
        let start = Instant::now();
        while ids.lock().unwrap().len() < 2 && start.elapsed() < Duration::from_secs(5) {
            run_tasks(16, usize::MAX, |_| {
                ids.lock().unwrap().insert(std::thread::current().id());
                std::thread::sleep(Duration::from_millis(1));
            });
        }
        assert_eq!(ids.lock().unwrap().len(), 2);
    }

    #[test]
    fn nested_and_concurrent_regions_run_inline_and_finish() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_num_threads(2).unwrap();
        let total = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for _ in 0..50 {
                        run_tasks(4, usize::MAX, |_| {
                            run_tasks(4, usize::MAX, |_| {
                                total.fetch_add(1, SeqCst);
                            });
                        });
                    }
                });
            }
        });
        assert_eq!(total.load(SeqCst), 3 * 50 * 16);
    }

    #[test]
    fn a_panicking_task_reaches_the_caller_and_the_pool_survives() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_num_threads(2).unwrap();
        let result = catch_unwind(|| {
            run_tasks(8, usize::MAX, |i| {
                if i == 5 {
                    panic!("task 5 fails");
                }
            })
        });
        assert!(result.is_err());
        let count = AtomicUsize::new(0);
        run_tasks(8, usize::MAX, |_| {
            count.fetch_add(1, SeqCst);
        });
        assert_eq!(count.load(SeqCst), 8);
    }

    #[test]
    fn a_stalled_worker_makes_small_regions_run_inline_for_a_while() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_num_threads(2).unwrap();
        let pool = current().1.unwrap();
        pool.shared.contended_until.store(0, SeqCst);
        let caller = std::thread::current().id();
        // A task that the worker claims takes 2 ms, as if it were preempted in the middle of it.
        // The worker may not wake in time to claim one: retry for a few seconds.
        let start = Instant::now();
        while !pool.shared.contended() && start.elapsed() < Duration::from_secs(5) {
            run_tasks(4, usize::MAX, |_| {
                if std::thread::current().id() != caller {
                    std::thread::sleep(Duration::from_millis(2));
                }
            });
        }
        assert!(pool.shared.contended());
        let ids = Mutex::new(std::collections::HashSet::new());
        run_tasks(64, PARALLEL_MIN_WORK, |_| {
            ids.lock().unwrap().insert(std::thread::current().id());
        });
        assert_eq!(*ids.lock().unwrap(), [caller].into_iter().collect());
        // Large regions still use the workers (checked by both_threads_take_part); after the
        // window the pool is tried again.
        std::thread::sleep(CONTENDED_FOR);
        assert!(!pool.shared.contended());
    }

    /// Cost of one parallel region of trivial tasks (ignored: a timing, not a check):
    /// `cargo test -p kindling-core --release region_cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn region_cost() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_num_threads(2).unwrap();
        let sink = AtomicUsize::new(0);
        let reps = 100_000;
        for _ in 0..1000 {
            run_tasks(2, usize::MAX, |i| {
                sink.fetch_add(i, SeqCst);
            });
        }
        let t = Instant::now();
        for _ in 0..reps {
            run_tasks(2, usize::MAX, |i| {
                sink.fetch_add(i, SeqCst);
            });
        }
        println!(
            "warm region: {:.2} µs",
            t.elapsed().as_secs_f64() * 1e6 / reps as f64
        );
        let mut cold = Vec::new();
        for _ in 0..40 {
            std::thread::sleep(Duration::from_millis(2));
            let t = Instant::now();
            run_tasks(2, usize::MAX, |i| {
                sink.fetch_add(i, SeqCst);
            });
            cold.push(t.elapsed().as_secs_f64() * 1e6);
        }
        cold.sort_by(|a, b| a.total_cmp(b));
        println!(
            "region after the workers parked: min {:.2} µs, median {:.2} µs, max {:.2} µs",
            cold[0],
            cold[cold.len() / 2],
            cold[cold.len() - 1]
        );
    }
}
