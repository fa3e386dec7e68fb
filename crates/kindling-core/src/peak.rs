//! The float32 rate this CPU reaches, measured: every thread of the pool runs a loop of independent
//! fused multiply-adds held in registers, on the SIMD path the kernels use. Benchmarks state their
//! "of peak" against it: a VM's reported clock is not the rate its cores run at, and the FMA units
//! per core differ between CPUs of one ISA. NOTE [ Peak measured, not computed ] in
//! docs/PERFORMANCE.md.
use std::hint::black_box;
use std::time::Instant;

use crate::cpu::{self, Simd};
use crate::error::{KernelError, KernelResult};
use crate::simd::{self, Vf32};
use crate::threads;

/// Independent accumulator chains per thread: at least an FMA's latency (4 cycles) times the FMAs a
/// core issues per cycle (2), so the loop is bound by throughput on every CPU seen here.
const CHAINS: usize = 12;

/// Rounds per task: short enough for tasks to balance over the threads (NOTE [ Peak measured, not
/// computed ]), and few enough for every chain's count to stay exact in f32 (below 2^24).
const TASK_ROUNDS: usize = 1 << 16;

/// The longest measurement accepted, in seconds.
pub const MAX_SECONDS: f64 = 10.0;

/// `rounds` rounds of `CHAINS` vector FMAs `acc = acc·b + c` from `a0`, and the lanes per vector.
/// Returns the sum of every chain's first lane (`CHAINS · rounds · c` from 0 when `b` is 1 and the
/// counts are exact), so a caller can check that the loop ran, and ran fused.
#[inline(always)]
unsafe fn fma_rounds_v<V: Vf32>(rounds: usize, a0: f32, b: f32, c: f32) -> (f64, usize) {
    let (vb, vc) = (V::splat(b), V::splat(c));
    let mut acc = [V::splat(a0); CHAINS];
    for _ in 0..rounds {
        for a in acc.iter_mut() {
            *a = a.mul_add(vb, vc);
        }
    }
    let sum = acc.iter().map(|a| a.to_array()[0] as f64).sum();
    (sum, V::LANES)
}

simd::kernel! {
    /// See [`fma_rounds_v`]; the operands come in at run time so the compiler cannot fold the FMA.
    pub fn fma_rounds(rounds: usize, a0: f32, b: f32, c: f32) -> (f64, usize) {
        vector: fma_rounds_v::<V>(rounds, a0, b, c),
    }
}

/// One task of the measurement: [`TASK_ROUNDS`] rounds from 0 with `b = c = 1`, the operands
/// hidden from the compiler. Returns the lanes per vector.
fn task(simd: Simd) -> usize {
    black_box(fma_rounds(
        simd,
        TASK_ROUNDS,
        black_box(0.0),
        black_box(1.0),
        black_box(1.0),
    ))
    .1
}

/// The float32 GFLOP/s (an FMA counts 2) of the FMA loop on every pool thread for about `seconds`,
/// in tasks of [`TASK_ROUNDS`] that the threads take in turn, over the whole region's wall clock.
pub fn measure(seconds: f64) -> KernelResult<f64> {
    if !(seconds > 0.0 && seconds <= MAX_SECONDS) {
        return Err(KernelError::value(
            "measurePeakGflops",
            format!("seconds must be in (0, {MAX_SECONDS}], got {seconds}"),
        ));
    }
    let simd = cpu::active();
    let threads = threads::num_threads();
    // One task on this thread sizes the region.
    let start = Instant::now();
    let lanes = task(simd);
    let per_task = start.elapsed().as_secs_f64().max(1e-6);
    let tasks = ((seconds * threads as f64 / per_task).ceil() as usize).max(threads);
    let start = Instant::now();
    threads::run_tasks(tasks, usize::MAX, |_| {
        task(simd);
    });
    let elapsed = start.elapsed().as_secs_f64().max(1e-9);
    Ok((tasks * TASK_ROUNDS * CHAINS * lanes * 2) as f64 / elapsed / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_runs_every_round_of_every_chain() {
        for simd in cpu::available_paths() {
            let (sum, lanes) = fma_rounds(simd, 1000, 0.0, 1.0, 1.0);
            assert_eq!(sum, (CHAINS * 1000) as f64, "{simd:?}");
            let expected = match simd {
                Simd::Avx512 => 16,
                Simd::Avx2 => 8,
                Simd::Neon => 4,
                Simd::Scalar => 1,
            };
            assert_eq!(lanes, expected, "{simd:?}");
        }
    }

    #[test]
    fn the_loop_fuses_multiply_and_add() {
        // a·a − (1 + 2⁻¹¹) for a = 1 + 2⁻¹²: the exact product 1 + 2⁻¹¹ + 2⁻²⁴ rounds to 1 + 2⁻¹¹
        // (a tie, to even), so a separate multiply and add give 0; one fused rounding keeps 2⁻²⁴.
        let a = 1.0 + 2f32.powi(-12);
        let c = -(1.0 + 2f32.powi(-11));
        for simd in cpu::available_paths() {
            let (sum, _) = fma_rounds(simd, 1, a, a, c);
            assert_eq!(sum, CHAINS as f64 * 2f64.powi(-24), "{simd:?}");
        }
    }

    #[test]
    fn a_measurement_is_a_positive_rate() {
        let gflops = measure(0.01).expect("measure");
        assert!(gflops.is_finite() && gflops > 0.0, "{gflops}");
    }

    #[test]
    fn out_of_range_durations_are_value_errors() {
        for s in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_SECONDS * 2.0] {
            let err = measure(s).expect_err("should refuse");
            assert!(
                err.to_string()
                    .ends_with(&format!("seconds must be in (0, 10], got {s}")),
                "{err}"
            );
        }
    }
}
