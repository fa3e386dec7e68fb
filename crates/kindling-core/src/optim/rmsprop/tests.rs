use super::*;
use crate::optim::step_tests::*;

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
            (-ga[i]).mul_add(ga[i], sq[i]).sqrt()
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

fn zeros(sizes: &[usize], used: bool) -> Vec<Vec<f32>> {
    if used {
        filled(sizes, 0.0)
    } else {
        Vec::new()
    }
}

/// The bits of every parameter: a centered variance that rounds below 0 gives NaN, as in torch.
/// Every NaN compares as one canonical NaN: which NaN an operation makes is the hardware's choice
/// (x86 makes -qNaN, AArch64 +qNaN) and a negation flips a NaN's sign, so only "is NaN" is a
/// result (seen under qemu on aarch64: +qNaN from the kernel, -qNaN from the reference).
fn bits(p: Vec<Vec<f32>>) -> Vec<Vec<u32>> {
    p.into_iter()
        .map(|b| {
            b.into_iter()
                .map(|x| {
                    if x.is_nan() {
                        f32::NAN.to_bits()
                    } else {
                        x.to_bits()
                    }
                })
                .collect()
        })
        .collect()
}

fn run(o: &RmspropOptions, sizes: &[usize], simd: Simd) -> Vec<Vec<u32>> {
    let mut p = initial(sizes);
    let mut sq = zeros(sizes, true);
    let mut ga = zeros(sizes, o.centered);
    let mut buf = zeros(sizes, o.momentum > 0.0);
    for t in 1..=20 {
        let g = gradients(sizes, t);
        rmsprop_step_with(
            &mut views(&mut p),
            &reads(&g),
            &mut views(&mut sq),
            &mut views(&mut ga),
            &mut views(&mut buf),
            o,
            simd,
        )
        .unwrap();
    }
    bits(p)
}

fn run_reference(o: &RmspropOptions, sizes: &[usize]) -> Vec<Vec<u32>> {
    let mut p = initial(sizes);
    let mut sq = zeros(sizes, true);
    let mut ga = zeros(sizes, true);
    let mut buf = zeros(sizes, true);
    for t in 1..=20 {
        for (b, g) in gradients(sizes, t).iter().enumerate() {
            reference(o, &mut p[b], g, &mut sq[b], &mut ga[b], &mut buf[b]);
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
    for o in &options() {
        assert_every_path_gives(&run_reference(o, &SIZES), |path| run(o, &SIZES, path), o);
    }
}

#[test]
fn large_updates_do_not_depend_on_thread_count() {
    let o = options()[3];
    assert_same_on_one_and_two_threads(|| run(&o, &POOL_SIZES, cpu::active()));
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
