//! Errors thrown into JavaScript: a `RangeError` for a bad value (a length, a rank), a plain
//! `Error` for a wrong state (not initialised, finalised), each with a `code` JS can test.
use napi::{Env, Result};

pub enum Kind {
    /// A value out of range: `RangeError`, code `ERR_KINDLING_MPI_VALUE`.
    Value,
    /// MPI in the wrong state for the call: `Error`, code `ERR_KINDLING_MPI_STATE`.
    State,
}

/// Throws `message` as `kind` and returns `Ok(T::default())`: napi ignores the return value while
/// an exception is pending, so callers write `return fail(...)`.
pub fn fail<T: Default>(env: &Env, kind: Kind, message: String) -> Result<T> {
    match kind {
        Kind::Value => env.throw_range_error(&message, Some("ERR_KINDLING_MPI_VALUE"))?,
        Kind::State => env.throw_error(&message, Some("ERR_KINDLING_MPI_STATE"))?,
    }
    Ok(T::default())
}
