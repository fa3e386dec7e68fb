//! Every MPI call of this process runs in the order JavaScript issued it. MPI requires each rank
//! to issue its collectives in the same order; asynchronous collectives run on libuv's thread
//! pool, which would otherwise be free to run two of them in either order (a deadlock, or two
//! ranks reducing different buffers into each other). So each call takes a ticket on Node's main
//! thread when it is issued, and runs only when all earlier tickets have run. Holding the lock
//! while the call runs also serialises MPI calls (MPI_THREAD_SERIALIZED).
//!
//! Tickets are handed out in submission order and libuv's queue is FIFO, so the task holding the
//! lowest outstanding ticket has always been picked before any later one: waiting tasks cannot
//! crowd it out of the pool.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

static ISSUED: AtomicU64 = AtomicU64::new(0);
/// The ticket whose turn it is.
static NEXT: Mutex<u64> = Mutex::new(0);
static TURN: Condvar = Condvar::new();

fn lock() -> MutexGuard<'static, u64> {
    NEXT.lock().unwrap_or_else(|e| e.into_inner())
}

/// A place in line; take it on the main thread, when the call is issued.
pub fn ticket() -> u64 {
    ISSUED.fetch_add(1, Ordering::SeqCst)
}

/// Runs `f` once every earlier ticket has run; the turn passes on even if `f` panics.
pub fn in_turn<R>(ticket: u64, f: impl FnOnce() -> R) -> R {
    struct Pass<'a>(MutexGuard<'a, u64>);
    impl Drop for Pass<'_> {
        fn drop(&mut self) {
            *self.0 += 1;
            TURN.notify_all();
        }
    }
    let mut next = lock();
    while *next != ticket {
        next = TURN.wait(next).unwrap_or_else(|e| e.into_inner());
    }
    let _pass = Pass(next);
    f()
}

/// Takes a ticket and runs `f` in turn: what a synchronous call does.
pub fn now<R>(f: impl FnOnce() -> R) -> R {
    in_turn(ticket(), f)
}
