use super::*;
use crate::threads::{set_num_threads, TEST_LOCK};

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

fn wave(n: usize, k: f32, offset: f32) -> Vec<f32> {
    (0..n)
        .map(|j| (j as f32 * k).sin() * 0.5 + offset)
        .collect()
}

fn run(o: &AdadeltaOptions, sizes: &[usize], simd: Simd) -> Vec<Vec<f32>> {
    let mut p: Vec<Vec<f32>> = sizes.iter().map(|&n| wave(n, 0.3, 0.1)).collect();
    let mut sq: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
    let mut acc = sq.clone();
    for t in 1..=20 {
        let g: Vec<Vec<f32>> = sizes
            .iter()
            .map(|&n| wave(n, 0.07 * t as f32, -0.05))
            .collect();
        adadelta_step_with(
            &mut p.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &g.iter().map(|b| &b[..]).collect::<Vec<_>>(),
            &mut sq.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &mut acc.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            o,
            simd,
        )
        .unwrap();
    }
    p
}

fn run_reference(o: &AdadeltaOptions, sizes: &[usize]) -> Vec<Vec<f32>> {
    let mut p: Vec<Vec<f32>> = sizes.iter().map(|&n| wave(n, 0.3, 0.1)).collect();
    let mut sq: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
    let mut acc = sq.clone();
    for t in 1..=20 {
        for (b, &n) in sizes.iter().enumerate() {
            let g = wave(n, 0.07 * t as f32, -0.05);
            reference(o, &mut p[b], &g, &mut sq[b], &mut acc[b]);
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
    let sizes = [37, 1, 64];
    for o in &OPTIONS {
        let want = run_reference(o, &sizes);
        assert_eq!(run(o, &sizes, Simd::Scalar), want, "{o:?}");
        for path in cpu::available_paths() {
            assert_eq!(run(o, &sizes, path), want, "{path:?} {o:?}");
        }
    }
}

#[test]
fn large_updates_do_not_depend_on_thread_count() {
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let sizes = [300_001, 7];
    set_num_threads(1).unwrap();
    let one = run(&OPTIONS[1], &sizes, cpu::active());
    set_num_threads(2).unwrap();
    let two = run(&OPTIONS[1], &sizes, cpu::active());
    assert!(one == two);
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
