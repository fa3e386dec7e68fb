//! Softmax: SIMD rows against the scalar reference, stability, strided (inner > 1) layout,
//! backward against finite differences, thread-count independence.
use super::*;
use crate::cpu::available_paths;
use crate::test_util::*;

/// Vector rows differ from the scalar reference by exp's 1 ulp and the f32 lane sums of exp.
const RTOL: f32 = 2e-6;

#[test]
fn rows_match_scalar_on_every_path() {
    for &c in LENGTHS.iter().filter(|&&c| c > 0 && c < 5000) {
        let x = data(3 * c, 21, -30.0, 30.0);
        for log in [false, true] {
            let mut expected = vec![0f32; 3 * c];
            softmax_with(Simd::Scalar, &x, 3, c as u32, 1, &mut expected, log).unwrap();
            for simd in available_paths() {
                let mut out = vec![0f32; 3 * c];
                softmax_with(simd, &x, 3, c as u32, 1, &mut out, log).unwrap();
                assert_close(
                    &out,
                    &expected,
                    RTOL,
                    1e-30,
                    &format!("log={log} {simd:?} c={c}"),
                );
            }
        }
    }
}

#[test]
fn backward_rows_are_bit_identical_on_every_path() {
    for &c in LENGTHS.iter().filter(|&&c| c > 0 && c < 5000) {
        let y = data(2 * c, 26, 0.0, 1.0);
        let g = data(2 * c, 27, -1.0, 1.0);
        for log in [false, true] {
            let mut expected = vec![0f32; 2 * c];
            softmax_backward_with(Simd::Scalar, &g, &y, 2, c as u32, 1, &mut expected, log)
                .unwrap();
            for simd in available_paths() {
                let mut out = vec![0f32; 2 * c];
                softmax_backward_with(simd, &g, &y, 2, c as u32, 1, &mut out, log).unwrap();
                assert_same(&out, &expected, &format!("log={log} {simd:?} c={c}"));
            }
        }
    }
}

#[test]
fn stable_for_huge_logits_and_propagates_nan() {
    for simd in available_paths() {
        let x = [1000.0, 1000.0, f32::NEG_INFINITY, 990.0];
        let mut out = [0f32; 4];
        softmax_with(simd, &x, 1, 4, 1, &mut out, false).unwrap();
        let e = (-10f32).exp();
        assert_close(
            &out,
            &[1.0 / (2.0 + e), 1.0 / (2.0 + e), 0.0, e / (2.0 + e)],
            1e-6,
            0.0,
            "softmax",
        );
        softmax_with(simd, &x, 1, 4, 1, &mut out, true).unwrap();
        assert_eq!(out[2], f32::NEG_INFINITY);
        let nan_row: Vec<f32> = (0..19)
            .map(|i| if i == 11 { f32::NAN } else { i as f32 })
            .collect();
        let mut out = vec![0f32; 19];
        softmax_with(simd, &nan_row, 1, 19, 1, &mut out, false).unwrap();
        assert!(out.iter().all(|v| v.is_nan()), "{simd:?}");
    }
}

#[test]
fn strided_layout_equals_rows_of_the_transpose() {
    // x viewed as (outer=2, dim=5, inner=3): softmax over dim equals the row softmax of the
    // transposed (2·3 rows of 5).
    let (outer, dim, inner) = (2usize, 5usize, 3usize);
    let x = data(outer * dim * inner, 22, -5.0, 5.0);
    let mut rows = vec![0f32; x.len()];
    for o in 0..outer {
        for i in 0..inner {
            for d in 0..dim {
                rows[(o * inner + i) * dim + d] = x[(o * dim + d) * inner + i];
            }
        }
    }
    for log in [false, true] {
        let mut strided = vec![0f32; x.len()];
        softmax(
            &x,
            outer as u32,
            dim as u32,
            inner as u32,
            &mut strided,
            log,
        )
        .unwrap();
        let mut by_rows = vec![0f32; x.len()];
        softmax_with(
            Simd::Scalar,
            &rows,
            (outer * inner) as u32,
            dim as u32,
            1,
            &mut by_rows,
            log,
        )
        .unwrap();
        for o in 0..outer {
            for i in 0..inner {
                for d in 0..dim {
                    let (a, b) = (
                        strided[(o * dim + d) * inner + i],
                        by_rows[(o * inner + i) * dim + d],
                    );
                    assert!(
                        (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                        "log={log}: {a} vs {b}"
                    );
                }
            }
        }
    }
}

#[test]
fn backward_matches_finite_differences() {
    for (outer, dim, inner) in [(2usize, 7usize, 1usize), (2, 4, 3)] {
        let x: Vec<f64> = data(outer * dim * inner, 23, -2.0, 2.0)
            .iter()
            .map(|&v| v as f64)
            .collect();
        let g = data(x.len(), 24, -1.0, 1.0);
        for log in [false, true] {
            // Reference softmax in f64; the loss is Σ g·y, whose gradient is the backward of g.
            let f = |x: &[f64]| -> f64 {
                let mut total = 0.0;
                for o in 0..outer {
                    for i in 0..inner {
                        let idx = |d: usize| (o * dim + d) * inner + i;
                        let m = (0..dim)
                            .map(|d| x[idx(d)])
                            .fold(f64::NEG_INFINITY, f64::max);
                        let s: f64 = (0..dim).map(|d| (x[idx(d)] - m).exp()).sum();
                        for d in 0..dim {
                            let y = if log {
                                x[idx(d)] - m - s.ln()
                            } else {
                                (x[idx(d)] - m).exp() / s
                            };
                            total += g[idx(d)] as f64 * y;
                        }
                    }
                }
                total
            };
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let mut y = vec![0f32; x.len()];
            softmax(&x32, outer as u32, dim as u32, inner as u32, &mut y, log).unwrap();
            let mut gi = vec![0f32; x.len()];
            softmax_backward(&g, &y, outer as u32, dim as u32, inner as u32, &mut gi, log).unwrap();
            for j in 0..x.len() {
                let (mut hi, mut lo) = (x.clone(), x.clone());
                hi[j] += 1e-6;
                lo[j] -= 1e-6;
                let numeric = (f(&hi) - f(&lo)) / 2e-6;
                assert!(
                    (gi[j] as f64 - numeric).abs() < 1e-5,
                    "log={log} j={j}: {} vs {numeric}",
                    gi[j]
                );
            }
        }
    }
}

#[test]
fn rows_do_not_depend_on_thread_count() {
    let x = data(512 * 1000, 25, -10.0, 10.0);
    let (one, two) = at_1_and_2_threads(|| {
        let mut y = vec![0f32; x.len()];
        softmax(&x, 512, 1000, 1, &mut y, false).unwrap();
        let mut gi = vec![0f32; x.len()];
        softmax_backward(&x, &y, 512, 1000, 1, &mut gi, false).unwrap();
        [y, gi]
    });
    for (a, b) in one.iter().zip(&two) {
        assert_same(a, b, "1 vs 2 threads");
    }
}

#[test]
fn errors_name_buffers() {
    let err = softmax(&[0.0; 6], 2, 3, 1, &mut [0.0; 5], false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "softmax: out has 5 elements, expected 6 (outer=2, dim=3, inner=1)"
    );
    let err = softmax_backward(&[0.0; 6], &[0.0; 5], 2, 3, 1, &mut [0.0; 6], false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "softmaxBackward: y has 5 elements, expected 6 (outer=2, dim=3, inner=1)"
    );
}
