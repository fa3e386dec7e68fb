//! Fused optimizer steps: one call updates every parameter buffer of a group in place, with the
//! float32 operation order of PyTorch's `_single_tensor_*` implementations (the path it takes on
//! CPU), so trajectories match torch to float32 rounding.
mod adadelta;
mod adagrad;
mod adam;
mod buffers;
mod div_by_constant;
mod rmsprop;
mod sgd;
#[cfg(test)]
mod step_tests;
#[cfg(test)]
mod thread_count;
#[cfg(test)]
mod timing;
#[cfg(test)]
mod trajectories;

pub use adadelta::{adadelta_step, adadelta_step_with, AdadeltaOptions};
pub use adagrad::{adagrad_step, adagrad_step_with, AdagradOptions};
pub use adam::{adam_step, adam_step_with, AdamOptions};
pub use rmsprop::{rmsprop_step, rmsprop_step_with, RmspropOptions};
pub use sgd::{sgd_step, sgd_step_with, SgdOptions};
