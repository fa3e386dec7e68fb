//! Thread-count controls: `setNumThreads`, `getNumThreads`.
use napi_derive::napi;

/// Sets how many threads kernels use (≥ 1); takes effect for the next kernel call.
#[napi(catch_unwind)]
pub fn set_num_threads(env: napi::Env, n: u32) -> napi::Result<()> {
    crate::error::convert(&env, kindling_core::threads::set_num_threads(n as usize))
}

/// How many threads kernels use.
#[napi(catch_unwind)]
pub fn get_num_threads() -> u32 {
    kindling_core::threads::num_threads() as u32
}
