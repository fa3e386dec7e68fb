//! Elementwise kernels on f32 buffers: binary ops (same shape, with a scalar, broadcast through
//! strides) and unary ops with their backward. Public entry points validate lengths and op codes,
//! then run on the active SIMD path (`crate::cpu::active()`), split into fixed chunks across
//! threads when the buffer is large.
mod binary;
mod broadcast;
mod erf;
mod kernels;
pub mod math;
mod unary;

#[cfg(test)]
mod activation_tests;
#[cfg(test)]
mod tests;

pub use binary::{binary, binary_scalar};
pub use broadcast::binary_broadcast;
pub use unary::{gelu_with_derivative, mul_inplace, unary, unary_backward, unary_backward_inplace};

#[cfg(test)]
pub(crate) use binary::{binary_scalar_with, binary_with};
#[cfg(test)]
pub(crate) use unary::{
    gelu_with_derivative_with, mul_inplace_with, unary_backward_inplace_with, unary_backward_with,
    unary_with,
};

/// Elements per parallel chunk (boundaries depend only on the length).
pub(crate) use crate::tuning::ELEMENTWISE_CHUNK as CHUNK;
