//! `softmax`/`logSoftmax` over the middle axis of an `(outer, dim, inner)` view, and their
//! backward. Numerically stable: each line is shifted by its maximum before `exp`.
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelResult};
use crate::reduce::View;
use crate::threads;

#[cfg(test)]
mod tests;

/// Lines (outer × inner positions) per parallel task: about `TASK_ELEMS` elements of work.
use crate::tuning::SOFTMAX_TASK_ELEMS as TASK_ELEMS;

/// `out = softmax(x)` (or `log_softmax` when `log`) along `dim`.
pub fn softmax(
    x: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    out: &mut [f32],
    log: bool,
) -> KernelResult {
    softmax_with(cpu::active(), x, outer, dim, inner, out, log)
}

pub(crate) fn softmax_with(
    simd: Simd,
    x: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    out: &mut [f32],
    log: bool,
) -> KernelResult {
    const OP: &str = "softmax";
    let view = View::new(OP, outer, dim, inner, "x", x.len())?;
    check_len(OP, "out", out.len(), x.len(), &view.describe())?;
    let simd = crate::simd::for_row_len(simd, view.dim);
    for_each_block(view, out, |o, out_block| {
        let x_block = &x[o * view.dim * view.inner..(o + 1) * view.dim * view.inner];
        if view.inner == 1 {
            row::softmax_row(simd, x_block, out_block, log);
        } else {
            row::softmax_columns(x_block, view.dim, view.inner, out_block, log);
        }
    });
    Ok(())
}

