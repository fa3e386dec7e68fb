//! Waiting for another thread to move a shared counter, without going to sleep in the kernel.
//!
//! A DataLoader worker thread and the main thread hand batches over through counters in shared
//! memory. Sleeping on them (`Atomics.wait`) and being woken costs ~50 µs each way on a virtual
//! machine whose idle vCPU halts (measured here: a ping-pong round trip is 7 µs while both threads
//! are awake, 100 µs when they sleep between pings) — as much as a whole seed training step. So a
//! thread that expects the counter to move soon polls it instead, yielding its core between polls
//! so that other runnable threads (the compute pool's worker, the main thread) are never kept off
//! it, and gives up after `max` so that a slow consumer does not cost a core for long.
use crate::error::{KernelError, KernelResult};
use std::hint::spin_loop;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::tuning::SPIN_WAIT_PURE_SPINS as PURE_SPINS;

/// Returns `true` as soon as `cell` no longer holds `value`, `false` once `max` has passed with it
/// unchanged.
pub fn spin_while_equal(cell: &AtomicI32, value: i32, max: Duration) -> bool {
    let start = Instant::now();
    let mut polls = 0u32;
    loop {
        if cell.load(Ordering::Acquire) != value {
            return true;
        }
        polls = polls.wrapping_add(1);
        if polls < PURE_SPINS {
            spin_loop();
            continue;
        }
        if start.elapsed() >= max {
            return false;
        }
        std::thread::yield_now();
    }
}

/// `spin_while_equal` on element `index` of an `Int32Array` of counters (normally on a
/// `SharedArrayBuffer` that other threads write through `Atomics.*`), for at most `max_micros`.
/// An index outside the counters or a `max_micros` that is not a finite number ≥ 0 is a value
/// error.
pub fn spin_while_equal_at(
    counters: &[i32],
    index: usize,
    value: i32,
    max_micros: f64,
) -> KernelResult<bool> {
    const OP: &str = "spin_while_equal";
    if index >= counters.len() {
        return Err(KernelError::value(
            OP,
            format!(
                "index {index} is out of bounds for {} counters",
                counters.len()
            ),
        ));
    }
    if !(max_micros.is_finite() && max_micros >= 0.0) {
        return Err(KernelError::value(
            OP,
            format!("maxMicros must be a finite number >= 0, got {max_micros}"),
        ));
    }
    // SAFETY: the element is in bounds and 4-byte aligned (an i32); other threads write it only
    // through atomics, and this reads it only atomically.
    let cell = unsafe { &*(counters.as_ptr().add(index) as *const AtomicI32) };
    Ok(spin_while_equal(
        cell,
        value,
        Duration::from_secs_f64(max_micros / 1e6),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn spin_while_equal_at_refuses_an_index_outside_the_counters_and_a_bad_deadline() {
        let counters = [0, 7];
        assert_eq!(spin_while_equal_at(&counters, 1, 6, 10.0), Ok(true));
        assert_eq!(spin_while_equal_at(&counters, 0, 0, 0.0), Ok(false));
        let e = spin_while_equal_at(&counters, 2, 0, 10.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "spin_while_equal: index 2 is out of bounds for 2 counters"
        );
        let e = spin_while_equal_at(&counters, 0, 0, f64::NAN).unwrap_err();
        assert_eq!(
            e.to_string(),
            "spin_while_equal: maxMicros must be a finite number >= 0, got NaN"
        );
        assert!(spin_while_equal_at(&counters, 0, 0, -1.0).is_err());
    }

    #[test]
    fn returns_false_after_the_deadline_when_nothing_changes() {
        let cell = AtomicI32::new(5);
        let start = Instant::now();
        assert!(!spin_while_equal(&cell, 5, Duration::from_micros(300)));
        assert!(start.elapsed() >= Duration::from_micros(300));
    }

    #[test]
    fn returns_true_at_once_when_the_value_already_differs() {
        let cell = AtomicI32::new(6);
        assert!(spin_while_equal(&cell, 5, Duration::from_secs(10)));
    }

    #[test]
    fn sees_another_thread_move_the_counter() {
        let cell = Arc::new(AtomicI32::new(0));
        let writer = {
            let cell = Arc::clone(&cell);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(2));
                cell.store(1, Ordering::Release);
            })
        };
        assert!(spin_while_equal(&cell, 0, Duration::from_secs(10)));
        assert_eq!(cell.load(Ordering::Acquire), 1);
        writer.join().unwrap();
    }
}
