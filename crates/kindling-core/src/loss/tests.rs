//! Losses: PyTorch values (the snippet is in each test), SIMD paths against the scalar reference,
//! gradients against finite differences, thread-count independence, error wording.
#![allow(clippy::excessive_precision)] // PyTorch's printed values, kept verbatim.
use super::*;
use crate::cpu::{available_paths, Simd};
use crate::test_util::*;

// z = torch.tensor([[1., 2., 3., .5], [-1., 0., 4., 2.], [.3, .2, .1, 0.]], requires_grad=True)
// t = torch.tensor([2, 0, 3]); w = torch.tensor([1., 2., .5, 3.])
const Z: [f32; 12] = [1.0, 2.0, 3.0, 0.5, -1.0, 0.0, 4.0, 2.0, 0.3, 0.2, 0.1, 0.0];
const T: [i32; 3] = [2, 0, 3];
const W: [f32; 4] = [1.0, 2.0, 0.5, 3.0];

#[allow(clippy::too_many_arguments)]
fn ce(
    simd: Simd,
    z: &[f32],
    n: usize,
    t: &[i32],
    w: Option<&[f32]>,
    ignore: i32,
    eps: f32,
    red: Reduction,
) -> (Vec<f32>, Vec<f32>) {
    let c = z.len() / n.max(1);
    let mut loss = vec![0f32; if red == Reduction::None { n } else { 1 }];
    let mut grad = vec![0f32; z.len()];
    cross_entropy_with(
        simd, z, n as u32, c as u32, t, w, ignore, eps, red as u32, &mut loss, &mut grad,
    )
    .unwrap();
    (loss, grad)
}

#[test]
fn cross_entropy_matches_pytorch() {
    // F.cross_entropy(z, t); l.backward()
    let (loss, grad) = ce(Simd::Scalar, &Z, 3, &T, None, -100, 0.0, Reduction::Mean);
    assert_close(&loss, &[2.384_021_5], 1e-6, 0.0, "mean loss");
    let expected = [
        0.028456299,
        0.07735224,
        -0.123068154,
        0.017259618,
        -0.3313978,
        0.0052613518,
        0.287259996,
        0.038876414,
        0.09621714,
        0.08706087,
        0.07877593,
        -0.26205394,
    ];
    assert_close(&grad, &expected, 1e-5, 1e-7, "mean grad");
    // F.cross_entropy(z, t, weight=w, label_smoothing=0.1, ignore_index=0, reduction='none'); l.sum().backward()
    let (loss, grad) = ce(Simd::Scalar, &Z, 3, &T, Some(&W), 0, 0.1, Reduction::None);
    assert_close(
        &loss,
        &[0.569_723_8, 0.0, 4.396_757_6],
        1e-6,
        0.0,
        "none loss",
    );
    let expected = [
        0.027288442,
        0.09213473,
        -0.076137736,
        -0.04328546,
        0.0,
        0.0,
        0.0,
        0.0,
        0.80126464,
        0.69763517,
        0.6639883,
        -2.162888,
    ];
    assert_close(&grad, &expected, 1e-5, 1e-7, "none grad");
    // ... reduction='mean' → 1.418994665145874; 'sum' → 4.966481685638428
    let (loss, _) = ce(Simd::Scalar, &Z, 3, &T, Some(&W), 0, 0.1, Reduction::Mean);
    assert_close(&loss, &[1.418_994_7], 1e-6, 0.0, "weighted smoothed mean");
    let (loss, _) = ce(Simd::Scalar, &Z, 3, &T, Some(&W), 0, 0.1, Reduction::Sum);
    assert_close(&loss, &[4.966_481_7], 1e-6, 0.0, "weighted smoothed sum");
}

#[test]
fn all_ignored_mean_is_nan_with_zero_gradient() {
    let (loss, grad) = ce(
        Simd::Scalar,
        &Z,
        3,
        &[-100; 3],
        None,
        -100,
        0.1,
        Reduction::Mean,
    );
    assert!(loss[0].is_nan());
    assert_same(&grad, &[0.0; 12], "grad");
    let (loss, _) = ce(
        Simd::Scalar,
        &Z,
        3,
        &[-100; 3],
        None,
        -100,
        0.0,
        Reduction::Sum,
    );
    assert_eq!(loss, [0.0]);
}

