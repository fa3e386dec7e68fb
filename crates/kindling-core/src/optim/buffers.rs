//! Validation of the parallel buffer lists and the split of a fused update into fixed chunks.
//! The buffers of a group are seen as one flat run of elements (buffer 0, then buffer 1, …) cut
//! into equal chunks; a chunk may span several buffers. Chunk boundaries depend only on the total
//! length, and every element's update reads and writes that element alone, so results are
//! bit-identical whatever the thread count or the order the chunks run in.
use crate::error::{check_len, KernelError, KernelResult};
use crate::threads;
use std::ops::Range;

use crate::tuning::{
    OPTIM_CHUNK_ALIGN as ALIGN, OPTIM_MAX_CHUNK as MAX_CHUNK, OPTIM_MIN_CHUNK as MIN_CHUNK,
    OPTIM_TARGET_CHUNKS as TARGET_CHUNKS,
};

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

/// Every step count must be a finite count >= 1 (the count after this step's increment).
pub(crate) fn check_steps(op: &'static str, steps: &[f64]) -> KernelResult {
    for (i, &step) in steps.iter().enumerate() {
        if !(step.is_finite() && step >= 1.0) {
            return Err(KernelError::value(
                op,
                format!("steps[{i}] must be a count >= 1, got {step}"),
            ));
        }
    }
    Ok(())
}

/// Below this many elements in all a fused step runs on the calling thread: inside a training
/// step the seed's parameters were slower on two threads than on one (NOTE [ Optimizer steps on
/// the pool ] in docs/PERFORMANCE.md).
pub(crate) use crate::tuning::OPTIM_PARALLEL_MIN_ELEMENTS as PARALLEL_MIN_ELEMENTS;

#[cfg(not(test))]
#[inline(always)]
fn min_elements() -> usize {
    PARALLEL_MIN_ELEMENTS
}

/// Tests that time the split below and above the threshold move it (`usize::MAX`: never split).
#[cfg(test)]
pub(crate) static MIN_ELEMENTS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(PARALLEL_MIN_ELEMENTS);

#[cfg(test)]
fn min_elements() -> usize {
    MIN_ELEMENTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The chunk length for a group of `total` elements: a function of `total` alone.
fn chunk_len(total: usize) -> usize {
    total
        .div_ceil(TARGET_CHUNKS)
        .clamp(MIN_CHUNK, MAX_CHUNK)
        .next_multiple_of(ALIGN)
}

/// Calls `f(buffer, range)` for every piece of every chunk (`lens[b]` elements in buffer `b`), on
/// the pool when the total is large enough. Each element of each buffer is visited exactly once.
pub(crate) fn for_each_chunk(
    lens: &[usize],
    work_per_element: usize,
    f: impl Fn(usize, Range<usize>) + Sync + Send,
) {
    let total: usize = lens.iter().sum();
    let chunk = chunk_len(total);
    let tasks = total.div_ceil(chunk);
    threads::run_tasks(tasks, parallel_work(total, work_per_element), |t| {
        for_each_piece(lens, t * chunk..((t + 1) * chunk).min(total), &f);
    });
}

/// Calls `f(buffer, range)` for the parts of the flat range `flat` that fall in each buffer.
fn for_each_piece(lens: &[usize], flat: Range<usize>, f: &impl Fn(usize, Range<usize>)) {
    let mut start = 0;
    for (b, &n) in lens.iter().enumerate() {
        let end = start + n;
        if end > flat.start && n > 0 {
            if start >= flat.end {
                return;
            }
            let lo = flat.start.max(start) - start;
            let hi = flat.end.min(end) - start;
            f(b, lo..hi);
        }
        start = end;
    }
}

/// The work estimate handed to the pool: 0 (inline) below `PARALLEL_MIN_ELEMENTS`.
fn parallel_work(total: usize, work_per_element: usize) -> usize {
    if total < min_elements() {
        0
    } else {
        total
            .saturating_mul(work_per_element)
            .max(threads::PARALLEL_MIN_WORK)
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

    const SEED: usize = 784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10;

    #[test]
    fn seed_sized_steps_stay_on_the_caller_and_large_ones_go_to_the_pool() {
        let _g = threads::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(parallel_work(SEED, 8), 0);
        assert!(parallel_work(PARALLEL_MIN_ELEMENTS, 1) >= threads::PARALLEL_MIN_WORK);
        assert_eq!(parallel_work(PARALLEL_MIN_ELEMENTS - 1, 8), 0);
    }

    #[test]
    fn chunks_depend_on_the_total_only_and_are_aligned() {
        assert_eq!(chunk_len(1), MIN_CHUNK);
        assert_eq!(chunk_len(SEED), MIN_CHUNK);
        assert_eq!(SEED.div_ceil(chunk_len(SEED)), 13);
        assert_eq!(chunk_len(1 << 20), MAX_CHUNK);
        let mid = 100_003;
        assert_eq!(
            chunk_len(mid),
            mid.div_ceil(TARGET_CHUNKS).next_multiple_of(ALIGN)
        );
        assert_eq!(chunk_len(mid) % ALIGN, 0);
    }

    /// Every element of every buffer is visited exactly once, inline or on the pool, including
    /// chunks that span several buffers and empty buffers.
    #[test]
    fn every_element_is_visited_once_inline_or_not() {
        let _g = threads::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let cases = [
            vec![5, 0, 3],
            vec![0],
            vec![MIN_CHUNK - 1, 2, MIN_CHUNK + 1, 0, 7],
            vec![784 * 64, 64, 64 * 32, 32, 32 * 10, 10],
            vec![2 * MAX_CHUNK + 7, 1, MAX_CHUNK, 100_000],
        ];
        for threads_n in [1, 2] {
            threads::set_num_threads(threads_n).unwrap();
            for lens in &cases {
                let counts: Vec<Vec<std::sync::atomic::AtomicU8>> = lens
                    .iter()
                    .map(|&n| (0..n).map(|_| Default::default()).collect())
                    .collect();
                for_each_chunk(lens, 8, |b, r| {
                    for i in r {
                        counts[b][i].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                });
                for (b, c) in counts.iter().enumerate() {
                    assert!(
                        c.iter()
                            .all(|x| x.load(std::sync::atomic::Ordering::Relaxed) == 1),
                        "lens {lens:?}, buffer {b}, {threads_n} threads"
                    );
                }
            }
        }
    }

    #[test]
    fn pieces_of_a_flat_range_follow_the_buffers() {
        let seen = std::cell::RefCell::new(Vec::new());
        for_each_piece(&[3, 0, 4, 2], 2..8, &|b, r| seen.borrow_mut().push((b, r)));
        assert_eq!(seen.into_inner(), vec![(0, 2..3), (2, 0..4), (3, 0..1)]);
    }
}
