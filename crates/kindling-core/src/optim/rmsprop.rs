//! RMSprop (`torch/optim/rmsprop.py`, `_single_tensor_rmsprop`, the path PyTorch takes on CPU).
//!
//! Per element, in PyTorch's order and float32 roundings (`addcmul`, `lerp` and `add(alpha)` are
//! FMAs in PyTorch's vectorised CPU kernels, as here):
//! ```text
//! grad = -grad if maximize;  grad = grad + wd·param                    (when wd ≠ 0)
//! square_avg = square_avg·alpha + (1 − alpha)·grad·grad
//! centered:  grad_avg = lerp(grad_avg, grad, 1 − alpha);  avg = sqrt(square_avg − grad_avg²) + eps
//! else:      avg = sqrt(square_avg) + eps
//! momentum > 0:  buf = buf·momentum + grad / avg;  param = param − lr·buf
//! else:          param = param + (−lr·grad) / avg
//! ```
use super::buffers::{check_count, check_each_len, for_each_chunk, Ptr};
use crate::cpu::{self, Simd};
use crate::denormals::FlushDenormals;
use crate::error::{check_finite, KernelError, KernelResult};
use crate::simd;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RmspropOptions {
    pub lr: f64,
    pub alpha: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub momentum: f64,
    pub centered: bool,
    pub maximize: bool,
}

impl Default for RmspropOptions {
    fn default() -> Self {
        Self {
            lr: 0.01,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            maximize: false,
        }
    }
}

#[derive(Clone, Copy)]
struct Scalars {
    grad_sign: f32,
    weight_decay: f32,
    alpha: f32,
    one_minus_alpha: f32,
    /// `lerp` is `a + w·(g − a)` for `|w| < 0.5`, else `g + (w − 1)·(g − a)` (PyTorch's Lerp.h).
    lerp_small: bool,
    lerp_coeff: f32,
    eps: f32,
    momentum: f32,
    neg_lr: f32,
}

#[derive(Clone, Copy)]
struct Slot {
    param: Ptr<f32>,
    grad: Ptr<f32>,
    square_avg: Ptr<f32>,
    grad_avg: Ptr<f32>,
    momentum_buffer: Ptr<f32>,
}

/// The loop variants: a const parameter each, so every variant vectorises without branches.
#[derive(Clone, Copy)]
struct Mode {
    decay: bool,
    centered: bool,
    momentum: bool,
}

fn optional_ptr(buffers: &mut [&mut [f32]], i: usize) -> Ptr<f32> {
    Ptr(buffers
        .get_mut(i)
        .map_or(std::ptr::null_mut(), |b| b.as_mut_ptr()))
}

/// `buffers` holds one buffer per parameter when `used`, none otherwise.
fn check_optional(
    op: &'static str,
    name: &str,
    buffers: &[&mut [f32]],
    used: bool,
    why: &str,
    params: &[&mut [f32]],
) -> KernelResult {
    if used {
        check_count(op, name, buffers.len(), params.len())?;
        check_each_len(op, name, buffers.iter().map(|b| b.len()), params)
    } else if buffers.is_empty() {
        Ok(())
    } else {
        Err(KernelError::length(
            op,
            format!("{name} has {} buffers, expected 0 ({why})", buffers.len()),
        ))
    }
}

/// One RMSprop step over every parameter. `grad_avgs` is empty unless `centered`;
/// `momentum_buffers` is empty unless `momentum > 0`.
pub fn rmsprop_step(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    square_avgs: &mut [&mut [f32]],
    grad_avgs: &mut [&mut [f32]],
    momentum_buffers: &mut [&mut [f32]],
    options: &RmspropOptions,
) -> KernelResult {
    rmsprop_step_with(
        params,
        grads,
        square_avgs,
        grad_avgs,
        momentum_buffers,
        options,
        cpu::active(),
    )
}

