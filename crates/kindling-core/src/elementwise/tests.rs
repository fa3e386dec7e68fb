//! Every SIMD path against the scalar reference, on awkward lengths and values; PyTorch edge cases;
//! length and code errors; thread-count independence.
use super::kernels;
use super::*;
use crate::codes::{BinaryOp, UnaryOp};
use crate::cpu::{available_paths, Simd};
use crate::test_util::*;

/// Ops whose vector path must give the scalar bits exactly.
const EXACT_UNARY: &[UnaryOp] = &[
    UnaryOp::Neg,
    UnaryOp::Sqrt,
    UnaryOp::Relu,
    UnaryOp::Scale,
    UnaryOp::Log,
    UnaryOp::Pow,
    UnaryOp::Tanh,
    UnaryOp::Abs,
    UnaryOp::Erf,
    UnaryOp::LeakyRelu,
    UnaryOp::Elu,
    UnaryOp::Silu,
    UnaryOp::Gelu,
    UnaryOp::GeluTanh,
    UnaryOp::Hardtanh,
    UnaryOp::Softplus,
    UnaryOp::Sin,
    UnaryOp::Cos,
];

/// The vectorised exp: at most 1 ulp from the scalar (libm) result over its whole range.
const EXP_ULPS: u32 = 1;
/// sigmoid = 1 / (1 + exp(−x)): the rounding of `1 + exp(−x)` for x ≈ −17 turns exp's 1 ulp into
/// up to 4 ulps of the result (measured maximum over a dense sweep of [-104, 89]).
const SIGMOID_ULPS: u32 = 4;

fn max_ulps(op: UnaryOp) -> u32 {
    if op == UnaryOp::Sigmoid {
        SIGMOID_ULPS
    } else {
        EXP_ULPS
    }
}

#[test]
fn binary_paths_match_scalar_bit_for_bit() {
    for &n in LENGTHS {
        let a = data_with_specials(n, 1, -3.0, 3.0);
        let b = data_with_specials(n, 2, -3.0, 3.0);
        for &op in BinaryOp::ALL {
            let mut expected = vec![0f32; n];
            kernels::binary_reference(op, &a, &b, &mut expected);
            for simd in available_paths() {
                let mut out = vec![0f32; n];
                binary_with(simd, op as u32, &a, &b, &mut out).unwrap();
                assert_same(&out, &expected, &format!("binary {op:?} {simd:?} n={n}"));
                for reverse in [false, true] {
                    let mut expected = vec![0f32; n];
                    kernels::binary_scalar_reference(op, &a, 0.75, &mut expected, reverse);
                    binary_scalar_with(simd, op as u32, &a, 0.75, &mut out, reverse).unwrap();
                    assert_same(
                        &out,
                        &expected,
                        &format!("binaryScalar {op:?} rev={reverse} {simd:?} n={n}"),
                    );
                }
            }
        }
    }
}

#[test]
fn unary_paths_match_scalar() {
    for &n in LENGTHS {
        // Wide range so exp over/underflows (incl. subnormal results) and sigmoid saturates.
        let x = data_with_specials(n, 3, -110.0, 95.0);
        for &op in UnaryOp::ALL {
            let mut expected = vec![0f32; n];
            kernels::unary_reference(op, &x, &mut expected, 2.5, 3.5);
            for simd in available_paths() {
                let mut out = vec![0f32; n];
                unary_with(simd, op as u32, &x, &mut out, 2.5, 3.5).unwrap();
                let what = format!("unary {op:?} {simd:?} n={n}");
                if EXACT_UNARY.contains(&op) {
                    assert_same(&out, &expected, &what);
                } else {
                    assert_ulps(&out, &expected, max_ulps(op), &what);
                }
            }
        }
    }
}

