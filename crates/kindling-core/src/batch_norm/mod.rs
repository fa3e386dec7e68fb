//! Batch normalization over `[N, C, L]` buffers (`L` = the spatial size, 1 for `[N, C]`), per
//! channel: the batch statistics, the normalization with a scale and shift, and the backward.
//! Sums are accumulated in f64 in a fixed order (sample by sample, each plane left to right), so
//! results do not depend on the thread count; channels (statistics) and planes (elementwise
//! passes) are the parallel tasks. `TypeScript` owns the running statistics (a few floats per
//! channel) and autograd.
use crate::error::{check_len, KernelError, KernelResult};
use crate::options::Packed;
use crate::threads;

#[cfg(test)]
mod tests;

/// Sizes of a batch-norm call: `n` samples, `c` channels, `l` elements per plane; `train` says
/// whether the statistics are the batch's (their gradient flows) or fixed (evaluation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchNormOptions {
    pub n: usize,
    pub c: usize,
    pub l: usize,
    pub train: bool,
}

impl Packed for BatchNormOptions {
    const OP: &'static str = "batch_norm";
    const FIELDS: &'static [&'static str] = &["n", "c", "l", "train"];
    fn from_fields(v: &[f64]) -> Self {
        BatchNormOptions { n: v[0] as usize, c: v[1] as usize, l: v[2] as usize, train: v[3] != 0.0 }
    }
}

impl BatchNormOptions {
    fn len(&self) -> usize {
        self.n * self.c * self.l
    }
    fn context(&self) -> String {
        format!("n={}, c={}, l={}", self.n, self.c, self.l)
    }
    fn check(&self, op: &'static str, name: &str, got: usize, want: usize) -> KernelResult {
        check_len(op, name, got, want, &self.context())
    }
}

/// Elements per statistics task's channel below which one thread does all channels.
fn work(o: &BatchNormOptions) -> usize {
    o.len()
}

/// Channel `ch`'s f64 sums over every sample's plane of `a` (and of `a·b` when given).
fn channel_sums(o: &BatchNormOptions, ch: usize, f: impl Fn(usize) -> f64) -> f64 {
    let mut s = 0.0f64;
    for n in 0..o.n {
        let base = (n * o.c + ch) * o.l;
        for i in base..base + o.l {
            s += f(i);
        }
    }
    s
}

/// `mean[c]` and the biased `var[c]` of each channel (two passes: the mean, then the squared
/// deviations, as PyTorch's CPU kernel).
pub fn batch_norm_stats(x: &[f32], mean: &mut [f32], var: &mut [f32], o: &BatchNormOptions) -> KernelResult {
    const OP: &str = "batch_norm_stats";
    o.check(OP, "x", x.len(), o.len())?;
    o.check(OP, "mean", mean.len(), o.c)?;
    o.check(OP, "var", var.len(), o.c)?;
    if o.n * o.l == 0 {
        return Err(KernelError::value(OP, format!("no values per channel ({})", o.context())));
    }
    let count = (o.n * o.l) as f64;
    let mut both = vec![0.0f32; 2 * o.c];
    threads::par_chunks_mut(&mut both, 2, work(o), |start, pair| {
        let ch = start / 2;
        let m = channel_sums(o, ch, |i| x[i] as f64) / count;
        let v = channel_sums(o, ch, |i| {
            let d = x[i] as f64 - m;
            d * d
        }) / count;
        pair[0] = m as f32;
        pair[1] = v as f32;
    });
    for ch in 0..o.c {
        mean[ch] = both[2 * ch];
        var[ch] = both[2 * ch + 1];
    }
    Ok(())
}

/// `out = (x − mean[c])·invstd[c]·weight[c] + bias[c]` (weight 1 and bias 0 when absent).
pub fn batch_norm_apply(
    x: &[f32],
    mean: &[f32],
    invstd: &[f32],
    weight: Option<&[f32]>,
    bias: Option<&[f32]>,
    out: &mut [f32],
    o: &BatchNormOptions,
) -> KernelResult {
    const OP: &str = "batch_norm_apply";
    o.check(OP, "x", x.len(), o.len())?;
    o.check(OP, "out", out.len(), o.len())?;
    o.check(OP, "mean", mean.len(), o.c)?;
    o.check(OP, "invstd", invstd.len(), o.c)?;
    if let Some(w) = weight {
        o.check(OP, "weight", w.len(), o.c)?;
    }
    if let Some(b) = bias {
        o.check(OP, "bias", b.len(), o.c)?;
    }
    if o.len() == 0 {
        return Ok(());
    }
    threads::par_chunks_mut(out, o.l, work(o), |start, plane| {
        let ch = start / o.l % o.c;
        let scale = invstd[ch] * weight.map_or(1.0, |w| w[ch]);
        let shift = bias.map_or(0.0, |b| b[ch]) - mean[ch] * scale;
        for (y, &v) in plane.iter_mut().zip(&x[start..start + o.l]) {
            *y = v.mul_add(scale, shift);
        }
    });
    Ok(())
}