#[test]
fn gradients_match_finite_differences() {
    let (n, c) = (5usize, 7usize);
    let z = data(n * c, 31, -3.0, 3.0);
    let t = [3, -1, 0, 6, 2];
    let w = data(c, 32, 0.2, 2.0);
    for (weight, eps, red) in [
        (None, 0.0, Reduction::Mean),
        (Some(&w[..]), 0.0, Reduction::Sum),
        (Some(&w[..]), 0.3, Reduction::Mean),
        (None, 0.2, Reduction::Sum),
    ] {
        let (_, grad) = ce(Simd::Scalar, &z, n, &t, weight, -1, eps, red);
        for j in 0..n * c {
            let mut hi = z.clone();
            let mut lo = z.clone();
            hi[j] += 1e-2;
            lo[j] -= 1e-2;
            let numeric = (ce(Simd::Scalar, &hi, n, &t, weight, -1, eps, red).0[0]
                - ce(Simd::Scalar, &lo, n, &t, weight, -1, eps, red).0[0])
                / 2e-2;
            assert!(
                (grad[j] - numeric).abs() < 2e-3,
                "{red:?} eps={eps} j={j}: {} vs {numeric}",
                grad[j]
            );
        }
    }
}

#[test]
fn simd_paths_match_scalar() {
    for &c in &[1usize, 3, 10, 16, 17, 33, 1000] {
        let n = 9;
        let z = data(n * c, 33, -20.0, 20.0);
        let t: Vec<i32> = (0..n)
            .map(|i| if i == 4 { -100 } else { ((i * 7) % c) as i32 })
            .collect();
        let w = data(c, 34, 0.1, 3.0);
        for (weight, eps) in [
            (None, 0.0),
            (Some(&w[..]), 0.0),
            (None, 0.1),
            (Some(&w[..]), 0.25),
        ] {
            for red in [Reduction::None, Reduction::Mean, Reduction::Sum] {
                let (loss, grad) = ce(Simd::Scalar, &z, n, &t, weight, -100, eps, red);
                for simd in available_paths() {
                    let (l, g) = ce(simd, &z, n, &t, weight, -100, eps, red);
                    let what = format!(
                        "{simd:?} c={c} eps={eps} weighted={} {red:?}",
                        weight.is_some()
                    );
                    assert_close(&l, &loss, 2e-6, 1e-6, &what);
                    assert_close(&g, &grad, 2e-6, 1e-7, &what);
                }
            }
        }
    }
}

#[test]
fn probability_targets_match_pytorch_and_index_targets() {
    // p = torch.tensor([[.1, .2, .3, .4], [1., 0, 0, 0], [.25, .25, .25, .25]])
    // F.cross_entropy(z, p, weight=w, label_smoothing=0.1) → 3.9405784606933594
    let p = [
        0.1, 0.2, 0.3, 0.4, 1.0, 0.0, 0.0, 0.0, 0.25, 0.25, 0.25, 0.25,
    ];
    let (mut loss, mut grad) = ([0f32], [0f32; 12]);
    cross_entropy_probs(
        &Z,
        3,
        4,
        &p,
        Some(&W),
        0.1,
        Reduction::Mean as u32,
        &mut loss,
        &mut grad,
    )
    .unwrap();
    assert_close(&loss, &[3.940_578_5], 1e-6, 0.0, "probs loss");
    let expected = [
        0.013670552,
        0.004694553,
        0.33509296,
        -0.35345805,
        -0.30627683,
        -0.011076481,
        0.3010471,
        0.01630619,
        0.0730195,
        -0.025192771,
        0.086344205,
        -0.13417098,
    ];
    assert_close(&grad, &expected, 1e-5, 1e-7, "probs grad");
    // One-hot probabilities give the index-target loss (without weights, where the means agree).
    let onehot: Vec<f32> = (0..12)
        .map(|i| if T[i / 4] as usize == i % 4 { 1.0 } else { 0.0 })
        .collect();
    for simd in available_paths() {
        let mut l = [0f32; 3];
        let mut g = [0f32; 12];
        cross_entropy_probs_with(
            simd,
            &Z,
            3,
            4,
            &onehot,
            None,
            0.2,
            Reduction::None as u32,
            &mut l,
            &mut g,
        )
        .unwrap();
        let (l2, g2) = ce(simd, &Z, 3, &T, None, -100, 0.2, Reduction::None);
        assert_close(&l, &l2, 1e-6, 1e-7, "onehot loss");
        assert_close(&g, &g2, 1e-5, 1e-7, "onehot grad");
    }
}

