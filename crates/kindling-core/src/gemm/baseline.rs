//! Timing of kindling's sgemm beside ndarray's `general_mat_mul` (matrixmultiply), the baseline the
//! packed path was measured against. Ignored by default; run with
//! `cargo test -p kindling-core --release gemm::baseline -- --ignored --nocapture`.
use super::*;
use std::time::Instant;

/// This thread's CPU time in seconds: on a machine shared with other jobs, time spent descheduled
/// is not the kernel's (single-thread measurements only; the pool's threads are not counted).
#[cfg(target_os = "linux")]
fn thread_cpu_seconds() -> f64 {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: a valid out-pointer; the call only writes it.
    unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.sec as f64 + ts.nsec as f64 * 1e-9
}

/// Best (wall, thread-CPU) seconds of `reps` runs after a warm-up.
fn best_of(reps: usize, mut f: impl FnMut()) -> (f64, f64) {
    f();
    let (mut wall, mut cpu) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..reps {
        let t = Instant::now();
        #[cfg(target_os = "linux")]
        let c = thread_cpu_seconds();
        f();
        wall = wall.min(t.elapsed().as_secs_f64());
        #[cfg(target_os = "linux")]
        {
            cpu = cpu.min(thread_cpu_seconds() - c);
        }
    }
    (wall, cpu)
}

#[test]
#[ignore]
fn kindling_vs_matrixmultiply() {
    use ndarray::linalg::general_mat_mul;
    use ndarray::ArrayView2;
    let shapes: &[(&str, bool, bool, usize, usize, usize, usize)] = &[
        ("fwd 10x784x64 +bias tB", false, true, 10, 64, 784, 2000),
        ("dW 64x784 (10) tA", true, false, 64, 784, 10, 2000),
        ("dX 10x784 (64)", false, false, 10, 784, 64, 2000),
        ("256x784x1024", false, false, 256, 1024, 784, 10),
        ("512^3", false, false, 512, 512, 512, 10),
        ("1024^3", false, false, 1024, 1024, 1024, 5),
        ("2048^3", false, false, 2048, 2048, 2048, 2),
    ];
    let threads_before = threads::num_threads();
    let only = std::env::var("GEMM_SHAPES").unwrap_or_default();
    for &(label, ta, tb, m, n, k, reps) in shapes {
        if !only.is_empty() && !only.split(',').any(|s| label.contains(s)) {
            continue;
        }
        let a: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 * 0.1).collect();
        let bias: Vec<f32> = vec![0.5; n];
        let mut c = vec![0f32; m * n];
        let flops = 2.0 * (m * n * k) as f64;
        let mut line = format!("{label:<24}");
        for t in [1, 2] {
            threads::set_num_threads(t).unwrap();
            let (secs, cpu) = best_of(reps, || {
                sgemm(
                    ta,
                    tb,
                    m,
                    n,
                    k,
                    1.0,
                    &a,
                    &b,
                    0.0,
                    &mut c,
                    if tb { Some(&bias) } else { None },
                )
                .unwrap()
            });
            line += &format!(
                " | kindling {t}T {:>9.2} us {:>6.1} GF",
                secs * 1e6,
                flops / secs / 1e9
            );
            if t == 1 {
                line += &format!(" (cpu {:>6.1} GF)", flops / cpu / 1e9);
            }
        }
        let av = if ta {
            ArrayView2::from_shape((k, m), &a).unwrap().reversed_axes()
        } else {
            ArrayView2::from_shape((m, k), &a).unwrap()
        };
        let bv = if tb {
            ArrayView2::from_shape((n, k), &b).unwrap().reversed_axes()
        } else {
            ArrayView2::from_shape((k, n), &b).unwrap()
        };
        let mut cv = ndarray::Array2::<f32>::zeros((m, n));
        let (secs, cpu) = best_of(reps, || general_mat_mul(1.0, &av, &bv, 0.0, &mut cv));
        line += &format!(
            " | matrixmultiply {:>9.2} us {:>6.1} GF (cpu {:>6.1} GF)",
            secs * 1e6,
            flops / secs / 1e9,
            flops / cpu / 1e9
        );
        println!("{line}");
    }
    threads::set_num_threads(threads_before).unwrap();
}

/// Runs one shape many times, for `perf stat` (cycles are counted only while the thread runs, so
/// they stay meaningful on a shared machine): `GEMM_PERF="m,n,k,transA,transB,reps"`.
#[test]
#[ignore]
fn perf_loop() {
    let spec = std::env::var("GEMM_PERF").unwrap_or_else(|_| "10,64,784,0,1,100000".into());
    let v: Vec<usize> = spec.split(',').map(|s| s.trim().parse().unwrap()).collect();
    let (m, n, k, ta, tb, reps) = (v[0], v[1], v[2], v[3] == 1, v[4] == 1, v[5]);
    let a: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 * 0.1).collect();
    let bias = vec![0.5f32; n];
    let mut c = vec![0f32; m * n];
    for _ in 0..reps {
        sgemm(ta, tb, m, n, k, 1.0, &a, &b, 0.0, &mut c, Some(&bias)).unwrap();
    }
    assert!(c[0].is_finite());
}

/// Best-of timings of kindling alone (no matrixmultiply), for A/B comparisons of kernel changes
/// run alternately: `GEMM_BEST="m,n,k,transA,transB,threads,reps;..."`.
#[test]
#[ignore]
fn best_loop() {
    let spec = std::env::var("GEMM_BEST").unwrap_or_else(|_| "1024,1024,1024,0,0,1,5".into());
    let threads_before = threads::num_threads();
    for shape in spec.split(';') {
        let v: Vec<usize> = shape
            .split(',')
            .map(|s| s.trim().parse().unwrap())
            .collect();
        let (m, n, k, ta, tb, t, reps) = (v[0], v[1], v[2], v[3] == 1, v[4] == 1, v[5], v[6]);
        let a: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 * 0.1).collect();
        let bias = vec![0.5f32; n];
        let mut c = vec![0f32; m * n];
        threads::set_num_threads(t).unwrap();
        let bias = if tb { Some(&bias[..]) } else { None };
        let (secs, cpu) = best_of(reps, || {
            sgemm(ta, tb, m, n, k, 1.0, &a, &b, 0.0, &mut c, bias).unwrap()
        });
        let flops = 2.0 * (m * n * k) as f64;
        println!(
            "BEST {m}x{n}x{k} tA={ta} tB={tb} {t}T {:>10.2} us {:>6.1} GF (calling thread's cpu {:>6.1} GF)",
            secs * 1e6,
            flops / secs / 1e9,
            flops / cpu / 1e9
        );
    }
    threads::set_num_threads(threads_before).unwrap();
}