#[test]
fn vector_exp_and_sigmoid_stay_within_their_ulps_everywhere() {
    // A dense sweep of the interesting range, plus the over/underflow edges.
    let mut x: Vec<f32> = (0..200_000)
        .map(|i| -115.0 + i as f32 * (205.0 / 200_000.0))
        .collect();
    x.extend([
        88.72, 88.7228, 88.73, -87.3, -103.9, -103.97, -104.5, 0.0, -0.0, 1e-30, -1e-30,
    ]);
    for op in [UnaryOp::Exp, UnaryOp::Sigmoid] {
        let mut expected = vec![0f32; x.len()];
        kernels::unary_reference(op, &x, &mut expected, 0.0, 0.0);
        for simd in available_paths() {
            let mut out = vec![0f32; x.len()];
            unary_with(simd, op as u32, &x, &mut out, 0.0, 0.0).unwrap();
            assert_ulps(&out, &expected, max_ulps(op), &format!("{op:?} {simd:?}"));
        }
    }
}

#[test]
fn unary_backward_paths_match_scalar_bit_for_bit() {
    for &n in LENGTHS {
        let g = data_with_specials(n, 4, -2.0, 2.0);
        let x = data_with_specials(n, 5, -2.0, 2.0);
        for &op in UnaryOp::ALL {
            let mut y = vec![0f32; n];
            kernels::unary_reference(op, &x, &mut y, 3.0, 4.0);
            let mut expected = vec![0f32; n];
            kernels::unary_backward_reference(op, &g, &x, &y, &mut expected, 3.0, 4.0);
            for simd in available_paths() {
                let mut out = vec![0f32; n];
                unary_backward_with(simd, op as u32, &g, &x, &y, &mut out, 3.0, 4.0).unwrap();
                assert_same(
                    &out,
                    &expected,
                    &format!("unaryBackward {op:?} {simd:?} n={n}"),
                );
            }
        }
    }
}

/// The in-place backward gives the out-of-place one's bits, across block and chunk boundaries.
#[test]
fn unary_backward_inplace_matches_out_of_place_bit_for_bit() {
    for n in LENGTHS
        .iter()
        .copied()
        .chain([1023, 1024, 1025, 3 * 1024 + 7, 70_001])
    {
        let g = data_with_specials(n, 6, -2.0, 2.0);
        let x = data_with_specials(n, 7, -2.0, 2.0);
        for &op in UnaryOp::ALL {
            let mut y = vec![0f32; n];
            kernels::unary_reference(op, &x, &mut y, 3.0, 4.0);
            for simd in available_paths() {
                let mut expected = vec![0f32; n];
                unary_backward_with(simd, op as u32, &g, &x, &y, &mut expected, 3.0, 4.0).unwrap();
                let mut grad = g.clone();
                unary_backward_inplace_with(simd, op as u32, &mut grad, &x, &y, 3.0, 4.0).unwrap();
                assert_same(
                    &grad,
                    &expected,
                    &format!("unaryBackwardInplace {op:?} {simd:?} n={n}"),
                );
            }
        }
    }
    // The input the formula reads is checked as in the out-of-place call.
    let mut grad = vec![1f32; 6];
    let err = unary_backward_inplace(UnaryOp::Relu as u32, &mut grad, &[], &[0.0; 5], 0.0, 0.0)
        .unwrap_err();
    assert!(
        err.to_string().contains("unaryBackwardInplace") && err.to_string().contains("y"),
        "{err}"
    );
}

