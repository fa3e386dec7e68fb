use super::*;
use crate::optim::trajectories::*;
use crate::threads::{set_num_threads, TEST_LOCK};

/// Runs 20 steps of the trajectory in `trajectories.rs` and returns the concatenated parameters.
fn run(options: &AdamOptions, simd: Simd) -> Vec<f32> {
    let mut params = initial_params();
    let mut m: Vec<Vec<f32>> = SIZES.iter().map(|&n| vec![0.0; n]).collect();
    let mut v = m.clone();
    let mut vmax = if options.amsgrad {
        m.clone()
    } else {
        Vec::new()
    };
    for t in 0..20 {
        let grads: Vec<Vec<f32>> = params
            .iter()
            .enumerate()
            .map(|(i, p)| gradient(p, i, t))
            .collect();
        let steps = vec![(t + 1) as f64; SIZES.len()];
        adam_step_with(
            &mut params.iter_mut().map(|p| &mut p[..]).collect::<Vec<_>>(),
            &grads.iter().map(|g| &g[..]).collect::<Vec<_>>(),
            &mut m.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &mut v.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &mut vmax.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &steps,
            options,
            simd,
        )
        .unwrap();
    }
    params.concat()
}

fn cases() -> [(AdamOptions, &'static [f32]); 4] {
    let d = AdamOptions::default();
    [
        (AdamOptions { lr: 0.05, ..d }, &ADAM_DEFAULT),
        (
            AdamOptions {
                lr: 0.05,
                weight_decay: 0.1,
                amsgrad: true,
                ..d
            },
            &ADAM_WD_AMSGRAD,
        ),
        (
            AdamOptions {
                lr: 0.05,
                weight_decay: 0.01,
                maximize: true,
                decoupled_weight_decay: true,
                ..d
            },
            &ADAMW_MAXIMIZE,
        ),
        (
            AdamOptions {
                lr: 0.02,
                beta1: 0.3,
                beta2: 0.99,
                eps: 1e-6,
                ..d
            },
            &ADAM_SMALL_BETA1,
        ),
    ]
}

#[test]
fn twenty_steps_match_torch_on_every_simd_path() {
    for (options, want) in cases() {
        let scalar = run(&options, Simd::Scalar);
        assert_close(&scalar, want);
        for path in cpu::available_paths() {
            assert_eq!(run(&options, path), scalar, "{path:?} {options:?}");
        }
    }
}

#[test]
fn large_updates_do_not_depend_on_thread_count() {
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let sizes = [300_000, 7, 100_003];
    let step = |threads: usize| {
        set_num_threads(threads).unwrap();
        let mut params: Vec<Vec<f32>> = sizes
            .iter()
            .map(|&n| (0..n).map(|j| (j as f32 * 0.01).sin()).collect())
            .collect();
        let grads: Vec<Vec<f32>> = sizes
            .iter()
            .map(|&n| (0..n).map(|j| (j as f32 * 0.03).cos()).collect())
            .collect();
        let mut m: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.1; n]).collect();
        let mut v: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.2; n]).collect();
        let mut vmax = v.clone();
        let options = AdamOptions {
            amsgrad: true,
            weight_decay: 0.01,
            ..AdamOptions::default()
        };
        adam_step(
            &mut params.iter_mut().map(|p| &mut p[..]).collect::<Vec<_>>(),
            &grads.iter().map(|g| &g[..]).collect::<Vec<_>>(),
            &mut m.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &mut v.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &mut vmax.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &[3.0, 3.0, 5.0],
            &options,
        )
        .unwrap();
        (params, m, v, vmax)
    };
    assert!(step(1) == step(2));
}

#[test]
fn amsgrad_keeps_the_running_maximum() {
    let mut p = [1.0f32, 1.0];
    let mut m = [0.0f32; 2];
    let mut v = [0.0f32; 2];
    let mut vmax = [0.5f32, 0.0];
    let options = AdamOptions {
        amsgrad: true,
        ..AdamOptions::default()
    };
    adam_step(
        &mut [&mut p],
        &[&[1.0, f32::NAN]],
        &mut [&mut m],
        &mut [&mut v],
        &mut [&mut vmax],
        &[1.0],
        &options,
    )
    .unwrap();
    assert_eq!(vmax[0], 0.5, "max(0.5, 0.001) is 0.5");
    assert!(vmax[1].is_nan(), "NaN propagates like torch.maximum");
}

