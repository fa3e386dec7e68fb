use super::*;
use crate::optim::trajectories::*;
use crate::threads::{set_num_threads, TEST_LOCK};

fn run(options: &SgdOptions, simd: Simd) -> Vec<f32> {
    let mut params = initial_params();
    let mut bufs: Vec<Vec<f32>> = SIZES.iter().map(|&n| vec![f32::NAN; n]).collect();
    let mut initialized = vec![0u8; SIZES.len()];
    for t in 0..20 {
        let grads: Vec<Vec<f32>> = params
            .iter()
            .enumerate()
            .map(|(i, p)| gradient(p, i, t))
            .collect();
        sgd_step_with(
            &mut params.iter_mut().map(|p| &mut p[..]).collect::<Vec<_>>(),
            &grads.iter().map(|g| &g[..]).collect::<Vec<_>>(),
            &mut bufs.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &mut initialized,
            options,
            simd,
        )
        .unwrap();
    }
    params.concat()
}

#[test]
fn twenty_steps_match_torch_on_every_simd_path() {
    let d = SgdOptions::default();
    let cases: [(SgdOptions, &[f32]); 3] = [
        (
            SgdOptions {
                lr: 0.05,
                momentum: 0.9,
                nesterov: true,
                ..d
            },
            &SGD_NESTEROV,
        ),
        (
            SgdOptions {
                lr: 0.05,
                momentum: 0.9,
                dampening: 0.1,
                weight_decay: 0.01,
                ..d
            },
            &SGD_DAMPENED_WD,
        ),
        (
            SgdOptions {
                lr: 0.01,
                maximize: true,
                ..d
            },
            &SGD_PLAIN_MAXIMIZE,
        ),
    ];
    for (options, want) in cases {
        // The buffers start as NaN: the first step must overwrite them, never read them.
        let scalar = run(&options, Simd::Scalar);
        assert_close(&scalar, want);
        for path in cpu::available_paths() {
            assert_eq!(run(&options, path), scalar, "{path:?} {options:?}");
        }
    }
}

#[test]
fn first_step_copies_the_gradient_and_sets_the_flag() {
    let mut p = [1.0f32, 2.0];
    let mut buf = [9.0f32, 9.0];
    let mut flag = [0u8];
    let options = SgdOptions {
        lr: 0.5,
        momentum: 0.9,
        dampening: 0.5,
        ..SgdOptions::default()
    };
    sgd_step(
        &mut [&mut p],
        &[&[1.0, -2.0]],
        &mut [&mut buf],
        &mut flag,
        &options,
    )
    .unwrap();
    assert_eq!(buf, [1.0, -2.0], "no dampening on the first step");
    assert_eq!(flag, [1]);
    assert_eq!(p, [0.5, 3.0]);
    sgd_step(
        &mut [&mut p],
        &[&[1.0, -2.0]],
        &mut [&mut buf],
        &mut flag,
        &options,
    )
    .unwrap();
    assert_eq!(buf, [0.9 * 1.0 + 0.5, -(0.9f32 * 2.0 + 1.0)]);
}

#[test]
fn large_updates_do_not_depend_on_thread_count() {
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let step = |threads: usize| {
        set_num_threads(threads).unwrap();
        let mut p: Vec<f32> = (0..400_000).map(|j| (j as f32).sin()).collect();
        let g: Vec<f32> = (0..400_000).map(|j| (j as f32).cos()).collect();
        let mut buf = vec![0.5f32; 400_000];
        let options = SgdOptions {
            lr: 0.1,
            momentum: 0.9,
            nesterov: true,
            weight_decay: 1e-4,
            ..SgdOptions::default()
        };
        sgd_step(&mut [&mut p], &[&g], &mut [&mut buf], &mut [1], &options).unwrap();
        (p, buf)
    };
    assert!(step(1) == step(2));
}

#[test]
fn mismatched_lists_and_nan_are_errors() {
    let mut p = [0f32; 3];
    let momentum = SgdOptions {
        lr: 0.1,
        momentum: 0.9,
        ..SgdOptions::default()
    };
    let err = sgd_step(&mut [&mut p], &[&[0.0; 3]], &mut [], &mut [0], &momentum).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sgd_step: momentum_buffers has 0 buffers, expected 1 (one per parameter)"
    );
    let err = sgd_step(
        &mut [&mut p],
        &[&[0.0; 3]],
        &mut [&mut [0.0; 2]],
        &mut [0],
        &momentum,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sgd_step: momentum_buffers[0] has 2 elements, expected 3 (the length of params[0])"
    );
    let plain = SgdOptions {
        lr: 0.1,
        ..SgdOptions::default()
    };
    assert!(sgd_step(&mut [&mut p], &[&[0.0; 3]], &mut [], &mut [], &plain).is_ok());
    let nan = SgdOptions {
        momentum: f64::NAN,
        ..plain
    };
    let err = sgd_step(&mut [&mut p], &[&[0.0; 3]], &mut [], &mut [], &nan).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sgd_step: momentum must be finite, got NaN"
    );
}

#[test]
fn subnormal_momentum_is_flushed_and_normal_values_are_exact() {
    let tiny = f32::MIN_POSITIVE / 8.0;
    let options = SgdOptions {
        lr: 0.1,
        momentum: 0.9,
        ..SgdOptions::default()
    };
    // Without flushing, 0.9 × a subnormal buffer stays subnormal (so the test can fail).
    assert!((std::hint::black_box(tiny) * 0.9).is_subnormal());
    for path in cpu::available_paths() {
        let mut p = [1.0f32, 0.5];
        let mut buf = [tiny, 0.25];
        let mut initialized = [1u8];
        sgd_step_with(
            &mut [&mut p],
            &[&[0.0, 2.0]],
            &mut [&mut buf],
            &mut initialized,
            &options,
            path,
        )
        .unwrap();
        let b1 = 2.0f32.mul_add(1.0, 0.25 * 0.9f32);
        assert_eq!(buf, [0.0, b1], "{path:?}");
        assert_eq!(p, [1.0, b1.mul_add(-0.1, 0.5)], "{path:?}");
    }
}