pub fn rmsprop_step_with(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    square_avgs: &mut [&mut [f32]],
    grad_avgs: &mut [&mut [f32]],
    momentum_buffers: &mut [&mut [f32]],
    options: &RmspropOptions,
    simd: Simd,
) -> KernelResult {
    const OP: &str = "rmsprop_step";
    let o = options;
    for (name, v) in [
        ("lr", o.lr),
        ("alpha", o.alpha),
        ("eps", o.eps),
        ("weight_decay", o.weight_decay),
        ("momentum", o.momentum),
    ] {
        check_finite(OP, name, v)?;
    }
    let n = params.len();
    check_count(OP, "grads", grads.len(), n)?;
    check_count(OP, "square_avgs", square_avgs.len(), n)?;
    check_each_len(OP, "grads", grads.iter().map(|b| b.len()), params)?;
    check_each_len(
        OP,
        "square_avgs",
        square_avgs.iter().map(|b| b.len()),
        params,
    )?;
    let mode = Mode {
        decay: o.weight_decay != 0.0,
        centered: o.centered,
        momentum: o.momentum > 0.0,
    };
    check_optional(
        OP,
        "grad_avgs",
        grad_avgs,
        mode.centered,
        "centered is off",
        params,
    )?;
    check_optional(
        OP,
        "momentum_buffers",
        momentum_buffers,
        mode.momentum,
        "momentum is 0",
        params,
    )?;

    let lerp_weight = (1.0 - o.alpha) as f32;
    let scalars = Scalars {
        grad_sign: if o.maximize { -1.0 } else { 1.0 },
        weight_decay: o.weight_decay as f32,
        alpha: o.alpha as f32,
        one_minus_alpha: (1.0 - o.alpha) as f32,
        lerp_small: lerp_weight.abs() < 0.5,
        lerp_coeff: if lerp_weight.abs() < 0.5 {
            lerp_weight
        } else {
            lerp_weight - 1.0
        },
        eps: o.eps as f32,
        momentum: o.momentum as f32,
        neg_lr: (-o.lr) as f32,
    };
    let slots: Vec<Slot> = (0..n)
        .map(|i| Slot {
            param: Ptr(params[i].as_mut_ptr()),
            grad: Ptr(grads[i].as_ptr().cast_mut()),
            square_avg: Ptr(square_avgs[i].as_mut_ptr()),
            grad_avg: optional_ptr(grad_avgs, i),
            momentum_buffer: optional_ptr(momentum_buffers, i),
        })
        .collect();
    let lens: Vec<usize> = params.iter().map(|p| p.len()).collect();
    for_each_chunk(&lens, 12, |b, range| {
        // Per task: the mode is per thread. See NOTE [ Why flush subnormals ] in denormals.rs.
        let _flush = FlushDenormals::new();
        let slot = &slots[b];
        // SAFETY: disjoint ranges inside buffers whose lengths were checked equal above; the
        // optional buffers are sliced only when their mode uses them (and were then checked).
        unsafe {
            let p = slot.param.slice_mut(range.clone());
            let g = slot.grad.slice(range.clone());
            let sq = slot.square_avg.slice_mut(range.clone());
            let ga = if mode.centered {
                slot.grad_avg.slice_mut(range.clone())
            } else {
                &mut []
            };
            let buf = if mode.momentum {
                slot.momentum_buffer.slice_mut(range)
            } else {
                &mut []
            };
            update(simd, &scalars, mode, p, g, sq, ga, buf);
        }
    });
    Ok(())
}

simd::kernel! {
    /// The update of one chunk, monomorphised for the mode and compiled for the path.
    fn update(s: &Scalars, mode: Mode, p: &mut [f32], g: &[f32], sq: &mut [f32], ga: &mut [f32], buf: &mut [f32]) {
        vector: match (mode.decay, mode.centered, mode.momentum) {
            (false, false, false) => update_elements::<false, false, false>(s, p, g, sq, ga, buf),
            (false, false, true) => update_elements::<false, false, true>(s, p, g, sq, ga, buf),
            (false, true, false) => update_elements::<false, true, false>(s, p, g, sq, ga, buf),
            (false, true, true) => update_elements::<false, true, true>(s, p, g, sq, ga, buf),
            (true, false, false) => update_elements::<true, false, false>(s, p, g, sq, ga, buf),
            (true, false, true) => update_elements::<true, false, true>(s, p, g, sq, ga, buf),
            (true, true, false) => update_elements::<true, true, false>(s, p, g, sq, ga, buf),
            (true, true, true) => update_elements::<true, true, true>(s, p, g, sq, ga, buf),
        },
    }
}

#[inline(always)]
fn update_elements<const DECAY: bool, const CENTERED: bool, const MOMENTUM: bool>(
    s: &Scalars,
    p: &mut [f32],
    g: &[f32],
    sq: &mut [f32],
    ga: &mut [f32],
    buf: &mut [f32],
) {
    let n = p.len();
    let (g, sq) = (&g[..n], &mut sq[..n]);
    let ga = if CENTERED { &mut ga[..n] } else { ga };
    let buf = if MOMENTUM { &mut buf[..n] } else { buf };
    for i in 0..n {
        let mut grad = g[i] * s.grad_sign;
        if DECAY {
            grad = p[i].mul_add(s.weight_decay, grad);
        }
        let square_avg = (s.one_minus_alpha * grad).mul_add(grad, sq[i] * s.alpha);
        sq[i] = square_avg;
        let avg = if CENTERED {
            let diff = grad - ga[i];
            let grad_avg = s
                .lerp_coeff
                .mul_add(diff, if s.lerp_small { ga[i] } else { grad });
            ga[i] = grad_avg;
            (-grad_avg).mul_add(grad_avg, square_avg).sqrt()
        } else {
            square_avg.sqrt()
        } + s.eps;
        if MOMENTUM {
            let b = buf[i] * s.momentum + grad / avg;
            buf[i] = b;
            p[i] = b.mul_add(s.neg_lr, p[i]);
        } else {
            p[i] += s.neg_lr * grad / avg;
        }
    }
}

#[cfg(test)]
mod tests;