#[test]
fn mismatched_lists_and_lengths_are_errors() {
    let d = AdamOptions::default();
    let (mut p, mut m, mut v) = ([0f32; 3], [0f32; 3], [0f32; 3]);
    let err = adam_step(
        &mut [&mut p],
        &[],
        &mut [&mut m],
        &mut [&mut v],
        &mut [],
        &[1.0],
        &d,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "adam_step: grads has 0 buffers, expected 1 (one per parameter)"
    );
    let err = adam_step(
        &mut [&mut p],
        &[&[0.0; 2]],
        &mut [&mut m],
        &mut [&mut v],
        &mut [],
        &[1.0],
        &d,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "adam_step: grads[0] has 2 elements, expected 3 (the length of params[0])"
    );
    let ams = AdamOptions { amsgrad: true, ..d };
    let err = adam_step(
        &mut [&mut p],
        &[&[0.0; 3]],
        &mut [&mut m],
        &mut [&mut v],
        &mut [],
        &[1.0],
        &ams,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "adam_step: max_exp_avg_sqs has 0 buffers, expected 1 (one per parameter)"
    );
    let nan = AdamOptions { lr: f64::NAN, ..d };
    let err = adam_step(
        &mut [&mut p],
        &[&[0.0; 3]],
        &mut [&mut m],
        &mut [&mut v],
        &mut [],
        &[1.0],
        &nan,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "adam_step: lr must be finite, got NaN");
    let err = adam_step(
        &mut [&mut p],
        &[&[0.0; 3]],
        &mut [&mut m],
        &mut [&mut v],
        &mut [],
        &[0.0],
        &d,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "adam_step: steps[0] must be a count >= 1, got 0"
    );
}

#[test]
fn each_parameter_uses_its_own_step_count() {
    // One call with steps [1, 7] equals two single-parameter calls: bias corrections are per buffer.
    let o = AdamOptions {
        lr: 0.1,
        ..AdamOptions::default()
    };
    let fresh = || ([0.5f32, -0.25], [0.1f32, 0.2], [0.01f32, 0.02]);
    let g = [0.3f32, -0.4];
    let ((mut p0, mut m0, mut v0), (mut p1, mut m1, mut v1)) = (fresh(), fresh());
    adam_step(
        &mut [&mut p0, &mut p1],
        &[&g, &g],
        &mut [&mut m0, &mut m1],
        &mut [&mut v0, &mut v1],
        &mut [],
        &[1.0, 7.0],
        &o,
    )
    .unwrap();
    let ((mut q0, mut n0, mut w0), (mut q1, mut n1, mut w1)) = (fresh(), fresh());
    adam_step(
        &mut [&mut q0],
        &[&g],
        &mut [&mut n0],
        &mut [&mut w0],
        &mut [],
        &[1.0],
        &o,
    )
    .unwrap();
    adam_step(
        &mut [&mut q1],
        &[&g],
        &mut [&mut n1],
        &mut [&mut w1],
        &mut [],
        &[7.0],
        &o,
    )
    .unwrap();
    assert_eq!((p0, p1), (q0, q1));
    assert_ne!(p0, p1, "different steps give different updates");
}

/// One default-options Adam step of a single buffer on `path`: the new (param, exp_avg, exp_avg_sq).
fn default_step(
    p0: &[f32],
    g0: &[f32],
    m0: &[f32],
    v0: &[f32],
    step: f64,
    path: Simd,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (mut p, mut m, mut v) = (p0.to_vec(), m0.to_vec(), v0.to_vec());
    adam_step_with(
        &mut [&mut p],
        &[g0],
        &mut [&mut m],
        &mut [&mut v],
        &mut [],
        &[step],
        &AdamOptions::default(),
        path,
    )
    .unwrap();
    (p, m, v)
}

/// One default-options Adam element update in plain f32 (this test thread never flushes
/// subnormals), in the kernel's operation order.
fn reference_element(p: f32, g: f32, m: f32, v: f32, step: f64) -> (f32, f32, f32) {
    let d = AdamOptions::default();
    let m = ((1.0 - d.beta1) as f32).mul_add(g - m, m);
    let v = (((1.0 - d.beta2) as f32) * g).mul_add(g, v * d.beta2 as f32);
    let neg_step_size = (-(d.lr / (1.0 - d.beta1.powf(step)))) as f32;
    let bias_correction2_sqrt = (1.0 - d.beta2.powf(step)).powf(0.5) as f32;
    let denom = v.sqrt() / bias_correction2_sqrt + d.eps as f32;
    (p + neg_step_size * m / denom, m, v)
}