#[test]
fn nll_loss_matches_pytorch() {
    // F.nll_loss(torch.log_softmax(z, 1), t, weight=w) → 2.223721742630005; grad -w_t/Σw_t at targets
    let mut logp = [0f32; 12];
    crate::softmax::softmax(&Z, 3, 4, 1, &mut logp, true).unwrap();
    let (mut loss, mut grad) = ([0f32], [9f32; 12]);
    nll_loss(
        &logp,
        3,
        4,
        &T,
        Some(&W),
        -100,
        Reduction::Mean as u32,
        &mut loss,
        &mut grad,
    )
    .unwrap();
    assert_close(&loss, &[2.223_721_7], 1e-6, 0.0, "nll");
    let mut expected = [0f32; 12];
    expected[2] = -0.5 / 4.5;
    expected[4] = -1.0 / 4.5;
    expected[11] = -3.0 / 4.5;
    assert_close(&grad, &expected, 1e-6, 0.0, "nll grad");
    let mut none = [0f32; 3];
    nll_loss(
        &logp,
        3,
        4,
        &[2, 7, 3],
        None,
        7,
        Reduction::None as u32,
        &mut none,
        &mut grad,
    )
    .unwrap();
    assert_eq!(none[1], 0.0);
    assert_eq!(none[0], -logp[2]);
    let mut loss = [0f32];
    nll_loss(
        &logp,
        3,
        4,
        &[7; 3],
        None,
        7,
        Reduction::Mean as u32,
        &mut loss,
        &mut [],
    )
    .unwrap();
    assert!(loss[0].is_nan());
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let (n, c) = (4096usize, 100usize);
    let z = data(n * c, 35, -5.0, 5.0);
    let t: Vec<i32> = (0..n).map(|i| (i * 31 % c) as i32).collect();
    let (one, two) = at_1_and_2_threads(|| {
        let (l1, g1) = ce(
            crate::cpu::active(),
            &z,
            n,
            &t,
            None,
            -100,
            0.1,
            Reduction::Mean,
        );
        let (mut l2, mut g2) = (vec![0f32; n], vec![0f32; n * c]);
        cross_entropy_probs(
            &z,
            n as u32,
            c as u32,
            &z,
            None,
            0.0,
            Reduction::None as u32,
            &mut l2,
            &mut g2,
        )
        .unwrap();
        [l1, g1, l2, g2]
    });
    for (a, b) in one.iter().zip(&two) {
        assert_same(a, b, "1 vs 2 threads");
    }
}

#[test]
fn errors_use_pytorch_wording_and_name_buffers() {
    let mut loss = [0f32];
    let mut grad = [0f32; 12];
    let err = cross_entropy(
        &Z,
        3,
        4,
        &[10, 0, 0],
        None,
        -100,
        0.0,
        1,
        &mut loss,
        &mut grad,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "crossEntropy: Target 10 is out of bounds.");
    assert_eq!(err.kind, crate::ErrorKind::Value);
    let err = nll_loss(&Z, 3, 4, &[0, -5, 0], None, -100, 1, &mut loss, &mut grad).unwrap_err();
    assert_eq!(err.to_string(), "nllLoss: Target -5 is out of bounds.");
    let err = cross_entropy(
        &Z,
        3,
        4,
        &T,
        Some(&[1.0; 3]),
        -100,
        0.0,
        1,
        &mut loss,
        &mut grad,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "crossEntropy: weight has 3 elements, expected 4 (n=3, c=4)"
    );
    let err = cross_entropy(&Z, 3, 4, &T, None, -100, 0.0, 0, &mut loss, &mut grad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "crossEntropy: loss has 1 elements, expected 3 (reduction \"None\", n=3)"
    );
    let err =
        cross_entropy(&Z, 3, 4, &T, None, -100, 0.0, 1, &mut loss, &mut grad[..11]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "crossEntropy: gradLogits has 11 elements, expected 12 (n=3, c=4; or 0 to skip the gradient)"
    );
    let err = cross_entropy(&Z, 3, 4, &T, None, -100, 1.5, 1, &mut loss, &mut grad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "crossEntropy: labelSmoothing must be between 0.0 and 1.0, got 1.5"
    );
    let err =
        cross_entropy(&Z, 3, 4, &T[..2], None, -100, 0.0, 1, &mut loss, &mut grad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "crossEntropy: target has 2 elements, expected 3 (n=3)"
    );
    // Nothing was written before the target check failed.
    assert_eq!(grad, [0.0; 12]);
}
