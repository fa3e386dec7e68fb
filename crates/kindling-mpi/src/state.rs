//! MPI's life cycle in this process: initialised at most once, finalised at most once, never
//! initialised again after that (the MPI standard forbids it). kindling's `destroyProcessGroup`
//! therefore does not finalise: like PyTorch's MPI backend, MPI stays up until the process exits,
//! and kindling's JS calls `finalize` (clean exit) or `abort` (failing exit) from an exit hook.
use std::sync::Mutex;

use mpi::environment::Universe;
use mpi::topology::Communicator;
use mpi::Threading;
use napi::{Env, Result};
use napi_derive::napi;

use crate::error::{fail, Kind};

enum Life {
    NotStarted,
    Running(Universe),
    Finalized,
}

// SAFETY of the `Send` this needs: the Universe is only a token for MPI_Finalize (plus an unused
// attached-buffer slot); it is created, used and dropped on Node's main thread, which is the only
// thread that calls into this addon.
struct Token(Life);
unsafe impl Send for Token {}

static LIFE: Mutex<Token> = Mutex::new(Token(Life::NotStarted));

fn life() -> std::sync::MutexGuard<'static, Token> {
    // A panic while holding the lock cannot leave MPI half-changed (the guarded calls do not
    // panic), so a poisoned lock is still good.
    LIFE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The rank and size of `MPI_COMM_WORLD`, or the error a collective must throw.
pub(crate) fn world(env: &Env, op: &str) -> Result<Option<mpi::topology::SimpleCommunicator>> {
    match &life().0 {
        Life::Running(u) => Ok(Some(u.world())),
        Life::NotStarted => fail(
            env,
            Kind::State,
            format!("{op}: MPI is not initialised (call init first)"),
        ),
        Life::Finalized => fail(
            env,
            Kind::State,
            format!("{op}: MPI was already finalized in this process"),
        ),
    }
}

/// The world communicator's raw handle and size, for calls made off the main thread.
pub(crate) fn world_comm() -> Option<(mpi::ffi::MPI_Comm, i32)> {
    use mpi::raw::AsRaw;
    match &life().0 {
        Life::Running(u) => {
            let w = u.world();
            Some((w.as_raw(), w.size()))
        }
        _ => None,
    }
}

/// `MPI_Init_thread` (once; later calls do nothing). Asks for `MPI_THREAD_SERIALIZED` so that a
/// later asynchronous version may call MPI from a worker thread, one call at a time.
#[napi(catch_unwind)]
pub fn init(env: Env) -> Result<()> {
    let mut guard = life();
    match guard.0 {
        Life::Running(_) => Ok(()),
        Life::Finalized => fail(
            &env,
            Kind::State,
            "init: MPI was finalized in this process and cannot be initialised again (the MPI standard forbids it)".into(),
        ),
        Life::NotStarted => match mpi::initialize_with_threading(Threading::Serialized) {
            Some((universe, _)) => {
                guard.0 = Life::Running(universe);
                Ok(())
            }
            None => fail(&env, Kind::State, "init: MPI was initialised by someone else in this process".into()),
        },
    }
}

/// Whether `init` succeeded and `finalize` has not run.
#[napi]
pub fn is_initialized() -> bool {
    matches!(life().0, Life::Running(_))
}

/// This process's rank in `MPI_COMM_WORLD`.
#[napi(catch_unwind)]
pub fn rank(env: Env) -> Result<i32> {
    Ok(world(&env, "rank")?.map_or(0, |w| w.rank()))
}

/// The number of processes in `MPI_COMM_WORLD`.
#[napi(catch_unwind)]
pub fn world_size(env: Env) -> Result<i32> {
    Ok(world(&env, "worldSize")?.map_or(0, |w| w.size()))
}

/// `MPI_Finalize`, once; nothing if MPI was never initialised or is already finalised.
#[napi(catch_unwind)]
pub fn finalize() {
    let mut guard = life();
    if let Life::Running(_) = guard.0 {
        // Dropping the Universe is what calls MPI_Finalize: after every call issued before.
        crate::order::now(|| guard.0 = Life::Finalized);
    }
}

/// `MPI_Abort(MPI_COMM_WORLD, code)`: ends every rank of the job (mpirun kills the others), so a
/// rank that fails does not leave the rest waiting forever in a collective.
#[napi(catch_unwind)]
pub fn abort(code: i32) {
    if let Life::Running(u) = &life().0 {
        u.world().abort(code);
    }
}

/// `MPI_Get_library_version`, e.g. "Open MPI v4.1.4, …"; works before `init`.
#[napi]
pub fn library_version() -> String {
    mpi::environment::library_version().unwrap_or_default()
}
