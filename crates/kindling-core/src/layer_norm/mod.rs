//! Layer normalisation and RMS normalisation over the last `n` elements of each of `rows` rows,
//! fused per row: statistics (in f64), normalisation and the affine map in one pass each way.
//!
//! LayerNorm: `y = (x − mean)·rstd·w + b`, `rstd = 1/√(var + eps)` with the biased variance.
//! RMSNorm:   `y = x·rstd·w`, `rstd = 1/√(mean(x²) + eps)`.
//! Backward, with `x̂ = (x − mean)·rstd` (LayerNorm) or `x·rstd` (RMSNorm) and `g = dy·w`:
//! `dx = rstd·(g − mean(g) − x̂·mean(g·x̂))` (RMSNorm has no `mean(g)` term); `dw = Σ dy·x̂`,
//! `db = Σ dy` over rows, as per-chunk partial sums (`tuning::NORM_ROWS_PER_TASK` rows) added in
//! chunk order, so results do not depend on the thread count.
use crate::error::{check_len, KernelResult};
use crate::options::Packed;
use crate::threads;
use crate::tuning::NORM_ROWS_PER_TASK;
use crate::{cpu, simd};
use std::sync::Mutex;

#[cfg(test)]
mod tests;

/// Sizes and settings of a normalisation call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormOptions {
    pub rows: usize,
    /// Elements normalised together (the product of `normalized_shape`).
    pub n: usize,
    pub eps: f64,
    /// RMSNorm (no mean subtracted, no bias) rather than LayerNorm.
    pub rms: bool,
}

impl Packed for NormOptions {
    const OP: &'static str = "layer_norm";
    const FIELDS: &'static [&'static str] = &["rows", "n", "eps", "rms"];
    fn from_fields(v: &[f64]) -> Self {
        NormOptions {
            rows: v[0] as usize,
            n: v[1] as usize,
            eps: v[2],
            rms: v[3] != 0.0,
        }
    }
}

fn check(
    op: &'static str,
    o: &NormOptions,
    x: &[f32],
    weight: Option<&[f32]>,
    bias: Option<&[f32]>,
) -> KernelResult {
    let sizes = || format!("rows {}, n {}", o.rows, o.n);
    check_len(op, "x", x.len(), o.rows * o.n, &sizes())?;
    if let Some(w) = weight {
        check_len(op, "weight", w.len(), o.n, &sizes())?;
    }
    if let Some(b) = bias {
        check_len(op, "bias", b.len(), o.n, &sizes())?;
    }
    Ok(())
}

/// Row sums run in this many f64 partial sums, element `j` into sum `j % LANES`, folded in a
/// fixed order: one running f64 sum is a chain of dependent adds; the lanes also let the
/// compiler vectorise (NOTE [ LayerNorm rows ] in docs/PERFORMANCE.md). The order is the same
/// on every CPU and thread count.
const LANES: usize = 8;

fn fold(lanes: [f64; LANES]) -> f64 {
    ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
        + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
}

/// `Σ f(row[j])` in [`LANES`] partial sums.
#[inline(always)]
fn lane_sum(row: &[f32], f: impl Fn(f32) -> f64) -> f64 {
    let mut lanes = [0.0f64; LANES];
    let chunks = row.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for (l, &v) in lanes.iter_mut().zip(c) {
            *l += f(v);
        }
    }
    for (l, &v) in lanes.iter_mut().zip(tail) {
        *l += f(v);
    }
    fold(lanes)
}

simd::kernel! {
    /// Normalises a chunk of rows (plain loops, compiled once per SIMD path so they vectorise).
    fn norm_rows(o: &NormOptions, x: &[f32], weight: Option<&[f32]>, bias: Option<&[f32]>, out: &mut [f32], mean: &mut [f32], rstd: &mut [f32]) {
        vector: norm_rows_plain(o, x, weight, bias, out, mean, rstd),
    }
}

