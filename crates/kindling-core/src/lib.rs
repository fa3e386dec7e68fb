//! kindling-core: the compute kernels of kindling on flat `f32` buffers (row-major, contiguous).
//! It knows buffers, shapes and maths — nothing of tensors, autograd or JavaScript. Every public
//! entry point validates lengths against the shapes it is given and returns `KernelResult`.
pub mod codes;
pub mod cpu;
pub mod denormals;
pub mod dropout;
pub mod dropout_relu;
pub mod elementwise;
pub mod error;
pub mod gather;
pub mod gemm;
pub mod loss;
pub mod optim;
pub mod options;
pub mod peak;
pub mod philox;
pub mod random;
pub mod reduce;
pub(crate) mod simd;
pub mod softmax;
pub mod spin_wait;
pub mod strided;
mod test_util;
pub mod threads;
pub mod tuning;

pub use error::{ErrorKind, KernelError, KernelResult};
pub mod conv;
pub mod batch_norm;
pub mod pool;
pub mod rows;
pub mod attention;
pub mod layer_norm;
pub mod rnn;
