//! glibc's malloc settings for a process that allocates tensors: kindling's buffers are
//! `ArrayBuffer`s, which Node allocates with `malloc`/`calloc`. By default glibc serves each
//! block above a (dynamic) threshold with its own `mmap` and unmaps it when freed, and trims the
//! heap's free top back to the OS, so a training step's large buffers — the same sizes every
//! step — are page-faulted in afresh every step. Raising both thresholds keeps freed blocks in the
//! heap for the next step (NOTE [ malloc thresholds ] in docs/PERFORMANCE.md).
//! `KINDLING_MALLOC_TUNING=0` leaves glibc's defaults; other C libraries are left alone.

/// Blocks up to this size come from the heap: glibc's largest accepted value on 64-bit targets.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 32 << 20;
/// The heap's free top is returned to the OS only beyond this.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 256 << 20;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" {
    fn mallopt(param: i32, value: i32) -> i32;
}

/// Applies the settings once, when the addon loads (unless `KINDLING_MALLOC_TUNING=0`).
pub(crate) fn tune() {
    if std::env::var("KINDLING_MALLOC_TUNING").is_ok_and(|v| v == "0") {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // glibc's malloc.h: M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3. Setting either also turns
        // off glibc's own adjustment of both. A refusal (0) leaves the defaults: nothing to undo.
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        // SAFETY: mallopt only changes allocator parameters; it is safe to call at any time.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        }
    }
}

/// Whether the settings were applied in this process (for `mallocTuned()` and its test).
#[napi_derive::napi(catch_unwind)]
pub fn malloc_tuned() -> bool {
    cfg!(all(target_os = "linux", target_env = "gnu"))
        && !std::env::var("KINDLING_MALLOC_TUNING").is_ok_and(|v| v == "0")
}