/// GELU with its derivative: the output is `unary`'s `Gelu` and `gradOut · deriv` (through
/// `mul_inplace`) is `unaryBackward`'s `Gelu`, bit for bit, on every path (specials included,
/// across vector tails and thread chunks); wrong lengths are typed errors.
#[test]
fn gelu_with_derivative_matches_unary_and_its_backward_bit_for_bit() {
    for n in LENGTHS.iter().copied().chain([1023, 1025, 70_001]) {
        let g = data_with_specials(n, 8, -2.0, 2.0);
        let mut x = data_with_specials(n, 9, -6.0, 6.0);
        for (i, v) in [
            -30.0,
            -9.0,
            -0.5,
            0.3,
            8.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ]
        .iter()
        .enumerate()
        {
            if i < n {
                x[n - 1 - i] = *v;
            }
        }
        for simd in available_paths() {
            let mut y = vec![0f32; n];
            unary_with(simd, UnaryOp::Gelu as u32, &x, &mut y, 0.0, 0.0).unwrap();
            let mut grad_in = vec![0f32; n];
            unary_backward_with(
                simd,
                UnaryOp::Gelu as u32,
                &g,
                &x,
                &[],
                &mut grad_in,
                0.0,
                0.0,
            )
            .unwrap();
            let (mut out, mut deriv) = (vec![0f32; n], vec![0f32; n]);
            gelu_with_derivative_with(simd, &x, &mut out, &mut deriv).unwrap();
            assert_same(&out, &y, &format!("geluWithDerivative out {simd:?} n={n}"));
            let mut grad = g.clone();
            mul_inplace_with(simd, &mut grad, &deriv).unwrap();
            assert_same(
                &grad,
                &grad_in,
                &format!("mulInplace · deriv {simd:?} n={n}"),
            );
        }
    }
    let err = gelu_with_derivative(&[0.0; 4], &mut [0.0; 4], &mut [0.0; 3]).unwrap_err();
    assert!(
        err.to_string()
            .contains("geluWithDerivative: deriv has 3 elements, expected 4"),
        "{err}"
    );
    let err = mul_inplace(&mut [0.0; 4], &[0.0; 5]).unwrap_err();
    assert!(
        err.to_string()
            .contains("mulInplace: factor has 5 elements, expected 4"),
        "{err}"
    );
}

#[test]
fn pytorch_edge_cases() {
    let x = [-0.0f32, 0.0, f32::NAN, -1.0, 2.0, f32::NEG_INFINITY];
    let run = |op: UnaryOp, p: f32| {
        let mut out = [0f32; 6];
        unary(op as u32, &x, &mut out, p, 0.0).unwrap();
        out
    };
    // torch.relu keeps -0 and NaN.
    assert_same(
        &run(UnaryOp::Relu, 0.0),
        &[-0.0, 0.0, f32::NAN, 0.0, 2.0, 0.0],
        "relu",
    );
    // torch.pow(x, 0.5) is sqrt (sqrt(-0) = -0, sqrt(-inf) = NaN); x ** -0.5 is rsqrt; x ** 0 is 1.
    assert_same(
        &run(UnaryOp::Pow, 0.5),
        &[-0.0, 0.0, f32::NAN, f32::NAN, 2f32.sqrt(), f32::NAN],
        "pow 0.5",
    );
    let rsqrt = [
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NAN,
        f32::NAN,
        1.0 / 2f32.sqrt(),
        f32::NAN,
    ];
    assert_same(&run(UnaryOp::Pow, -0.5), &rsqrt, "pow -0.5");
    assert_same(&run(UnaryOp::Pow, 0.0), &[1.0; 6], "pow 0");
    // Relu's gradient passes through at NaN and is 0 at ±0 (threshold_backward on the output).
    let y = run(UnaryOp::Relu, 0.0);
    let mut gi = [0f32; 6];
    unary_backward(UnaryOp::Relu as u32, &[1.0; 6], &[], &y, &mut gi, 0.0, 0.0).unwrap();
    assert_same(&gi, &[0.0, 0.0, 1.0, 0.0, 1.0, 0.0], "relu backward");
    // abs backward is sgn(x): 0 at ±0 and NaN.
    unary_backward(UnaryOp::Abs as u32, &[1.0; 6], &x, &[], &mut gi, 0.0, 0.0).unwrap();
    assert_same(&gi, &[0.0, 0.0, 0.0, -1.0, 1.0, -1.0], "abs backward");
    // pow backward with exponent 0 is 0 everywhere (even at NaN).
    unary_backward(UnaryOp::Pow as u32, &[1.0; 6], &x, &[], &mut gi, 0.0, 0.0).unwrap();
    assert_same(&gi, &[0.0; 6], "pow 0 backward");
    // maximum/minimum propagate NaN from either side.
    let mut out = [0f32; 2];
    binary(
        BinaryOp::Maximum as u32,
        &[f32::NAN, 1.0],
        &[1.0, f32::NAN],
        &mut out,
    )
    .unwrap();
    assert!(out.iter().all(|v| v.is_nan()));
    // `3 / x` is PyTorch's `reciprocal(x) * 3` (torch: 3 / torch.tensor([1.6093307733535767])),
    // not the correctly rounded quotient 1.8641289.
    let mut q = [0f32];
    binary_scalar(BinaryOp::Div as u32, &[1.609_330_8], 3.0, &mut q, true).unwrap();
    assert_eq!(q[0], 1.864_128_8);
    // pow with a negative base and non-integer exponent is NaN; with an integer exponent it is not.
    binary(BinaryOp::Pow as u32, &[-2.0, -2.0], &[0.5, 3.0], &mut out).unwrap();
    assert!(out[0].is_nan());
    assert_eq!(out[1], -8.0);
}