#[test]
fn subnormal_state_is_flushed_and_normal_state_is_exact() {
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // Several chunks, so with 2 threads the pool's worker runs some of them.
    let n = 100_003;
    let tiny = f32::MIN_POSITIVE / 8.0;
    assert!(tiny.is_subnormal());
    // Even elements: a zero gradient over subnormal state (a border pixel's weight late in
    // training). Odd elements: ordinary values.
    let p0: Vec<f32> = (0..n).map(|j| (j as f32 * 0.01).sin()).collect();
    let g0: Vec<f32> = (0..n)
        .map(|j| {
            if j % 2 == 0 {
                0.0
            } else {
                (j as f32 * 0.03).cos()
            }
        })
        .collect();
    let m0: Vec<f32> = (0..n)
        .map(|j| {
            if j % 2 == 0 {
                -tiny
            } else {
                0.1 * (j as f32).sin()
            }
        })
        .collect();
    let v0: Vec<f32> = (0..n)
        .map(|j| {
            if j % 2 == 0 {
                tiny
            } else {
                0.2 + 0.1 * (j as f32).cos()
            }
        })
        .collect();
    let step = 40.0;
    // Without flushing, the subnormal state stays subnormal (so the assertions below can fail).
    let (_, m_exact, v_exact) = reference_element(p0[0], g0[0], m0[0], v0[0], step);
    assert!(m_exact.is_subnormal() && v_exact.is_subnormal());
    for threads in [1, 2] {
        set_num_threads(threads).unwrap();
        for path in cpu::available_paths() {
            let (p, m, v) = default_step(&p0, &g0, &m0, &v0, step, path);
            for j in 0..n {
                let context = format!("element {j}, {path:?}, {threads} threads");
                if j % 2 == 0 {
                    assert_eq!((m[j], v[j]), (0.0, 0.0), "{context}");
                    assert_eq!(p[j], p0[j], "{context}");
                } else {
                    let want = reference_element(p0[j], g0[j], m0[j], v0[j], step);
                    assert_eq!((p[j], m[j], v[j]), want, "{context}");
                }
            }
        }
    }
    // The caller's floating-point mode is restored.
    assert!(
        (std::hint::black_box(f32::MIN_POSITIVE) * std::hint::black_box(0.5f32)).is_subnormal()
    );
}

#[test]
fn the_update_is_the_plain_division_formula_bit_for_bit_at_every_step_and_scale() {
    // The kernel divides by bias_correction2_sqrt without a divide (div_by_constant.rs): check it
    // against the plain formula over steps whose corrections differ, and second moments from
    // 1e-30 to 1e10.
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_num_threads(1).unwrap();
    let n = 4099;
    let p0: Vec<f32> = (0..n).map(|j| (j as f32 * 0.37).sin()).collect();
    let g0: Vec<f32> = (0..n)
        .map(|j| (j as f32 * 0.11).cos() * 10f32.powi(j as i32 % 9 - 4))
        .collect();
    let m0: Vec<f32> = (0..n).map(|j| 0.01 * (j as f32).sin()).collect();
    let v0: Vec<f32> = (0..n)
        .map(|j| 10f32.powi((j % 41) as i32 - 30) * (1.5 + (j as f32).cos()))
        .collect();
    for step in [1.0, 2.0, 3.0, 17.0, 500.0, 6000.0, 12_345.0, 30_000.0] {
        for path in cpu::available_paths() {
            let (p, m, v) = default_step(&p0, &g0, &m0, &v0, step, path);
            for j in 0..n {
                let want = reference_element(p0[j], g0[j], m0[j], v0[j], step);
                assert!(
                    (p[j].to_bits(), m[j].to_bits(), v[j].to_bits())
                        == (want.0.to_bits(), want.1.to_bits(), want.2.to_bits()),
                    "element {j}, step {step}, {path:?}: {:?} vs {want:?}",
                    (p[j], m[j], v[j])
                );
            }
        }
    }
}