/// Per channel, `sum_dy[c] = Σ dy` and `sum_dy_xhat[c] = Σ dy·(x − mean)·invstd`: the bias and
/// weight gradients, and the two reductions the input gradient needs.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_backward_reduce(
    grad_out: &[f32],
    x: &[f32],
    mean: &[f32],
    invstd: &[f32],
    sum_dy: &mut [f32],
    sum_dy_xhat: &mut [f32],
    o: &BatchNormOptions,
) -> KernelResult {
    const OP: &str = "batch_norm_backward_reduce";
    o.check(OP, "gradOut", grad_out.len(), o.len())?;
    o.check(OP, "x", x.len(), o.len())?;
    for (name, v) in [("mean", mean.len()), ("invstd", invstd.len()), ("sumDy", sum_dy.len()), ("sumDyXhat", sum_dy_xhat.len())] {
        o.check(OP, name, v, o.c)?;
    }
    let mut both = vec![0.0f32; 2 * o.c];
    threads::par_chunks_mut(&mut both, 2, work(o), |start, pair| {
        let ch = start / 2;
        let m = mean[ch] as f64;
        pair[0] = channel_sums(o, ch, |i| grad_out[i] as f64) as f32;
        pair[1] = (channel_sums(o, ch, |i| grad_out[i] as f64 * (x[i] as f64 - m)) * invstd[ch] as f64) as f32;
    });
    for ch in 0..o.c {
        sum_dy[ch] = both[2 * ch];
        sum_dy_xhat[ch] = both[2 * ch + 1];
    }
    Ok(())
}

/// The input gradient. Training (batch statistics):
/// `dx = weight·invstd·(dy − sum_dy/M − xhat·sum_dy_xhat/M)` with `M = n·l`; evaluation (fixed
/// statistics): `dx = weight·invstd·dy`.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_backward_input(
    grad_out: &[f32],
    x: &[f32],
    mean: &[f32],
    invstd: &[f32],
    weight: Option<&[f32]>,
    sums: &[f32],
    grad_in: &mut [f32],
    o: &BatchNormOptions,
) -> KernelResult {
    const OP: &str = "batch_norm_backward_input";
    o.check(OP, "gradOut", grad_out.len(), o.len())?;
    o.check(OP, "x", x.len(), o.len())?;
    o.check(OP, "gradIn", grad_in.len(), o.len())?;
    o.check(OP, "mean", mean.len(), o.c)?;
    o.check(OP, "invstd", invstd.len(), o.c)?;
    // `sums` holds sum_dy then sum_dy_xhat (2c floats), read only in training.
    o.check(OP, "sums", sums.len(), 2 * o.c)?;
    if let Some(w) = weight {
        o.check(OP, "weight", w.len(), o.c)?;
    }
    if o.len() == 0 {
        return Ok(());
    }
    let m_count = (o.n * o.l) as f32;
    threads::par_chunks_mut(grad_in, o.l, work(o), |start, plane| {
        let ch = start / o.l % o.c;
        let k = invstd[ch] * weight.map_or(1.0, |w| w[ch]);
        let dy = &grad_out[start..start + o.l];
        if !o.train {
            for (g, &d) in plane.iter_mut().zip(dy) {
                *g = d * k;
            }
            return;
        }
        let mean_dy = sums[ch] / m_count;
        let proj = sums[o.c + ch] / m_count * invstd[ch];
        let xs = &x[start..start + o.l];
        for ((g, &d), &v) in plane.iter_mut().zip(dy).zip(xs) {
            let xhat_scaled = (v - mean[ch]) * proj;
            *g = (d - mean_dy - xhat_scaled) * k;
        }
    });
    Ok(())
}