/// `gradIn` from `gradOut` and the forward's output `y`: `y·(g − Σ g·y)` for softmax,
/// `g − exp(y)·Σ g` for log-softmax (PyTorch's `_softmax_backward_data`).
#[allow(clippy::too_many_arguments)]
pub fn softmax_backward(
    grad_out: &[f32],
    y: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    grad_in: &mut [f32],
    log: bool,
) -> KernelResult {
    softmax_backward_with(cpu::active(), grad_out, y, outer, dim, inner, grad_in, log)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn softmax_backward_with(
    simd: Simd,
    grad_out: &[f32],
    y: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    grad_in: &mut [f32],
    log: bool,
) -> KernelResult {
    const OP: &str = "softmaxBackward";
    let view = View::new(OP, outer, dim, inner, "gradOut", grad_out.len())?;
    check_len(OP, "y", y.len(), grad_out.len(), &view.describe())?;
    check_len(
        OP,
        "gradIn",
        grad_in.len(),
        grad_out.len(),
        &view.describe(),
    )?;
    for_each_block(view, grad_in, |o, gi| {
        let range = o * view.dim * view.inner..(o + 1) * view.dim * view.inner;
        let (g, yb) = (&grad_out[range.clone()], &y[range]);
        if view.inner == 1 {
            row::softmax_backward_row(simd, g, yb, gi, log);
        } else {
            row::softmax_backward_columns(g, yb, view.dim, view.inner, gi, log);
        }
    });
    Ok(())
}

/// Calls `f(o, out_block)` for every outer index, in fixed groups across threads.
fn for_each_block(view: View, out: &mut [f32], f: impl Fn(usize, &mut [f32]) + Sync + Send) {
    let block = view.dim * view.inner;
    if block == 0 {
        return;
    }
    let per_task = (TASK_ELEMS / block).max(1);
    threads::par_chunks_mut(out, per_task * block, out.len() * 8, |start, chunk| {
        for (j, out_block) in chunk.chunks_mut(block).enumerate() {
            f(start / block + j, out_block);
        }
    });
}

pub(crate) mod row {
    //! One softmax line at a time. Contiguous rows (`inner == 1`, the common case) have SIMD paths;
    //! strided columns are computed in place in `out` across `inner`.
    use crate::simd::{self, Vf32};

    /// Max of a row, NaN if any element is NaN (so the NaN reaches every output, as PyTorch).
    pub(crate) fn row_max(x: &[f32]) -> f32 {
        x.iter().fold(f32::NEG_INFINITY, |m, &v| {
            if v.is_nan() || m.is_nan() {
                f32::NAN
            } else {
                m.max(v)
            }
        })
    }

    #[inline(always)]
    unsafe fn softmax_row_vector<V: Vf32>(x: &[f32], out: &mut [f32], log: bool) {
        let m = simd::row_max::<V>(x);
        if log {
            let sum = simd::sum_exp::<V>(x, m, None);
            let shift = V::splat(m + sum.ln());
            let s = m + sum.ln();
            simd::map1::<V>(x, out, |v| v.sub(shift), |v| v - s);
        } else {
            let sum = simd::sum_exp::<V>(x, m, Some(&mut *out));
            simd::scale_in_place::<V>(out, 1.0 / sum);
        }
    }

    simd::kernel! {
        /// `softmax`/`log_softmax` of one contiguous row.
        pub(crate) fn softmax_row(x: &[f32], out: &mut [f32], log: bool) {
            vector: softmax_row_vector::<V>(x, out, log),
            scalar: softmax_row_scalar(x, out, log),
        }
    }

    pub(crate) fn softmax_row_scalar(x: &[f32], out: &mut [f32], log: bool) {
        let m = row_max(x);
        let mut sum = 0f64;
        if log {
            for &v in x {
                sum += ((v - m).exp()) as f64;
            }
            let shift = m + (sum as f32).ln();
            for (o, &v) in out.iter_mut().zip(x) {
                *o = v - shift;
            }
        } else {
            for (o, &v) in out.iter_mut().zip(x) {
                let e = (v - m).exp();
                *o = e;
                sum += e as f64;
            }
            let inv = 1.0 / sum as f32;
            out.iter_mut().for_each(|o| *o *= inv);
        }
    }

    pub(crate) fn softmax_columns(x: &[f32], dim: usize, inner: usize, out: &mut [f32], log: bool) {
        // out's first row holds the running max, then per-column sums are kept in f64 scratch.
        let mut max = x[..inner].to_vec();
        for d in 1..dim {
            for (m, &v) in max.iter_mut().zip(&x[d * inner..(d + 1) * inner]) {
                *m = if v.is_nan() || m.is_nan() {
                    f32::NAN
                } else {
                    m.max(v)
                };
            }
        }
        let mut sum = vec![0f64; inner];
        for d in 0..dim {
            let (xs, os) = (
                &x[d * inner..(d + 1) * inner],
                &mut out[d * inner..(d + 1) * inner],
            );
            for k in 0..inner {
                let e = (xs[k] - max[k]).exp();
                sum[k] += e as f64;
                if !log {
                    os[k] = e;
                }
            }
        }
        for d in 0..dim {
            let (xs, os) = (
                &x[d * inner..(d + 1) * inner],
                &mut out[d * inner..(d + 1) * inner],
            );
            for k in 0..inner {
                if log {
                    os[k] = xs[k] - (max[k] + (sum[k] as f32).ln());
                } else {
                    os[k] *= 1.0 / sum[k] as f32;
                }
            }
        }
    }

    simd::kernel! {
        /// The softmax/log-softmax gradient of one contiguous row: the reference loops compiled
        /// for the path (the elementwise part vectorises; the f64 sum keeps its order), so the
        /// bits equal the reference's.
        pub(crate) fn softmax_backward_row(g: &[f32], y: &[f32], gi: &mut [f32], log: bool) {
            vector: softmax_backward_row_scalar(g, y, gi, log),
        }
    }

    #[inline(always)]
    pub(crate) fn softmax_backward_row_scalar(g: &[f32], y: &[f32], gi: &mut [f32], log: bool) {
        if log {
            let s = g.iter().fold(0f64, |s, &v| s + v as f64) as f32;
            for ((o, &gv), &yv) in gi.iter_mut().zip(g).zip(y) {
                *o = gv - yv.exp() * s;
            }
        } else {
            let s = g
                .iter()
                .zip(y)
                .fold(0f64, |s, (&gv, &yv)| s + (gv * yv) as f64) as f32;
            for ((o, &gv), &yv) in gi.iter_mut().zip(g).zip(y) {
                *o = yv * (gv - s);
            }
        }
    }

    pub(crate) fn softmax_backward_columns(
        g: &[f32],
        y: &[f32],
        dim: usize,
        inner: usize,
        gi: &mut [f32],
        log: bool,
    ) {
        let mut sum = vec![0f64; inner];
        for (gs, ys) in g.chunks_exact(inner).zip(y.chunks_exact(inner)).take(dim) {
            for ((s, &gv), &yv) in sum.iter_mut().zip(gs).zip(ys) {
                *s += if log { gv as f64 } else { (gv * yv) as f64 };
            }
        }
        let rows = g
            .chunks_exact(inner)
            .zip(y.chunks_exact(inner))
            .zip(gi.chunks_exact_mut(inner));
        for ((gs, ys), os) in rows {
            for (((o, &gv), &yv), &s) in os.iter_mut().zip(gs).zip(ys).zip(&sum) {
                let s = s as f32;
                *o = if log {
                    gv - yv.exp() * s
                } else {
                    yv * (gv - s)
                };
            }
        }
    }
}
