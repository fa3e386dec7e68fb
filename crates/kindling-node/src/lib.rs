//! napi-rs bindings of kindling-core. This crate only converts arguments and errors: no maths here.
//! Typed arrays arrive as borrowed slices (`&[f32]`, `&mut [f32]`), so inputs are never copied and
//! outputs are written straight into the `Float32Array` that JavaScript allocated.
mod attention;
mod batch_norm;
mod buffers;
mod conv;
mod dropout;
mod dropout_relu;
mod elementwise;
mod error;
mod gather;
mod layer_norm;
mod malloc;
mod gemm;
mod loss;
mod optim;
mod pool;
mod random;
mod reduce;
mod rnn;
mod rows;
mod softmax;
mod spin_wait;
mod strided;
mod system;
mod threads;
