use super::*;
use crate::threads::{set_num_threads, TEST_LOCK};

/// PyTorch's `_single_tensor_rmsprop`, one tensor operation at a time (`addcmul`, `lerp` and
/// `add(alpha)` fused as torch's CPU kernels do).
fn reference(
    o: &RmspropOptions,
    p: &mut [f32],
    g: &[f32],
    sq: &mut [f32],
    ga: &mut [f32],
    buf: &mut [f32],
) {
    let alpha = o.alpha as f32;
    let w = (1.0 - o.alpha) as f32;
    for i in 0..p.len() {
        let mut grad = if o.maximize { -g[i] } else { g[i] };
        if o.weight_decay != 0.0 {
            grad = p[i].mul_add(o.weight_decay as f32, grad);
        }
        sq[i] = (w * grad).mul_add(grad, sq[i] * alpha);
        let mut avg = if o.centered {
            ga[i] = if w.abs() < 0.5 {
                w.mul_add(grad - ga[i], ga[i])
            } else {
                (w - 1.0).mul_add(grad - ga[i], grad)
            };
            (-1.0 * ga[i]).mul_add(ga[i], sq[i]).sqrt()
        } else {
            sq[i].sqrt()
        };
        avg += o.eps as f32;
        if o.momentum > 0.0 {
            buf[i] *= o.momentum as f32;
            buf[i] += 1.0 * grad / avg;
            p[i] = buf[i].mul_add(-o.lr as f32, p[i]);
        } else {
            p[i] += -o.lr as f32 * grad / avg;
        }
    }
}

fn wave(n: usize, k: f32, offset: f32) -> Vec<f32> {
    (0..n)
        .map(|j| (j as f32 * k).sin() * 0.5 + offset)
        .collect()
}

fn zeros(sizes: &[usize], used: bool) -> Vec<Vec<f32>> {
    if used {
        sizes.iter().map(|&n| vec![0.0; n]).collect()
    } else {
        Vec::new()
    }
}

/// The bits of every parameter: a centered variance that rounds below 0 gives NaN, as in torch.
fn bits(p: Vec<Vec<f32>>) -> Vec<Vec<u32>> {
    p.into_iter()
        .map(|b| b.into_iter().map(f32::to_bits).collect())
        .collect()
}

fn run(o: &RmspropOptions, sizes: &[usize], simd: Simd) -> Vec<Vec<u32>> {
    let mut p: Vec<Vec<f32>> = sizes.iter().map(|&n| wave(n, 0.3, 0.1)).collect();
    let mut sq = zeros(sizes, true);
    let mut ga = zeros(sizes, o.centered);
    let mut buf = zeros(sizes, o.momentum > 0.0);
    for t in 1..=20 {
        let g: Vec<Vec<f32>> = sizes
            .iter()
            .map(|&n| wave(n, 0.07 * t as f32, -0.05))
            .collect();
        rmsprop_step_with(
            &mut p.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &g.iter().map(|b| &b[..]).collect::<Vec<_>>(),
            &mut sq.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &mut ga.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            &mut buf.iter_mut().map(|b| &mut b[..]).collect::<Vec<_>>(),
            o,
            simd,
        )
        .unwrap();
    }
    bits(p)
}

fn run_reference(o: &RmspropOptions, sizes: &[usize]) -> Vec<Vec<u32>> {
    let mut p: Vec<Vec<f32>> = sizes.iter().map(|&n| wave(n, 0.3, 0.1)).collect();
    let mut sq = zeros(sizes, true);
    let mut ga = zeros(sizes, true);
    let mut buf = zeros(sizes, true);
    for t in 1..=20 {
        for (b, &n) in sizes.iter().enumerate() {
            let g = wave(n, 0.07 * t as f32, -0.05);
            reference(o, &mut p[b], &g, &mut sq[b], &mut ga[b], &mut buf[b]);
        }
    }
    bits(p)
}

fn options() -> Vec<RmspropOptions> {
    let d = RmspropOptions::default();
    vec![
        d,
        RmspropOptions {
            centered: true,
            ..d
        },
        RmspropOptions {
            momentum: 0.9,
            weight_decay: 0.01,
            ..d
        },
        RmspropOptions {
            centered: true,
            momentum: 0.5,
            maximize: true,
            alpha: 0.3,
            ..d
        },
    ]
}

#[test]
fn twenty_steps_equal_the_scalar_reference_on_every_simd_path() {
    let sizes = [37, 1, 64];
    for o in &options() {
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
    let o = options()[3];
    set_num_threads(1).unwrap();
    let one = run(&o, &sizes, cpu::active());
    set_num_threads(2).unwrap();
    let two = run(&o, &sizes, cpu::active());
    assert!(one == two);
}

#[test]
fn buffers_a_mode_does_not_use_are_refused() {
    let mut p = [0f32; 3];
    let d = RmspropOptions::default();
    let err = rmsprop_step(
        &mut [&mut p],
        &[&[0.0; 3]],
        &mut [&mut [0.0; 3]],
        &mut [&mut [0.0; 3]],
        &mut [],
        &d,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rmsprop_step: grad_avgs has 1 buffers, expected 0 (centered is off)"
    );
    let momentum = RmspropOptions { momentum: 0.9, ..d };
    let err = rmsprop_step(
        &mut [&mut p],
        &[&[0.0; 3]],
        &mut [&mut [0.0; 3]],
        &mut [],
        &mut [],
        &momentum,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rmsprop_step: momentum_buffers has 0 buffers, expected 1 (one per parameter)"
    );
}
