//! Adadelta (`torch/optim/adadelta.py`, `_single_tensor_adadelta`, the path PyTorch takes on CPU).
//!
//! Per element, in PyTorch's order and float32 roundings (`addcmul` and `add(alpha)` are FMAs in
//! PyTorch's vectorised CPU kernels, as here):
//! ```text
//! grad = -grad if maximize;  grad = grad + wd·param                    (when wd ≠ 0)
//! square_avg = square_avg·rho + (1 − rho)·grad·grad
//! delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) · grad
//! acc_delta = acc_delta·rho + (1 − rho)·delta·delta
//! param = param − lr·delta
//! ```
use super::buffers::{check_count, check_each_len, for_each_chunk, Ptr};
use crate::cpu::{self, Simd};
use crate::denormals::FlushDenormals;
use crate::error::{check_finite, KernelResult};
use crate::simd;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdadeltaOptions {
    pub lr: f64,
    pub rho: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub maximize: bool,
}

impl Default for AdadeltaOptions {
    fn default() -> Self {
        Self {
            lr: 1.0,
            rho: 0.9,
            eps: 1e-6,
            weight_decay: 0.0,
            maximize: false,
        }
    }
}

#[derive(Clone, Copy)]
struct Scalars {
    grad_sign: f32,
    weight_decay: f32,
    rho: f32,
    one_minus_rho: f32,
    eps: f32,
    neg_lr: f32,
}

#[derive(Clone, Copy)]
struct Slot {
    param: Ptr<f32>,
    grad: Ptr<f32>,
    square_avg: Ptr<f32>,
    acc_delta: Ptr<f32>,
}

/// One Adadelta step over every parameter, updating `square_avgs` and `acc_deltas` in place.
pub fn adadelta_step(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    square_avgs: &mut [&mut [f32]],
    acc_deltas: &mut [&mut [f32]],
    options: &AdadeltaOptions,
) -> KernelResult {
    adadelta_step_with(
        params,
        grads,
        square_avgs,
        acc_deltas,
        options,
        cpu::active(),
    )
}

pub fn adadelta_step_with(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    square_avgs: &mut [&mut [f32]],
    acc_deltas: &mut [&mut [f32]],
    options: &AdadeltaOptions,
    simd: Simd,
) -> KernelResult {
    const OP: &str = "adadelta_step";
    let o = options;
    for (name, v) in [
        ("lr", o.lr),
        ("rho", o.rho),
        ("eps", o.eps),
        ("weight_decay", o.weight_decay),
    ] {
        check_finite(OP, name, v)?;
    }
    let n = params.len();
    check_count(OP, "grads", grads.len(), n)?;
    check_count(OP, "square_avgs", square_avgs.len(), n)?;
    check_count(OP, "acc_deltas", acc_deltas.len(), n)?;
    check_each_len(OP, "grads", grads.iter().map(|b| b.len()), params)?;
    check_each_len(
        OP,
        "square_avgs",
        square_avgs.iter().map(|b| b.len()),
        params,
    )?;
    check_each_len(OP, "acc_deltas", acc_deltas.iter().map(|b| b.len()), params)?;

    let scalars = Scalars {
        grad_sign: if o.maximize { -1.0 } else { 1.0 },
        weight_decay: o.weight_decay as f32,
        rho: o.rho as f32,
        one_minus_rho: (1.0 - o.rho) as f32,
        eps: o.eps as f32,
        neg_lr: (-o.lr) as f32,
    };
    let slots: Vec<Slot> = (0..n)
        .map(|i| Slot {
            param: Ptr(params[i].as_mut_ptr()),
            grad: Ptr(grads[i].as_ptr().cast_mut()),
            square_avg: Ptr(square_avgs[i].as_mut_ptr()),
            acc_delta: Ptr(acc_deltas[i].as_mut_ptr()),
        })
        .collect();
    let lens: Vec<usize> = params.iter().map(|p| p.len()).collect();
    let decay = o.weight_decay != 0.0;
    // Two square roots and a division per element.
    for_each_chunk(&lens, 16, |b, range| {
        // Per task: the mode is per thread. See NOTE [ Why flush subnormals ] in denormals.rs.
        let _flush = FlushDenormals::new();
        let slot = &slots[b];
        // SAFETY: disjoint ranges inside buffers whose lengths were checked equal above.
        unsafe {
            let p = slot.param.slice_mut(range.clone());
            let g = slot.grad.slice(range.clone());
            let sq = slot.square_avg.slice_mut(range.clone());
            let acc = slot.acc_delta.slice_mut(range);
            update(simd, &scalars, decay, p, g, sq, acc);
        }
    });
    Ok(())
}

simd::kernel! {
    /// The update of one chunk, compiled for the path (IEEE FMA, sqrt and division: every path
    /// gives the same bits).
    fn update(s: &Scalars, decay: bool, p: &mut [f32], g: &[f32], sq: &mut [f32], acc: &mut [f32]) {
        vector: if decay {
            update_elements::<true>(s, p, g, sq, acc)
        } else {
            update_elements::<false>(s, p, g, sq, acc)
        },
    }
}

#[inline(always)]
fn update_elements<const DECAY: bool>(
    s: &Scalars,
    p: &mut [f32],
    g: &[f32],
    sq: &mut [f32],
    acc: &mut [f32],
) {
    let n = p.len();
    let (g, sq, acc) = (&g[..n], &mut sq[..n], &mut acc[..n]);
    for i in 0..n {
        let mut grad = g[i] * s.grad_sign;
        if DECAY {
            grad = p[i].mul_add(s.weight_decay, grad);
        }
        let square_avg = (s.one_minus_rho * grad).mul_add(grad, sq[i] * s.rho);
        sq[i] = square_avg;
        let std = (square_avg + s.eps).sqrt();
        let delta = (acc[i] + s.eps).sqrt() / std * grad;
        acc[i] = (s.one_minus_rho * delta).mul_add(delta, acc[i] * s.rho);
        p[i] = delta.mul_add(s.neg_lr, p[i]);
    }
}

#[cfg(test)]
mod tests;