/// `sin`/`cos` against f64 `sin`/`cos` rounded once: within 1 ulp (libm's sinf/cosf, as PyTorch's
/// Sleef `_u10` kernels, are faithfully rounded) on a grid that includes large arguments, where
/// the argument reduction is hard; their derivatives are `g·cos(x)` and `−g·sin(x)`.
#[test]
fn sin_cos_match_f64_within_one_ulp_and_differentiate() {
    let mut x: Vec<f32> = (0..20_001).map(|i| -100.0 + i as f32 * 0.01).collect();
    x.extend([1e4, -1e4, 1e6, 3.0e7, 1.0e-20, 1.5707964, 3.1415927]);
    let g: Vec<f32> = (0..x.len()).map(|i| 0.5 + (i % 7) as f32 * 0.25).collect();
    let refs: [(UnaryOp, fn(f64) -> f64, fn(f64) -> f64); 2] = [
        (UnaryOp::Sin, f64::sin, |v| v.cos()),
        (UnaryOp::Cos, f64::cos, |v| -v.sin()),
    ];
    for (op, f, df) in refs {
        let mut y = vec![0f32; x.len()];
        unary(op as u32, &x, &mut y, 0.0, 0.0).unwrap();
        let want: Vec<f32> = x.iter().map(|&v| f(v as f64) as f32).collect();
        assert_ulps(&y, &want, 1, &format!("{op:?}"));
        let mut dx = vec![0f32; x.len()];
        unary_backward(op as u32, &g, &x, &[], &mut dx, 0.0, 0.0).unwrap();
        // g · c with c within 1 ulp of f32(df(x)): g ∈ [0.5, 2] scales that ulp by up to 2 ulps of
        // the product, plus its rounding: 3 ulps.
        let want: Vec<f32> = x
            .iter()
            .zip(&g)
            .map(|(&v, &gv)| (gv as f64 * df(v as f64) as f32 as f64) as f32)
            .collect();
        assert_ulps(&dx, &want, 3, &format!("{op:?} backward"));
    }
}

