//! The float32 rate this CPU reaches, measured: every thread of the pool runs a loop of independent
//! fused multiply-adds held in registers, on the SIMD path the kernels use. Benchmarks state their
//! "of peak" against it. A VM's nominal clock is not the rate its cores run at (the 2-vCPU EPYC
//! reports 2.6 GHz and retires 3.6 AVX-512 FMAs a nanosecond per core), and the FMA units per core
//! differ between CPUs of one ISA. NOTE [ Peak measured, not computed ] in docs/PERFORMANCE.md.
use std::hint::black_box;
use std::time::Instant;

use crate::cpu::{self, Simd};
use crate::error::{KernelError, KernelResult};
use crate::simd::{self, Vf32};
use crate::threads;

/// Independent accumulator chains per thread: at least an FMA's latency (4 cycles) times the FMAs a
/// core issues per cycle (2), so the loop is bound by throughput on every CPU seen here.
const CHAINS: usize = 12;

/// Rounds per task: ~0.2 ms of AVX-512 work, small enough for tasks to balance over the threads,
/// and few enough for every chain's count to stay exact in f32 (below 2^24).
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

/// A measurement: float32 FLOP per second over every thread of the pool (an FMA counts 2).
#[derive(Clone, Copy, Debug)]
pub struct Peak {
    pub gflops: f64,
    pub threads: usize,
    /// f32 lanes per vector on the path measured (16 for AVX-512, 8 AVX2, 4 NEON, 1 scalar).
    pub lanes: usize,
    pub simd: Simd,
}

/// Runs the FMA loop on every pool thread for about `seconds`, in tasks of [`TASK_ROUNDS`] that the
/// threads take in turn, and returns the rate over the whole region (wall clock).
pub fn measure(seconds: f64) -> KernelResult<Peak> {
    if !(seconds > 0.0 && seconds <= MAX_SECONDS) {
        return Err(KernelError::value(
            "measurePeakGflops",
            format!("seconds must be in (0, {MAX_SECONDS}], got {seconds}"),
        ));
    }
    let simd = cpu::active();
    let threads = threads::num_threads();
    // One task on this thread sizes the region (and wakes the pool's code paths).
    let start = Instant::now();
    let (_, lanes) = fma_rounds(
        simd,
        TASK_ROUNDS,
        black_box(0.0),
        black_box(1.0),
        black_box(1.0),
    );
    let per_task = start.elapsed().as_secs_f64().max(1e-6);
    let tasks = ((seconds * threads as f64 / per_task).ceil() as usize).max(threads);
    let start = Instant::now();
    threads::run_tasks(tasks, usize::MAX, |_| {
        black_box(fma_rounds(
            simd,
            TASK_ROUNDS,
            black_box(0.0),
            black_box(1.0),
            black_box(1.0),
        ));
    });
    let elapsed = start.elapsed().as_secs_f64().max(1e-9);
    let flops = (tasks * TASK_ROUNDS * CHAINS * lanes * 2) as f64;
    Ok(Peak {
        gflops: flops / elapsed / 1e9,
        threads,
        lanes,
        simd,
    })
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
    fn a_measurement_is_a_positive_rate_on_every_thread() {
        let peak = measure(0.01).expect("measure");
        assert!(peak.gflops.is_finite() && peak.gflops > 0.0, "{peak:?}");
        assert_eq!(peak.threads, threads::num_threads());
        assert_eq!(peak.simd, cpu::active());
    }

    #[test]
    fn out_of_range_durations_are_value_errors() {
        for s in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_SECONDS * 2.0] {
            let err = measure(s).expect_err("should refuse");
            assert!(
                err.to_string().contains("seconds must be in (0, 10]"),
                "{err}"
            );
        }
    }
}
