//! `spinWhileEqualAt`: a DataLoader thread polls a shared counter instead of sleeping on it.
use napi::Env;
use napi_derive::napi;

/// Polls `counters[index]` (an Int32Array, normally on a SharedArrayBuffer) until it no longer
/// holds `value` (true) or `maxMicros` have passed (false), yielding the core between polls.
#[napi(catch_unwind)]
pub fn spin_while_equal_at(
    env: Env,
    counters: &[i32],
    index: u32,
    value: i32,
    max_micros: f64,
) -> napi::Result<bool> {
    crate::error::convert(
        &env,
        kindling_core::spin_wait::spin_while_equal_at(counters, index as usize, value, max_micros),
    )
}
