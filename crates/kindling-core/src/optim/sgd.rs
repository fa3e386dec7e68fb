//! SGD with momentum, dampening and Nesterov (`torch/optim/sgd.py`, `_single_tensor_sgd`):
//! ```text
//! grad = -grad if maximize;  grad = grad + wd·param                      (when wd ≠ 0)
//! if momentum ≠ 0:  buf = grad (first step, no dampening) | buf = buf·momentum + (1 − dampening)·grad
//!                   grad = grad + momentum·buf if nesterov else buf
//! param = param − lr·grad
//! ```
//! PyTorch's vectorised `add(alpha)` is an FMA (`fmadd(other, alpha, self)`); so is every
//! `alpha` addition here, so trajectories match torch bit for bit.
use super::buffers::{check_count, check_each_len, for_each_chunk, Ptr};
use crate::cpu::{self, Simd};
use crate::denormals::FlushDenormals;
use crate::error::{check_finite, KernelResult};
use crate::simd;

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct SgdOptions {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub nesterov: bool,
    pub weight_decay: f64,
    pub maximize: bool,
}

#[derive(Clone, Copy)]
struct Scalars {
    grad_sign: f32,
    weight_decay: f32,
    momentum: f32,
    one_minus_dampening: f32,
    neg_lr: f32,
}

#[derive(Clone, Copy)]
struct Slot {
    param: Ptr<f32>,
    grad: Ptr<f32>,
    buffer: Ptr<f32>,
    /// The momentum buffer holds no history yet: this step copies the gradient into it.
    first: bool,
}

/// One SGD step over every parameter. With `momentum ≠ 0`, `momentum_buffers` and
/// `buffer_initialized` hold one entry per parameter; a buffer whose flag is 0 is filled with the
/// gradient (as `torch.optim.SGD` creates it) and its flag set to 1. With `momentum == 0` both may
/// be empty.
pub fn sgd_step(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    momentum_buffers: &mut [&mut [f32]],
    buffer_initialized: &mut [u8],
    options: &SgdOptions,
) -> KernelResult {
    sgd_step_with(
        params,
        grads,
        momentum_buffers,
        buffer_initialized,
        options,
        cpu::active(),
    )
}

pub fn sgd_step_with(
    params: &mut [&mut [f32]],
    grads: &[&[f32]],
    momentum_buffers: &mut [&mut [f32]],
    buffer_initialized: &mut [u8],
    options: &SgdOptions,
    simd: Simd,
) -> KernelResult {
    const OP: &str = "sgd_step";
    let o = options;
    for (name, v) in [
        ("lr", o.lr),
        ("momentum", o.momentum),
        ("dampening", o.dampening),
        ("weight_decay", o.weight_decay),
    ] {
        check_finite(OP, name, v)?;
    }
    let n = params.len();
    check_count(OP, "grads", grads.len(), n)?;
    check_each_len(OP, "grads", grads.iter().map(|b| b.len()), params)?;
    let use_momentum = o.momentum != 0.0;
    if use_momentum || !momentum_buffers.is_empty() {
        check_count(OP, "momentum_buffers", momentum_buffers.len(), n)?;
        check_each_len(
            OP,
            "momentum_buffers",
            momentum_buffers.iter().map(|b| b.len()),
            params,
        )?;
    }
    if use_momentum || !buffer_initialized.is_empty() {
        check_count(OP, "buffer_initialized", buffer_initialized.len(), n)?;
    }

    let scalars = Scalars {
        grad_sign: if o.maximize { -1.0 } else { 1.0 },
        weight_decay: o.weight_decay as f32,
        momentum: o.momentum as f32,
        one_minus_dampening: (1.0 - o.dampening) as f32,
        neg_lr: (-o.lr) as f32,
    };
    let slots: Vec<Slot> = (0..n)
        .map(|i| Slot {
            param: Ptr(params[i].as_mut_ptr()),
            grad: Ptr(grads[i].as_ptr().cast_mut()),
            buffer: Ptr(momentum_buffers
                .get_mut(i)
                .map_or(std::ptr::null_mut(), |b| b.as_mut_ptr())),
            first: use_momentum && buffer_initialized[i] == 0,
        })
        .collect();
    let lens: Vec<usize> = params.iter().map(|p| p.len()).collect();
    let mode = Mode {
        decay: o.weight_decay != 0.0,
        momentum: use_momentum,
        nesterov: o.nesterov,
    };
    for_each_chunk(&lens, 4, |b, range| {
        // The momentum buffer decays by ×momentum where gradients are 0. Per task: the mode is per
        // thread. See NOTE [ Why flush subnormals ] in denormals.rs.
        let _flush = FlushDenormals::new();
        let slot = &slots[b];
        // SAFETY: disjoint ranges inside buffers whose lengths were checked equal above.
        unsafe {
            let p = slot.param.slice_mut(range.clone());
            let g = slot.grad.slice(range.clone());
            let buf = if mode.momentum {
                slot.buffer.slice_mut(range)
            } else {
                &mut []
            };
            update(simd, &scalars, mode, slot.first, p, g, buf);
        }
    });
    if use_momentum {
        buffer_initialized.fill(1);
    }
    Ok(())
}

#[derive(Clone, Copy)]
struct Mode {
    decay: bool,
    momentum: bool,
    nesterov: bool,
}

simd::kernel! {
    /// The update of one chunk: the element loop compiled for the path.
    fn update(s: &Scalars, mode: Mode, first: bool, p: &mut [f32], g: &[f32], buf: &mut [f32]) {
        vector: update_elements(s, mode, first, p, g, buf),
    }
}

/// The element loop. The branches are loop-invariant, so LLVM unswitches them into one vector loop
/// per variant.
#[inline(always)]
fn update_elements(
    s: &Scalars,
    mode: Mode,
    first: bool,
    p: &mut [f32],
    g: &[f32],
    buf: &mut [f32],
) {
    let n = p.len();
    let g = &g[..n];
    let buf = if mode.momentum { &mut buf[..n] } else { buf };
    for i in 0..n {
        let mut grad = g[i] * s.grad_sign;
        if mode.decay {
            grad = p[i].mul_add(s.weight_decay, grad);
        }
        if mode.momentum {
            let b = if first {
                grad
            } else {
                grad.mul_add(s.one_minus_dampening, buf[i] * s.momentum)
            };
            buf[i] = b;
            grad = if mode.nesterov {
                b.mul_add(s.momentum, grad)
            } else {
                b
            };
        }
        p[i] = grad.mul_add(s.neg_lr, p[i]);
    }
}

#[cfg(test)]
mod tests;
