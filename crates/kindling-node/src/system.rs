//! Introspection, and the two probes the tests use to prove that a panic and a core error reach
//! JS as errors (`debugPanic`, `debugLengthError`). The probes are compiled into every build on
//! purpose: the test must exercise the binary users run, and a second, feature-gated build of the
//! addon would double `npm test`'s build. They are not part of the public API: `src/` never
//! re-exports the raw binding, and the package's `exports` map does not expose `native/`.
use napi_derive::napi;

/// The SIMD path the kernels run on this CPU (`scalar`, `neon`, `avx2` or `avx512`).
#[napi(catch_unwind)]
pub fn simd_path() -> &'static str {
    kindling_core::cpu::active().name()
}

/// `kindling_core::peak::measure`: the FMA rate of the pool over about `seconds`, for benchmarks'
/// "of peak".
#[napi(catch_unwind)]
pub fn measure_peak_gflops(env: napi::Env, seconds: f64) -> napi::Result<f64> {
    crate::error::convert(&env, kindling_core::peak::measure(seconds))
}

/// Panics on purpose so tests can prove a Rust panic becomes a JS error instead of aborting Node.
#[napi(catch_unwind)]
pub fn debug_panic(message: String) {
    panic!("{}", message);
}

/// Throws the core's length error, so tests can check the conversion of every error kind.
#[napi(catch_unwind)]
pub fn debug_length_error(env: napi::Env, got: u32, expected: u32) -> napi::Result<()> {
    crate::error::convert(
        &env,
        kindling_core::error::check_len(
            "debug",
            "buffer",
            got as usize,
            expected as usize,
            "probe",
        ),
    )
}

/// When the addon loads: glibc's malloc settings (`malloc.rs`), then the panic hook.
#[napi_derive::module_init]
fn init() {
    crate::malloc::tune();
    quiet_panics();
}

/// A panic inside a kernel is a kindling bug, but it must never take the user's process down:
/// `catch_unwind` turns it into a JS `Error`. The default hook would also dump a backtrace to
/// stderr; one line is enough (set `RUST_BACKTRACE=1` to get the full trace back).
fn quiet_panics() {
    if std::env::var_os("RUST_BACKTRACE").is_some() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        eprintln!("kindling: caught a Rust panic (reported to JS as an Error): {info}");
    }));
}
