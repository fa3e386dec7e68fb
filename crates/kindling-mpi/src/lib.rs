//! kindling's MPI backend: `torch.distributed`'s collectives over `MPI_COMM_WORLD`, on the typed
//! arrays JavaScript passes in (borrowed, never copied; results land in the same memory).
//!
//! This addon is deliberately thin: argument checks that PyTorch makes (contiguity, shapes, dtypes,
//! the `src` rank) live in `src/distributed/` of kindling, which calls these functions only with
//! buffers it has checked. The checks here (call.rs, one table for every collective) are the ones
//! that guard memory safety (lengths against the world size, `i32` counts) and MPI's own rules
//! (initialised once, not used after finalize).
//!
//! Calls are synchronous on Node's main thread (collectives.rs), except the `…Async` ones
//! (async_ops.rs), which run on libuv's pool; order.rs makes every MPI call run in the order
//! JavaScript issued it.
mod async_ops;
mod call;
mod collectives;
mod error;
mod order;
mod state;

pub use async_ops::*;
pub use collectives::*;
pub use state::*;
