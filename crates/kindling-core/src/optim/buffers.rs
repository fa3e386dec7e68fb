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

/// Calls `f(buffer, range)` over fixed chunks of every buffer (`lens[b]` elements in buffer `b`),
/// on the pool when the total is large enough.
pub(crate) fn for_each_chunk(
    lens: &[usize],
    work_per_element: usize,
    f: impl Fn(usize, Range<usize>) + Sync + Send,
) {
    let tasks: usize = lens.iter().map(|&n| n.div_ceil(CHUNK)).sum();
    let total: usize = lens.iter().sum();
    threads::run_tasks(tasks, total.saturating_mul(work_per_element), |mut t| {
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