#[inline(always)]
fn norm_rows_plain(
    o: &NormOptions,
    x: &[f32],
    weight: Option<&[f32]>,
    bias: Option<&[f32]>,
    out: &mut [f32],
    mean: &mut [f32],
    rstd: &mut [f32],
) {
    for (r, (y, row)) in out.chunks_mut(o.n).zip(x.chunks(o.n)).enumerate() {
        let m = if o.rms {
            0.0
        } else {
            lane_sum(row, |v| v as f64) / o.n as f64
        };
        let var = lane_sum(row, |v| (v as f64 - m) * (v as f64 - m)) / o.n as f64;
        let s = 1.0 / (var + o.eps).sqrt();
        mean[r] = m as f32;
        rstd[r] = s as f32;
        let (m, s) = (m as f32, s as f32);
        // One loop per affine case, so none branches per element.
        match (weight, bias) {
            (Some(w), Some(b)) => {
                for (((y, &v), &w), &b) in y.iter_mut().zip(row).zip(w).zip(b) {
                    *y = (v - m) * s * w + b;
                }
            }
            (Some(w), None) => {
                for ((y, &v), &w) in y.iter_mut().zip(row).zip(w) {
                    *y = (v - m) * s * w;
                }
            }
            (None, Some(b)) => {
                for ((y, &v), &b) in y.iter_mut().zip(row).zip(b) {
                    *y = (v - m) * s + b;
                }
            }
            (None, None) => {
                for (y, &v) in y.iter_mut().zip(row) {
                    *y = (v - m) * s;
                }
            }
        }
    }
}

/// `out` = the normalised rows (with the affine map when given); `mean` (0 for RMSNorm) and
/// `rstd` per row for the backward.
pub fn layer_norm(
    x: &[f32],
    weight: Option<&[f32]>,
    bias: Option<&[f32]>,
    out: &mut [f32],
    mean: &mut [f32],
    rstd: &mut [f32],
    o: &NormOptions,
) -> KernelResult {
    const OP: &str = "layer_norm";
    check(OP, o, x, weight, bias)?;
    check_len(OP, "out", out.len(), x.len(), "x's")?;
    check_len(OP, "mean", mean.len(), o.rows, "one per row")?;
    check_len(OP, "rstd", rstd.len(), o.rows, "one per row")?;
    if o.n == 0 {
        mean.fill(0.0);
        rstd.fill(f32::INFINITY);
        return Ok(());
    }
    let chunk = NORM_ROWS_PER_TASK * o.n;
    let stats: Vec<Mutex<(&mut [f32], &mut [f32])>> = mean
        .chunks_mut(NORM_ROWS_PER_TASK)
        .zip(rstd.chunks_mut(NORM_ROWS_PER_TASK))
        .map(Mutex::new)
        .collect();
    threads::par_chunks_mut(out, chunk, x.len(), |start, out| {
        let mut guard = stats[start / chunk]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let (mean, rstd) = &mut *guard;
        let rows = out.len() / o.n;
        norm_rows(
            cpu::active(),
            o,
            &x[start..][..rows * o.n],
            weight,
            bias,
            out,
            mean,
            rstd,
        );
    });
    Ok(())
}

/// A chunk of rows' upstream gradient, input and saved statistics.
struct RowGrads<'a> {
    dy: &'a [f32],
    x: &'a [f32],
    mean: &'a [f32],
    rstd: &'a [f32],
    /// Added to the input gradient (the gradient already summed for the input elsewhere).
    add: Option<&'a [f32]>,
}

simd::kernel! {
    /// The input gradient of a chunk of rows, and its partial sums of Σ dy·x̂ and Σ dy (plain
    /// loops, compiled once per SIMD path so they vectorise).
    fn norm_backward_rows(o: &NormOptions, r: &RowGrads<'_>, weight: Option<&[f32]>, gx: &mut [f32], part: Option<&mut [f32]>) {
        vector: norm_backward_rows_plain(o, r, weight, gx, part),
    }
}

#[inline(always)]
fn norm_backward_rows_plain(
    o: &NormOptions,
    r: &RowGrads<'_>,
    weight: Option<&[f32]>,
    gx: &mut [f32],
    mut part: Option<&mut [f32]>,
) {
    let n = o.n;
    let ones;
    let w = match weight {
        Some(w) => w,
        None => {
            ones = vec![1.0f32; n];
            &ones[..]
        }
    };
    for (row, gx) in gx.chunks_mut(n).enumerate() {
        let xr = &r.x[row * n..][..n];
        let dy = &r.dy[row * n..][..n];
        let (m, s) = (r.mean[row], r.rstd[row]);
        let (mut sum_g, mut sum_gx) = ([0.0f64; LANES], [0.0f64; LANES]);
        for ((d, x), w) in dy.chunks(LANES).zip(xr.chunks(LANES)).zip(w.chunks(LANES)) {
            for (lane, ((&d, &x), &w)) in d.iter().zip(x).zip(w).enumerate() {
                let g = d * w;
                sum_g[lane] += g as f64;
                sum_gx[lane] += (g * ((x - m) * s)) as f64;
            }
        }
        let (sum_g, sum_gx) = (fold(sum_g), fold(sum_gx));
        let mean_g = if o.rms {
            0.0
        } else {
            (sum_g / n as f64) as f32
        };
        let mean_gx = (sum_gx / n as f64) as f32;
        // Zipped iterators, not indices: every slice's length is then known and the loops
        // vectorise (an index into a chunk of unproven length kept a bounds check per element).
        for (((gx, &d), &x), &w) in gx.iter_mut().zip(dy).zip(xr).zip(w) {
            gx_formula(gx, d * w, (x - m) * s, s, mean_g, mean_gx);
        }
        if let Some(add) = r.add {
            // After the rounding to f32: the bits of the engine's own sum of the two.
            for (gx, &a) in gx.iter_mut().zip(&add[row * n..][..n]) {
                *gx += a;
            }
        }
        if let Some(part) = part.as_deref_mut() {
            let (pw, pb) = part.split_at_mut(n);
            for (((pw, pb), &d), &x) in pw.iter_mut().zip(pb.iter_mut()).zip(dy).zip(xr) {
                *pw += d * (x - m) * s;
                *pb += d;
            }
        }
    }
}

