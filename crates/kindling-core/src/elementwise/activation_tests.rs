//! The activation codes (erf … softplus) against independent f64 formulas on a grid, and their
//! PyTorch edge values (±0, ±inf, NaN, the thresholds).
use super::*;
use crate::codes::UnaryOp;

/// The grid: dense on [-12, 12] plus the saturated tails.
fn grid() -> Vec<f32> {
    let mut x: Vec<f32> = (0..=2400).map(|i| -12.0 + i as f32 * 0.01).collect();
    x.extend([
        -100.0, -30.0, -20.5, 20.5, 30.0, 100.0, 1e-6, -1e-6, 1e-30, -1e-30,
    ]);
    x
}

fn erf64(x: f64) -> f64 {
    super::erf::erf(x)
}

/// (op, param, param2, forward, derivative) in f64.
#[allow(clippy::type_complexity)]
fn references() -> Vec<(
    UnaryOp,
    f32,
    f32,
    Box<dyn Fn(f64) -> f64>,
    Box<dyn Fn(f64) -> f64>,
)> {
    let sqrt_2_over_pi = (2.0 / std::f64::consts::PI).sqrt();
    let pdf = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let cdf = |x: f64| 0.5 * (1.0 + erf64(x / std::f64::consts::SQRT_2));
    let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    vec![
        (
            UnaryOp::Erf,
            0.0,
            0.0,
            Box::new(erf64),
            Box::new(|x| std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp()),
        ),
        (
            UnaryOp::LeakyRelu,
            0.2,
            0.0,
            Box::new(|x| if x > 0.0 { x } else { 0.2f32 as f64 * x }),
            Box::new(|x| if x > 0.0 { 1.0 } else { 0.2f32 as f64 }),
        ),
        (
            UnaryOp::Elu,
            1.5,
            0.0,
            Box::new(|x| if x <= 0.0 { 1.5 * x.exp_m1() } else { x }),
            Box::new(|x| if x <= 0.0 { 1.5 * x.exp() } else { 1.0 }),
        ),
        (
            UnaryOp::Silu,
            0.0,
            0.0,
            Box::new(move |x| x * sig(x)),
            Box::new(move |x| sig(x) * (1.0 + x * (1.0 - sig(x)))),
        ),
        (
            UnaryOp::Gelu,
            0.0,
            0.0,
            Box::new(move |x| x * cdf(x)),
            Box::new(move |x| cdf(x) + x * pdf(x)),
        ),
        (
            UnaryOp::GeluTanh,
            0.0,
            0.0,
            Box::new(move |x| {
                0.5 * x * (1.0 + (sqrt_2_over_pi * (x + 0.044715 * x * x * x)).tanh())
            }),
            Box::new(move |x| {
                let t = (sqrt_2_over_pi * (x + 0.044715 * x * x * x)).tanh();
                0.5 * (1.0 + t)
                    + 0.5 * x * (1.0 - t * t) * sqrt_2_over_pi * (1.0 + 3.0 * 0.044715 * x * x)
            }),
        ),
        (
            UnaryOp::Hardtanh,
            -0.5,
            2.0,
            Box::new(|x| x.clamp(-0.5, 2.0)),
            Box::new(|x| if x <= -0.5 || x >= 2.0 { 0.0 } else { 1.0 }),
        ),
        (
            UnaryOp::Softplus,
            2.0,
            15.0,
            Box::new(|x| {
                if 2.0 * x > 15.0 {
                    x
                } else {
                    (2.0 * x).exp().ln_1p() / 2.0
                }
            }),
            Box::new(move |x| if 2.0 * x > 15.0 { 1.0 } else { sig(2.0 * x) }),
        ),
    ]
}

/// Within `ulps` float32 epsilons relative, or 1e-37 absolute near zero.
fn close(got: f32, want: f64, ulps: f64) -> bool {
    let (g, w) = (got as f64, want);
    (g - w).abs() <= ulps * f32::EPSILON as f64 * w.abs() + 1e-37
}

