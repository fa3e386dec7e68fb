//! The one error type of the core. Kernels never panic on bad arguments: every entry point checks
//! buffer lengths against the shapes it was given and returns a `KernelError` naming the op.
use std::fmt;

/// What kind of mistake the caller made; the binding maps `Length` and `Shape` to a JS `RangeError`
/// and `Value` (NaN hyper-parameters, out-of-range indices) to a `RangeError` as well, with `Type`
/// reserved for arguments of the wrong kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A buffer's length does not match the shape it was described with.
    Length,
    /// Shapes, sizes or strides that cannot work together.
    Shape,
    /// A value outside its domain: NaN learning rate, p outside [0, 1], class index out of range.
    Value,
    /// An argument of the wrong kind (e.g. a missing buffer that the options require).
    Type,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KernelError {
    pub op: &'static str,
    pub kind: ErrorKind,
    pub message: String,
}

impl KernelError {
    pub fn new(op: &'static str, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            op,
            kind,
            message: message.into(),
        }
    }
    pub fn length(op: &'static str, message: impl Into<String>) -> Self {
        Self::new(op, ErrorKind::Length, message)
    }
    pub fn shape(op: &'static str, message: impl Into<String>) -> Self {
        Self::new(op, ErrorKind::Shape, message)
    }
    pub fn value(op: &'static str, message: impl Into<String>) -> Self {
        Self::new(op, ErrorKind::Value, message)
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.message)
    }
}

impl std::error::Error for KernelError {}

pub type KernelResult<T = ()> = Result<T, KernelError>;

/// `op: <name> has <got> elements, expected <expected> (<context>)` — the shape of every length error.
pub fn check_len(
    op: &'static str,
    name: &str,
    got: usize,
    expected: usize,
    context: &str,
) -> KernelResult {
    if got == expected {
        Ok(())
    } else {
        Err(KernelError::length(
            op,
            format!("{name} has {got} elements, expected {expected} ({context})"),
        ))
    }
}

/// Rejects NaN and infinite hyper-parameters with the parameter's name.
pub fn check_finite(op: &'static str, name: &str, value: f64) -> KernelResult {
    if value.is_finite() {
        Ok(())
    } else {
        Err(KernelError::value(
            op,
            format!("{name} must be finite, got {value}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_error_names_op_and_both_lengths() {
        let err = check_len("sgemm", "a", 783, 784, "m=1, k=784").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Length);
        assert_eq!(
            err.to_string(),
            "sgemm: a has 783 elements, expected 784 (m=1, k=784)"
        );
    }

    #[test]
    fn nan_is_rejected_by_name() {
        let err = check_finite("adam", "lr", f64::NAN).unwrap_err();
        assert_eq!(err.to_string(), "adam: lr must be finite, got NaN");
        assert!(check_finite("adam", "lr", 1e-3).is_ok());
    }
}