#[inline(always)]
fn gx_formula(gx: &mut f32, g: f32, xh: f32, s: f32, mean_g: f32, mean_gx: f32) {
    *gx = s * (g - mean_g - xh * mean_gx);
}

/// `grad_in` (overwritten; plus `addend` elementwise when given) and, when given, `grad_weight` /
/// `grad_bias` (overwritten).
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(
    grad_out: &[f32],
    x: &[f32],
    mean: &[f32],
    rstd: &[f32],
    weight: Option<&[f32]>,
    grad_in: &mut [f32],
    addend: Option<&[f32]>,
    grad_weight: Option<&mut [f32]>,
    grad_bias: Option<&mut [f32]>,
    o: &NormOptions,
) -> KernelResult {
    const OP: &str = "layer_norm_backward";
    check(OP, o, x, weight, None)?;
    check_len(OP, "gradOut", grad_out.len(), x.len(), "x's")?;
    check_len(OP, "gradIn", grad_in.len(), x.len(), "x's")?;
    if let Some(a) = addend {
        check_len(OP, "addend", a.len(), x.len(), "x's")?;
    }
    check_len(OP, "mean", mean.len(), o.rows, "one per row")?;
    check_len(OP, "rstd", rstd.len(), o.rows, "one per row")?;
    if let Some(gw) = grad_weight.as_deref() {
        check_len(OP, "gradWeight", gw.len(), o.n, "n")?;
    }
    if let Some(gb) = grad_bias.as_deref() {
        check_len(OP, "gradBias", gb.len(), o.n, "n")?;
    }
    let n = o.n;
    if n == 0 {
        return Ok(());
    }
    let chunk = NORM_ROWS_PER_TASK * n;
    let chunks = o.rows.div_ceil(NORM_ROWS_PER_TASK);
    let want_params = grad_weight.is_some() || grad_bias.is_some();
    // Per chunk of rows: Σ dy·x̂ then Σ dy, each n long.
    let mut partials = vec![0.0f32; if want_params { chunks * 2 * n } else { 0 }];
    let partial_chunks: Vec<Mutex<&mut [f32]>> =
        partials.chunks_mut(2 * n).map(Mutex::new).collect();
    threads::par_chunks_mut(grad_in, chunk, 3 * x.len(), |start, gx| {
        let c = start / chunk;
        let mut part = partial_chunks
            .get(c)
            .map(|m| m.lock().unwrap_or_else(|e| e.into_inner()));
        let rows = start / n..start / n + gx.len() / n;
        let grads = RowGrads {
            dy: &grad_out[rows.start * n..rows.end * n],
            x: &x[rows.start * n..rows.end * n],
            mean: &mean[rows.clone()],
            rstd: &rstd[rows.clone()],
            add: addend.map(|a| &a[rows.start * n..rows.end * n]),
        };
        norm_backward_rows(
            cpu::active(),
            o,
            &grads,
            weight,
            gx,
            part.as_deref_mut().map(|p| &mut **p),
        );
    });
    if want_params {
        let mut gw = grad_weight;
        let mut gb = grad_bias;
        if let Some(w) = gw.as_deref_mut() {
            w.fill(0.0);
        }
        if let Some(b) = gb.as_deref_mut() {
            b.fill(0.0);
        }
        for part in partials.chunks(2 * n) {
            let (pw, pb) = part.split_at(n);
            if let Some(w) = gw.as_deref_mut() {
                for (a, &v) in w.iter_mut().zip(pw) {
                    *a += v;
                }
            }
            if let Some(b) = gb.as_deref_mut() {
                for (a, &v) in b.iter_mut().zip(pb) {
                    *a += v;
                }
            }
        }
    }
    Ok(())
}
