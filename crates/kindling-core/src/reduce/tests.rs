//! Reductions: fixed-order sums identical on every path and thread count, PyTorch's NaN/tie rules.
use super::*;
use crate::cpu::available_paths;
use crate::test_util::*;

#[test]
fn row_sums_are_bit_identical_on_every_path_and_accurate() {
    for &n in LENGTHS {
        let x = data(n, 11, -1.0, 1.0);
        let expected = crate::simd::sum_f64(&x);
        let exact: f64 = x.iter().map(|&v| v as f64).sum();
        assert!(
            (expected - exact).abs() <= 1e-12 * n as f64,
            "n={n}: {expected} vs {exact}"
        );
        for simd in available_paths() {
            assert_eq!(
                sum::row_sum(simd, &x).to_bits(),
                expected.to_bits(),
                "{simd:?} n={n}"
            );
        }
    }
}

#[test]
fn column_sums_are_bit_identical_on_every_path() {
    for (dim, inner) in [(1, 2), (7, 5), (33, 300), (64, 1000)] {
        let x = data(dim * inner, 14, -1.0, 1.0);
        let mut expected = vec![0f32; inner];
        sum::column_sums_reference(&x, dim, inner, &mut expected);
        for simd in available_paths() {
            let mut out = vec![0f32; inner];
            sum::sum_block(simd, &x, dim, inner, &mut out);
            assert_same(
                &out,
                &expected,
                &format!("{simd:?} dim={dim} inner={inner}"),
            );
        }
    }
}

#[test]
fn reduce_matches_naive_loops_on_every_path() {
    for (outer, dim, inner) in [
        (3, 17, 1),
        (2, 1021, 1),
        (4, 7, 5),
        (1, 33, 300),
        (5, 1, 3),
        (1, 16, 1),
    ] {
        let x = data(outer * dim * inner, 12, -4.0, 4.0);
        for &op in ReduceOp::ALL {
            let mut expected = vec![0f32; outer * inner];
            for o in 0..outer {
                for i in 0..inner {
                    let line = (0..dim).map(|d| x[(o * dim + d) * inner + i]);
                    expected[o * inner + i] = match op {
                        ReduceOp::Sum => line.map(|v| v as f64).sum::<f64>() as f32,
                        ReduceOp::Mean => line.map(|v| v as f64).sum::<f64>() as f32 / dim as f32,
                        ReduceOp::Max => line.fold(f32::NEG_INFINITY, f32::max),
                        ReduceOp::Min => line.fold(f32::INFINITY, f32::min),
                    };
                }
            }
            for simd in available_paths() {
                let mut out = vec![0f32; outer * inner];
                reduce_with(
                    simd,
                    op as u32,
                    &x,
                    outer as u32,
                    dim as u32,
                    inner as u32,
                    &mut out,
                )
                .unwrap();
                let what = format!("{op:?} {simd:?} ({outer}, {dim}, {inner})");
                // The blocked f64 order can differ from the sequential one in the last f64 bits only.
                assert_close(&out, &expected, 1e-7, 1e-7, &what);
            }
        }
    }
}

#[test]
fn max_min_and_arg_follow_torch() {
    // torch.tensor([[1., 5., 5.], [1., nan, 3.], [nan, 2., nan]]).max(1) → [5, nan, nan], [1, 1, 0]
    let x = [1.0, 5.0, 5.0, 1.0, f32::NAN, 3.0, f32::NAN, 2.0, f32::NAN];
    let (mut values, mut indices) = ([0f32; 3], [0i32; 3]);
    reduce_arg(
        ArgReduceOp::Max as u32,
        &x,
        3,
        3,
        1,
        &mut values,
        &mut indices,
    )
    .unwrap();
    assert_same(&values, &[5.0, f32::NAN, f32::NAN], "max values");
    assert_eq!(indices, [1, 1, 0]);
    reduce_arg(
        ArgReduceOp::Min as u32,
        &x,
        3,
        3,
        1,
        &mut values,
        &mut indices,
    )
    .unwrap();
    assert_same(&values, &[1.0, f32::NAN, f32::NAN], "min values");
    assert_eq!(indices, [0, 1, 0]);
    // Over dim 0 of a 3×3 (inner = 3): columns [1, 1, nan], [5, nan, 2], [5, 3, nan].
    reduce_arg(
        ArgReduceOp::Min as u32,
        &x,
        1,
        3,
        3,
        &mut values,
        &mut indices,
    )
    .unwrap();
    assert_same(&values, &[f32::NAN, f32::NAN, f32::NAN], "min over dim 0");
    assert_eq!(indices, [2, 1, 2]);
    let mut out = [0f32; 3];
    reduce(ReduceOp::Max as u32, &x, 3, 3, 1, &mut out).unwrap();
    assert_same(&out, &[5.0, f32::NAN, f32::NAN], "reduce max");
}

#[test]
fn empty_dimension() {
    let mut out = [7f32; 2];
    reduce(ReduceOp::Sum as u32, &[], 2, 0, 1, &mut out).unwrap();
    assert_eq!(out, [0.0, 0.0]);
    reduce(ReduceOp::Mean as u32, &[], 2, 0, 1, &mut out).unwrap();
    assert!(out.iter().all(|v| v.is_nan()));
    let err = reduce(ReduceOp::Max as u32, &[], 2, 0, 1, &mut out).unwrap_err();
    assert_eq!(
        err.to_string(),
        "reduce: cannot take the max of an empty dimension (outer=2, dim=0, inner=1)"
    );
}

#[test]
fn errors_name_buffers_and_view() {
    let err = reduce(0, &[0.0; 6], 2, 2, 2, &mut [0.0; 4]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "reduce: x has 6 elements, expected 8 (outer=2, dim=2, inner=2)"
    );
    let err = reduce(0, &[0.0; 8], 2, 2, 2, &mut [0.0; 3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "reduce: out has 3 elements, expected 4 (outer=2, dim=2, inner=2)"
    );
    let err = reduce_arg(0, &[0.0; 8], 2, 2, 2, &mut [0.0; 4], &mut [0; 3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "reduceArg: indices has 3 elements, expected 4 (outer=2, dim=2, inner=2)"
    );
    let err = reduce(4, &[0.0; 8], 2, 2, 2, &mut [0.0; 4]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "reduce: unknown ReduceOp code 4 (expected 0..=3)"
    );
}

#[test]
fn sums_do_not_depend_on_thread_count() {
    let x = data(1 << 20, 13, -1.0, 1.0);
    let (one, two) = at_1_and_2_threads(|| {
        let mut rows = vec![0f32; 256];
        reduce(ReduceOp::Sum as u32, &x, 256, 4096, 1, &mut rows).unwrap();
        let mut cols = vec![0f32; 1024];
        reduce(ReduceOp::Mean as u32, &x, 1, 1024, 1024, &mut cols).unwrap();
        let mut all = vec![0f32; 1];
        reduce(ReduceOp::Sum as u32, &x, 1, 1 << 20, 1, &mut all).unwrap();
        [rows, cols, all]
    });
    for (a, b) in one.iter().zip(&two) {
        assert_same(a, b, "1 vs 2 threads");
    }
}
