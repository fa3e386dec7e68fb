//! Timing of kindling's sgemm beside ndarray's `general_mat_mul` (matrixmultiply), the baseline the
//! packed path was measured against. Ignored by default; run with
//! `cargo test -p kindling-core --release gemm::baseline -- --ignored --nocapture`.
use super::*;
use std::time::Instant;

fn best_of(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
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
    for &(label, ta, tb, m, n, k, reps) in shapes {
        let a: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 * 0.1).collect();
        let bias: Vec<f32> = vec![0.5; n];
        let mut c = vec![0f32; m * n];
        let flops = 2.0 * (m * n * k) as f64;
        let mut line = format!("{label:<24}");
        for t in [1, 2] {
            threads::set_num_threads(t).unwrap();
            let secs = best_of(reps, || {
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
        let secs = best_of(reps, || general_mat_mul(1.0, &av, &bv, 0.0, &mut cv));
        line += &format!(
            " | matrixmultiply {:>9.2} us {:>6.1} GF",
            secs * 1e6,
            flops / secs / 1e9
        );
        println!("{line}");
    }
    threads::set_num_threads(threads_before).unwrap();
}
