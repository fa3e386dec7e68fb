use super::*;
use crate::optim::step_tests::*;

/// PyTorch's `_single_tensor_adadelta`, one tensor operation at a time (each rounded to f32,
/// `addcmul` and `add(alpha)` fused as torch's CPU kernels do).
fn reference(o: &AdadeltaOptions, p: &mut [f32], g: &[f32], sq: &mut [f32], acc: &mut [f32]) {
    let (rho, eps, lr) = (o.rho as f32, o.eps as f32, o.lr as f32);
    for i in 0..p.len() {
        let mut grad = if o.maximize { -g[i] } else { g[i] };
        if o.weight_decay != 0.0 {
            grad = p[i].mul_add(o.weight_decay as f32, grad);
        }
        sq[i] = ((1.0 - o.rho) as f32 * grad).mul_add(grad, sq[i] * rho);
        let std = (sq[i] + eps).sqrt();
        let mut delta = (acc[i] + eps).sqrt();
        delta /= std;
        delta *= grad;
        acc[i] = ((1.0 - o.rho) as f32 * delta).mul_add(delta, acc[i] * rho);
        p[i] = delta.mul_add(-lr, p[i]);
    }
}

fn run(o: &AdadeltaOptions, sizes: &[usize], simd: Simd) -> Vec<Vec<f32>> {
    let mut p = initial(sizes);
    let mut sq = filled(sizes, 0.0);
    let mut acc = sq.clone();
    for t in 1..=20 {
        let g = gradients(sizes, t);
        adadelta_step_with(
            &mut views(&mut p),
            &reads(&g),
            &mut views(&mut sq),
            &mut views(&mut acc),
            o,
            simd,
        )
        .unwrap();
    }
    p
}

fn run_reference(o: &AdadeltaOptions, sizes: &[usize]) -> Vec<Vec<f32>> {
    let mut p = initial(sizes);
    let mut sq = filled(sizes, 0.0);
    let mut acc = sq.clone();
    for t in 1..=20 {
        for (b, g) in gradients(sizes, t).iter().enumerate() {
            reference(o, &mut p[b], g, &mut sq[b], &mut acc[b]);
        }
    }
    p
}

const OPTIONS: [AdadeltaOptions; 3] = [
    AdadeltaOptions {
        lr: 1.0,
        rho: 0.9,
        eps: 1e-6,
        weight_decay: 0.0,
        maximize: false,
    },
    AdadeltaOptions {
        lr: 0.5,
        rho: 0.95,
        eps: 1e-6,
        weight_decay: 0.01,
        maximize: false,
    },
    AdadeltaOptions {
        lr: 1.0,
        rho: 0.8,
        eps: 1e-5,
        weight_decay: 0.0,
        maximize: true,
    },
];

#[test]
fn twenty_steps_equal_the_scalar_reference_on_every_simd_path() {
    for o in &OPTIONS {
        assert_every_path_gives(&run_reference(o, &SIZES), |path| run(o, &SIZES, path), o);
    }
}

#[test]
fn large_updates_do_not_depend_on_thread_count() {
    assert_same_on_one_and_two_threads(|| run(&OPTIONS[1], &POOL_SIZES, cpu::active()));
}

#[test]
fn mismatched_lists_and_nan_are_errors() {
    let mut p = [0f32; 3];
    let d = AdadeltaOptions::default();
    let err = adadelta_step(&mut [&mut p], &[&[0.0; 3]], &mut [], &mut [], &d).unwrap_err();
    assert_eq!(
        err.to_string(),
        "adadelta_step: square_avgs has 0 buffers, expected 1 (one per parameter)"
    );
    let nan = AdadeltaOptions { rho: f64::NAN, ..d };
    let err = adadelta_step(&mut [], &[], &mut [], &mut [], &nan).unwrap_err();
    assert!(err.to_string().contains("rho"), "{err}");
}
