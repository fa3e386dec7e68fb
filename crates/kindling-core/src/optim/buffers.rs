//! Validation of the parallel buffer lists and the split of a fused update into fixed chunks.
//! A chunk is a range of one buffer; chunk boundaries depend only on the buffer lengths, and every
//! element's update reads and writes that element alone, so results are bit-identical whatever
//! the thread count or the order the chunks run in.
use crate::error::{check_len, KernelError, KernelResult};
use crate::threads;
use std::ops::Range;

/// Elements per chunk: large enough to amortise scheduling, small enough to balance 2–64 threads.
const CHUNK: usize = 32 * 1024;

/// `list` must hold one buffer per parameter.
pub(crate) fn check_count(
    op: &'static str,
    name: &str,
    got: usize,
    expected: usize,
) -> KernelResult {
    if got == expected {
        Ok(())
    } else {
        Err(KernelError::length(
            op,
            format!("{name} has {got} buffers, expected {expected} (one per parameter)"),
        ))
    }
}

/// Buffer `i` of `name` must have as many elements as `params[i]`.
pub(crate) fn check_each_len(
    op: &'static str,
    name: &str,
    lens: impl Iterator<Item = usize>,
    params: &[&mut [f32]],
) -> KernelResult {
    for (i, (len, p)) in lens.zip(params).enumerate() {
        // Names are formatted only on failure: this runs for every buffer of every step.
        if len != p.len() {
            let (name, context) = (format!("{name}[{i}]"), format!("the length of params[{i}]"));
            return check_len(op, &name, len, p.len(), &context);
        }
    }
    Ok(())
}

/// Below this many elements in all a fused step runs on the calling thread.
///
/// NOTE [ Seed-sized optimizer steps run on one thread ]
/// The seed's 52,650 parameters split into chunks of 32,768 + 17,408 (+ the small buffers): on an
/// idle machine a second thread saves at most a third of a ~40 µs kernel, and measured best-of-200
/// times showed no gain at 40K–65K elements (1 thread 28.2 µs vs 2 threads 25.0–28.6 µs at 40K).
/// On a busy machine the caller waits for a preempted worker to finish its chunk: the seed's
/// `optimizer.step` phase took 326–371 µs/step with 2 threads against 64–86 µs with 1 (same
/// build, load ~10 on 2 cores). Two full chunks are the least worth splitting.
const PARALLEL_MIN_ELEMENTS: usize = 2 * CHUNK;

/// Calls `f(buffer, range)` over fixed chunks of every buffer (`lens[b]` elements in buffer `b`),
/// on the pool when the total is large enough.
pub(crate) fn for_each_chunk(
    lens: &[usize],
    work_per_element: usize,
    f: impl Fn(usize, Range<usize>) + Sync + Send,
) {
    let tasks: usize = lens.iter().map(|&n| n.div_ceil(CHUNK)).sum();
    let total: usize = lens.iter().sum();
    threads::run_tasks(tasks, parallel_work(total, work_per_element), |mut t| {
        for (b, &n) in lens.iter().enumerate() {
            let chunks = n.div_ceil(CHUNK);
            if t < chunks {
                f(b, t * CHUNK..((t + 1) * CHUNK).min(n));
                return;
            }
            t -= chunks;
        }
    });
}

/// The work estimate handed to the pool: 0 (inline) below `PARALLEL_MIN_ELEMENTS`.
fn parallel_work(total: usize, work_per_element: usize) -> usize {
    if total < PARALLEL_MIN_ELEMENTS {
        0
    } else {
        total.saturating_mul(work_per_element)
    }
}

/// A buffer's address, sendable to pool threads. Chunks of one buffer never overlap, so each
/// thread forms `&mut` slices over disjoint ranges only.
#[derive(Clone, Copy)]
pub(crate) struct Ptr<T>(pub *mut T);
// SAFETY: only used to hand disjoint ranges of live, exclusively borrowed buffers to pool threads
// for the duration of one `for_each_chunk` call.
unsafe impl<T> Send for Ptr<T> {}
unsafe impl<T> Sync for Ptr<T> {}

impl<T> Ptr<T> {
    /// # Safety
    /// `range` must lie inside the buffer and not be accessed by anyone else meanwhile.
    #[inline(always)]
    pub(crate) unsafe fn slice_mut<'a>(self, range: Range<usize>) -> &'a mut [T] {
        std::slice::from_raw_parts_mut(self.0.add(range.start), range.len())
    }

    /// # Safety
    /// `range` must lie inside the buffer, which nobody writes meanwhile.
    #[inline(always)]
    pub(crate) unsafe fn slice<'a>(self, range: Range<usize>) -> &'a [T] {
        std::slice::from_raw_parts(self.0.add(range.start), range.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_sized_steps_stay_on_the_calling_thread() {
        let seed = 784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10;
        assert_eq!(parallel_work(seed, 8), 0);
        assert_eq!(parallel_work(2 * CHUNK - 1, 8), 0);
        assert_eq!(parallel_work(2 * CHUNK, 8), 16 * CHUNK);
        assert!(parallel_work(2 * CHUNK, 1) >= threads::PARALLEL_MIN_WORK);
    }

    #[test]
    fn every_chunk_is_visited_once_inline_or_not() {
        for lens in [vec![5, 0, 3], vec![2 * CHUNK + 7, 1, CHUNK]] {
            let seen = std::sync::Mutex::new(Vec::new());
            for_each_chunk(&lens, 8, |b, r| seen.lock().unwrap().push((b, r)));
            let mut seen = seen.into_inner().unwrap();
            seen.sort_by_key(|(b, r)| (*b, r.start));
            let covered: Vec<usize> = (0..lens.len())
                .map(|b| {
                    seen.iter()
                        .filter(|(x, _)| *x == b)
                        .map(|(_, r)| r.len())
                        .sum()
                })
                .collect();
            assert_eq!(covered, lens);
        }
    }
}