/// The forward formulas round a handful of times: 4 ulps.
const FORWARD_ULPS: f64 = 4.0;
/// PyTorch's derivative formulas, evaluated in f32 as PyTorch does, cancel (`1 − sigmoid(x)` for
/// large x in silu's, `1 − tanh²` in gelu-tanh's): 32 ulps (~4e-6 relative).
const BACKWARD_ULPS: f64 = 32.0;

#[test]
fn activations_match_f64_formulas_on_a_grid() {
    let x = grid();
    let g = vec![1.0f32; x.len()];
    for (op, p, q, forward, derivative) in references() {
        let mut y = vec![0f32; x.len()];
        unary(op as u32, &x, &mut y, p, q).unwrap();
        let mut dx = vec![0f32; x.len()];
        unary_backward(op as u32, &g, &x, &[], &mut dx, p, q).unwrap();
        for i in 0..x.len() {
            let xi = x[i] as f64;
            // `1 + erf(x/√2)` (gelu) and `1 − s` round to f32 as in PyTorch: where the true
            // value is below |x|·eps, the f32 formula gives 0, so compare absolutely there.
            let absolute = xi.abs() * f32::EPSILON as f64;
            assert!(
                close(y[i], forward(xi), FORWARD_ULPS)
                    || (y[i] as f64 - forward(xi)).abs() < absolute,
                "{op:?}({}) = {}, want {}",
                x[i],
                y[i],
                forward(xi)
            );
            // Derivatives of formulas that cancel (silu, gelu near their minima and tails) lose
            // relative accuracy where they cross or approach zero: compare absolutely there.
            let want = derivative(xi);
            assert!(
                close(dx[i], want, BACKWARD_ULPS)
                    || (dx[i] as f64 - want).abs() < 4.0 * (1.0 + xi.abs()) * f32::EPSILON as f64,
                "{op:?}'({}) = {}, want {}",
                x[i],
                dx[i],
                want
            );
        }
    }
}

#[test]
fn activation_edges_follow_pytorch() {
    let x = [f32::NEG_INFINITY, -0.0, 0.0, f32::INFINITY, f32::NAN];
    let run = |op: UnaryOp, p: f32, q: f32| {
        let mut y = [0f32; 5];
        unary(op as u32, &x, &mut y, p, q).unwrap();
        let mut dx = [0f32; 5];
        unary_backward(op as u32, &[1.0; 5], &x, &[], &mut dx, p, q).unwrap();
        (y, dx)
    };
    let nan = f32::NAN;
    let inf = f32::INFINITY;
    // Values of torch 2.x on CPU for the same inputs (scripts/fixtures/make_activation_fixtures.py).
    let two_over_sqrt_pi = std::f32::consts::FRAC_2_SQRT_PI;
    // (op, param, param2, values, gradients)
    type Case = (UnaryOp, f32, f32, [f32; 5], [f32; 5]);
    let cases: [Case; 8] = [
        (
            UnaryOp::Erf,
            0.0,
            0.0,
            [-1.0, -0.0, 0.0, 1.0, nan],
            [0.0, two_over_sqrt_pi, two_over_sqrt_pi, 0.0, nan],
        ),
        (
            UnaryOp::LeakyRelu,
            0.1,
            0.0,
            [-inf, -0.0, 0.0, inf, nan],
            [0.1, 0.1, 0.1, 1.0, 0.1],
        ),
        (
            UnaryOp::Elu,
            1.5,
            0.0,
            [-1.5, -0.0, 0.0, inf, nan],
            [0.0, 1.5, 1.5, 1.0, 1.0],
        ),
        (
            UnaryOp::Silu,
            0.0,
            0.0,
            [nan, -0.0, 0.0, inf, nan],
            [nan, 0.5, 0.5, nan, nan],
        ),
        (
            UnaryOp::Gelu,
            0.0,
            0.0,
            [nan, -0.0, 0.0, inf, nan],
            [nan, 0.5, 0.5, nan, nan],
        ),
        (
            UnaryOp::GeluTanh,
            0.0,
            0.0,
            [nan, -0.0, 0.0, inf, nan],
            [nan, 0.5, 0.5, nan, nan],
        ),
        (
            UnaryOp::Hardtanh,
            -1.0,
            1.0,
            [-1.0, -0.0, 0.0, 1.0, nan],
            [0.0, 1.0, 1.0, 0.0, 1.0],
        ),
        (
            UnaryOp::Softplus,
            2.0,
            20.0,
            [0.0, 0.346_573_6, 0.346_573_6, inf, nan],
            [0.0, 0.5, 0.5, 1.0, nan],
        ),
    ];
    for (op, p, q, want_y, want_dx) in cases {
        let (y, dx) = run(op, p, q);
        crate::test_util::assert_same(&y, &want_y, &format!("{op:?} forward"));
        crate::test_util::assert_same(&dx, &want_dx, &format!("{op:?} backward"));
    }
}

