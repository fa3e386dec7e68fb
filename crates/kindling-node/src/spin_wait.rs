//! `spinWhileEqual`: a DataLoader thread polls a shared counter instead of sleeping on it.
use kindling_core::spin_wait::spin_while_equal;
use kindling_core::KernelError;
use napi::Env;
use napi_derive::napi;
use std::sync::atomic::AtomicI32;
use std::time::Duration;

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
    let index = index as usize;
    if index >= counters.len() {
        let err = KernelError::value(
            "spin_while_equal",
            format!(
                "index {index} is out of bounds for {} counters",
                counters.len()
            ),
        );
        return crate::error::convert(&env, Err(err));
    }
    if !(max_micros.is_finite() && max_micros >= 0.0) {
        let err = KernelError::value(
            "spin_while_equal",
            format!("maxMicros must be a finite number >= 0, got {max_micros}"),
        );
        return crate::error::convert(&env, Err(err));
    }
    // SAFETY: the element is in bounds and 4-byte aligned (an Int32Array element); other threads
    // write it only through atomics (JS `Atomics.*`), and this reads it only atomically.
    let cell = unsafe { &*(counters.as_ptr().add(index) as *const AtomicI32) };
    Ok(spin_while_equal(
        cell,
        value,
        Duration::from_secs_f64(max_micros / 1e6),
    ))
}
