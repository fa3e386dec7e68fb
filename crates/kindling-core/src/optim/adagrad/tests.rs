use super::*;
use crate::optim::step_tests::*;

/// PyTorch's dense `_single_tensor_adagrad`, one tensor operation at a time.
fn reference(o: &AdagradOptions, step: f64, p: &mut [f32], g: &[f32], sum: &mut [f32]) {
    let clr = o.lr / (1.0 + (step - 1.0) * o.lr_decay);
    for i in 0..p.len() {
        let mut grad = if o.maximize { -g[i] } else { g[i] };
        if o.weight_decay != 0.0 {
            grad = p[i].mul_add(o.weight_decay as f32, grad);
        }
        sum[i] = (1.0 * grad).mul_add(grad, sum[i]);
        let mut std = sum[i].sqrt();
        std += o.eps as f32;
        p[i] += (-clr) as f32 * grad / std;
    }
}

fn run(o: &AdagradOptions, sizes: &[usize], simd: Simd) -> Vec<Vec<f32>> {
    let mut p = initial(sizes);
    let mut sum = filled(sizes, 0.1);
    for t in 1..=20 {
        let g = gradients(sizes, t);
        adagrad_step_with(
            &mut views(&mut p),
            &reads(&g),
            &mut views(&mut sum),
            &vec![t as f64; sizes.len()],
            o,
            simd,
        )
        .unwrap();
    }
    p
}

fn run_reference(o: &AdagradOptions, sizes: &[usize]) -> Vec<Vec<f32>> {
    let mut p = initial(sizes);
    let mut sum = filled(sizes, 0.1);
    for t in 1..=20 {
        for (b, g) in gradients(sizes, t).iter().enumerate() {
            reference(o, t as f64, &mut p[b], g, &mut sum[b]);
        }
    }
    p
}

const OPTIONS: [AdagradOptions; 2] = [
    AdagradOptions {
        lr: 0.1,
        lr_decay: 0.05,
        weight_decay: 0.0,
        eps: 1e-10,
        maximize: false,
    },
    AdagradOptions {
        lr: 0.05,
        lr_decay: 0.0,
        weight_decay: 0.01,
        eps: 1e-8,
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
fn mismatched_lists_and_bad_steps_are_errors() {
    let mut p = [0f32; 3];
    let d = AdagradOptions::default();
    let err = adagrad_step(
        &mut [&mut p],
        &[&[0.0; 3]],
        &mut [&mut [0.0; 2]],
        &[1.0],
        &d,
    )
    .unwrap_err();
    assert!(err.to_string().contains("state_sums[0]"), "{err}");
    let err = adagrad_step(
        &mut [&mut p],
        &[&[0.0; 3]],
        &mut [&mut [0.0; 3]],
        &[0.0],
        &d,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "adagrad_step: steps[0] must be a count >= 1, got 0"
    );
}