/// erfc(a) for a ≥ 1.5 by its continued fraction (evaluated bottom-up, 400 levels: converged to
/// f64 there), the reference for the left tail where `1 − erf` has cancelled away.
fn erfc_continued_fraction(a: f64) -> f64 {
    let mut k = a;
    for n in (1..=400).rev() {
        k = a + (n as f64 / 2.0) / k;
    }
    (-a * a).exp() / (std::f64::consts::PI.sqrt() * k)
}

/// Φ(x) in f64, accurate in relative terms on the whole left tail.
fn normal_cdf64(x: f64) -> f64 {
    let z = x / std::f64::consts::SQRT_2;
    if z.abs() < 1.5 {
        0.5 * (1.0 + erf64(z))
    } else if z < 0.0 {
        0.5 * erfc_continued_fraction(-z)
    } else {
        1.0 - 0.5 * erfc_continued_fraction(z)
    }
}

/// Exact GELU (`simd::gelu`, the same bits on every path) on a dense sweep of [-13, 6]: the
/// forward within 4 ulps relative everywhere, the left tail included (its Φ is computed as
/// ½erfc, never as `1 + erf`); the backward within 2.5 ulps of the size of its two terms
/// (`Φ + x·φ` crosses zero at x ≈ −0.75, where a relative bound means nothing).
#[test]
fn gelu_is_within_ulps_on_a_dense_sweep() {
    let x: Vec<f32> = (0..190_000).map(|i| -13.0f32 + i as f32 * 1.0e-4).collect();
    let mut y = vec![0f32; x.len()];
    unary(UnaryOp::Gelu as u32, &x, &mut y, 0.0, 0.0).unwrap();
    let mut dx = vec![0f32; x.len()];
    unary_backward(UnaryOp::Gelu as u32, &vec![1.0; x.len()], &x, &[], &mut dx, 0.0, 0.0).unwrap();
    let eps = f32::EPSILON as f64;
    let (mut worst_forward, mut worst_backward) = (0f64, 0f64);
    for i in 0..x.len() {
        let xd = x[i] as f64;
        let cdf = normal_cdf64(xd);
        let x_pdf = xd * (-0.5 * xd * xd).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let forward = xd * cdf;
        if forward.abs() > f32::MIN_POSITIVE as f64 {
            worst_forward = worst_forward.max((y[i] as f64 - forward).abs() / forward.abs() / eps);
        }
        let backward = (dx[i] as f64 - (cdf + x_pdf)).abs() / (cdf.abs() + x_pdf.abs()) / eps;
        worst_backward = worst_backward.max(backward);
    }
    assert!(worst_forward <= 4.0, "gelu forward: {worst_forward} ulps");
    assert!(worst_backward <= 2.5, "gelu backward: {worst_backward} ulps");
}