#[test]
fn sin_cos_edges_follow_pytorch() {
    // torch.sin/cos of [-0., 0., nan, inf, -inf]: sin keeps the sign of zero; ±inf give NaN.
    let x = [-0.0f32, 0.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
    let mut y = [0f32; 5];
    unary(UnaryOp::Sin as u32, &x, &mut y, 0.0, 0.0).unwrap();
    assert_same(&y, &[-0.0, 0.0, f32::NAN, f32::NAN, f32::NAN], "sin");
    unary(UnaryOp::Cos as u32, &x, &mut y, 0.0, 0.0).unwrap();
    assert_same(&y, &[1.0, 1.0, f32::NAN, f32::NAN, f32::NAN], "cos");
    // The backward reads x (a y buffer of the wrong length is refused, an empty one accepted).
    let err = unary_backward(
        UnaryOp::Sin as u32,
        &[1.0; 5],
        &[],
        &y,
        &mut [0.0; 5],
        0.0,
        0.0,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unaryBackward: x has 0 elements, expected 5 (Sin backward reads it)"
    );
    let mut gi = [0f32; 5];
    unary_backward(UnaryOp::Cos as u32, &[1.0; 5], &x, &[], &mut gi, 0.0, 0.0).unwrap();
    // d cos = −sin: +0 at −0, −0 at +0.
    assert_same(
        &gi,
        &[0.0, -0.0, f32::NAN, f32::NAN, f32::NAN],
        "cos backward",
    );
}

#[test]
fn broadcast_matches_an_explicit_loop_on_every_path() {
    // a: [5, 1, 7] broadcast to [5, 3, 7]; b: [3, 1] (as [1, 3, 1]) → strides per output dim.
    let shape = [5u32, 3, 7];
    let a = data_with_specials(35, 6, -2.0, 2.0);
    let b = data(3, 7, 0.5, 2.0);
    let (sa, sb) = ([7u32, 0, 1], [0u32, 1, 0]);
    for &op in BinaryOp::ALL {
        let mut expected = vec![0f32; 105];
        for i in 0..5 {
            for j in 0..3 {
                for k in 0..7 {
                    expected[(i * 3 + j) * 7 + k] = math::binary(op, a[i * 7 + k], b[j]);
                }
            }
        }
        for simd in available_paths() {
            let mut out = vec![0f32; 105];
            broadcast::binary_broadcast_with(simd, op as u32, &a, &sa, &b, &sb, &shape, &mut out)
                .unwrap();
            assert_same(&out, &expected, &format!("broadcast {op:?} {simd:?}"));
            // The same with the operands swapped exercises the scalar-on-the-left runs.
            let mut swapped = vec![0f32; 105];
            broadcast::binary_broadcast_with(
                simd,
                op as u32,
                &b,
                &sb,
                &a,
                &sa,
                &shape,
                &mut swapped,
            )
            .unwrap();
            let mut expected_swapped = vec![0f32; 105];
            for (p, e) in expected_swapped.iter_mut().enumerate() {
                let (i, j, k) = (p / 21, (p / 7) % 3, p % 7);
                *e = math::binary(op, b[j], a[i * 7 + k]);
            }
            assert_same(
                &swapped,
                &expected_swapped,
                &format!("broadcast swapped {op:?} {simd:?}"),
            );
        }
    }
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let n = 300_001;
    let a = data(n, 8, -3.0, 3.0);
    let b = data(n, 9, -3.0, 3.0);
    let (one, two) = at_1_and_2_threads(|| {
        let mut outs = vec![vec![0f32; n]; 3];
        binary(BinaryOp::Mul as u32, &a, &b, &mut outs[0]).unwrap();
        unary(UnaryOp::Exp as u32, &a, &mut outs[1], 0.0, 0.0).unwrap();
        let shape = [1000u32, 300];
        binary_broadcast(
            BinaryOp::Add as u32,
            &a,
            &[300, 1],
            &b[..300],
            &[0, 1],
            &shape,
            &mut outs[2][..300_000],
        )
        .unwrap();
        outs
    });
    for (x, y) in one.iter().zip(&two) {
        assert_same(x, y, "1 vs 2 threads");
    }
}

#[test]
fn errors_name_op_buffer_and_lengths() {
    let err = binary(0, &[1.0; 3], &[1.0; 2], &mut [0.0; 3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "binary: b has 2 elements, expected 3 (same length as a)"
    );
    let err = unary(20, &[1.0], &mut [0.0], 0.0, 0.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unary: unknown UnaryOp code 20 (expected 0..=19)"
    );
    let err = unary_backward(
        UnaryOp::Log as u32,
        &[1.0; 3],
        &[1.0; 2],
        &[],
        &mut [0.0; 3],
        0.0,
        0.0,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unaryBackward: x has 2 elements, expected 3 (Log backward reads it)"
    );
    let err = unary_backward(
        UnaryOp::Neg as u32,
        &[1.0; 3],
        &[1.0; 2],
        &[],
        &mut [0.0; 3],
        0.0,
        0.0,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unaryBackward: x has 2 elements, expected 3 or 0 (same length as gradOut)"
    );
    let err =
        binary_broadcast(0, &[1.0; 4], &[1], &[1.0], &[0], &[4, 1], &mut [0.0; 4]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "binaryBroadcast: a strides [1] have 1 entries, expected 2 (one per dimension of shape [4, 1])"
    );
    let _: Simd = Simd::Scalar;
}
