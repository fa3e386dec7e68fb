//! Random fills over the core's Philox4x32-10: `fillUniform`, `fillNormal`, `fillRandint`,
//! `randperm`, `fillBernoulli`. Each returns how many counters it consumed, which the TS
//! `Generator` adds to its offset.
use crate::buffers::{F32Out, I32Out};
use kindling_core::random;
use napi::Env;
use napi_derive::napi;

/// Fills `out` with U[low, high) float32 values; returns the counters consumed.
#[napi(catch_unwind)]
pub fn fill_uniform(
    env: Env,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    low: f64,
    high: f64,
    seed: f64,
    offset: f64,
) -> napi::Result<f64> {
    crate::error::convert(
        &env,
        random::fill_uniform(out, low, high, seed, offset).map(|n| n as f64),
    )
}

/// Fills `out` with N(mean, std²) values (Box–Muller); returns the counters consumed.
#[napi(catch_unwind)]
pub fn fill_normal(
    env: Env,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    mean: f64,
    std: f64,
    seed: f64,
    offset: f64,
) -> napi::Result<f64> {
    crate::error::convert(
        &env,
        random::fill_normal(out, mean, std, seed, offset).map(|n| n as f64),
    )
}

/// Fills the `Int32Array` `out` with integers uniform over [low, high); returns the counters consumed.
#[napi(catch_unwind)]
pub fn fill_randint(
    env: Env,
    #[napi(ts_arg_type = "Int32Array")] out: I32Out<'_>,
    low: f64,
    high: f64,
    seed: f64,
    offset: f64,
) -> napi::Result<f64> {
    crate::error::convert(
        &env,
        random::fill_randint(out, low, high, seed, offset).map(|n| n as f64),
    )
}

/// Writes a random permutation of `0 .. out.length` into `out`; returns the counters consumed.
#[napi(catch_unwind)]
pub fn randperm(
    env: Env,
    #[napi(ts_arg_type = "Int32Array")] out: I32Out<'_>,
    seed: f64,
    offset: f64,
) -> napi::Result<f64> {
    crate::error::convert(&env, random::randperm(out, seed, offset).map(|n| n as f64))
}

/// Fills `out` with 1 (probability p) or 0; returns the counters consumed.
#[napi(catch_unwind)]
pub fn fill_bernoulli(
    env: Env,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
    p: f64,
    seed: f64,
    offset: f64,
) -> napi::Result<f64> {
    crate::error::convert(
        &env,
        random::fill_bernoulli(out, p, seed, offset).map(|n| n as f64),
    )
}
