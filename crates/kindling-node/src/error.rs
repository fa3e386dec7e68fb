//! The one place where core errors become JavaScript errors. Length, shape and value errors become
//! `RangeError`s, type errors `TypeError`s; the message is the core's (`op: what was expected, what
//! was got`) and `code` says which kind it was, so JS can tell them apart without parsing text.
use kindling_core::{ErrorKind, KernelError};
use napi::{Env, Result};

pub fn code_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Length => "ERR_KINDLING_LENGTH",
        ErrorKind::Shape => "ERR_KINDLING_SHAPE",
        ErrorKind::Value => "ERR_KINDLING_VALUE",
        ErrorKind::Type => "ERR_KINDLING_TYPE",
    }
}

/// Throws `err` into JS as the matching error class. The caller returns right after; napi ignores
/// the return value while an exception is pending.
pub fn throw(env: &Env, err: KernelError) -> Result<()> {
    let message = err.to_string();
    let code = Some(code_of(err.kind));
    match err.kind {
        ErrorKind::Type => env.throw_type_error(&message, code),
        _ => env.throw_range_error(&message, code),
    }
}

/// Runs a core call and converts its error; every binding goes through here.
pub fn convert<T: Default>(env: &Env, result: kindling_core::KernelResult<T>) -> Result<T> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => {
            throw(env, e)?;
            Ok(T::default())
        }
    }
}
