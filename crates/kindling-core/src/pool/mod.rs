//! Pooling kernels over `planes` independent row-major planes (`planes = batch · channels`; a
//! 1-D pooling is a plane of height 1 with a kernel of height 1). PyTorch's CPU rules:
//! - max pooling: window `[o·s − p, o·s − p + (k − 1)·d]` stepped by `d`, clipped to the input by
//!   stepping the start forward by `d` while it is negative; the first maximum wins ties, a NaN
//!   replaces the running maximum (so the last NaN of a window is the one reported); the index is
//!   the flat position in the input plane (`h · in_w + w`).
//! - average pooling: window `[o·s − p, min(o·s − p + k, in + p))`; its size before clipping to
//!   the input is the divisor with `count_include_pad`, the clipped size otherwise, and
//!   `divisor_override` (when non-zero) replaces both; an empty clipped window gives 0.
//! - adaptive pooling: window `[floor(o·in/out), ceil((o + 1)·in/out))`.
//!
//! Scalar loops (no SIMD yet); every kernel runs whole planes as tasks of
//! `threads::par_chunks_mut`, so a plane's result never depends on the thread count.
use crate::error::{check_len, KernelError, KernelResult};
use crate::options::Packed;
use crate::simd;
use crate::threads;
use std::sync::Mutex;

#[cfg(test)]
mod tests;

/// The sizes and settings of a (max or average) 2-D pooling; 1-D is `in_h = out_h = kernel_h = 1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pool2dOptions {
    pub planes: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub out_h: usize,
    pub out_w: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub stride_h: usize,
    pub stride_w: usize,
    pub pad_h: usize,
    pub pad_w: usize,
    pub dilation_h: usize,
    pub dilation_w: usize,
    pub count_include_pad: bool,
    /// 0 when there is no override.
    pub divisor_override: usize,
}

impl Packed for Pool2dOptions {
    const OP: &'static str = "pool2d";
    const FIELDS: &'static [&'static str] = &[
        "planes",
        "inH",
        "inW",
        "outH",
        "outW",
        "kernelH",
        "kernelW",
        "strideH",
        "strideW",
        "padH",
        "padW",
        "dilationH",
        "dilationW",
        "countIncludePad",
        "divisorOverride",
    ];
    fn from_fields(v: &[f64]) -> Self {
        let u = |i: usize| v[i] as usize;
        Pool2dOptions {
            planes: u(0),
            in_h: u(1),
            in_w: u(2),
            out_h: u(3),
            out_w: u(4),
            kernel_h: u(5),
            kernel_w: u(6),
            stride_h: u(7),
            stride_w: u(8),
            pad_h: u(9),
            pad_w: u(10),
            dilation_h: u(11),
            dilation_w: u(12),
            count_include_pad: v[13] != 0.0,
            divisor_override: u(14),
        }
    }
}

/// The sizes of an adaptive 2-D pooling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdaptiveOptions {
    pub planes: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub out_h: usize,
    pub out_w: usize,
}

impl Packed for AdaptiveOptions {
    const OP: &'static str = "adaptive_pool2d";
    const FIELDS: &'static [&'static str] = &["planes", "inH", "inW", "outH", "outW"];
    fn from_fields(v: &[f64]) -> Self {
        let u = |i: usize| v[i] as usize;
        AdaptiveOptions {
            planes: u(0),
            in_h: u(1),
            in_w: u(2),
            out_h: u(3),
            out_w: u(4),
        }
    }
}

fn check_sizes(
    op: &'static str,
    input: (&str, usize),
    output: (&str, usize),
    planes: usize,
    in_plane: usize,
    out_plane: usize,
) -> KernelResult {
    let context = format!("{planes} planes of {in_plane} in, {out_plane} out");
    check_len(op, input.0, input.1, planes * in_plane, &context)?;
    check_len(op, output.0, output.1, planes * out_plane, &context)
}

/// The length checks of a forward: `x` against the input planes, the output against the output's.
fn check_forward(op: &'static str, x: &[f32], output: (&str, usize), s: Planes) -> KernelResult {
    check_sizes(
        op,
        ("x", x.len()),
        output,
        s.planes,
        s.in_plane,
        s.out_plane,
    )
}

/// The length checks of a backward: `grad_in` against the input planes, `grad_out` the output's.
fn check_backward(op: &'static str, grad_out: &[f32], grad_in: &[f32], s: Planes) -> KernelResult {
    check_sizes(
        op,
        ("gradIn", grad_in.len()),
        ("gradOut", grad_out.len()),
        s.planes,
        s.in_plane,
        s.out_plane,
    )
}

fn check_pool(op: &'static str, o: &Pool2dOptions) -> KernelResult {
    if o.stride_h == 0 || o.stride_w == 0 || o.dilation_h == 0 || o.dilation_w == 0 {
        return Err(KernelError::value(
            op,
            "stride and dilation must be positive",
        ));
    }
    Ok(())
}

/// One pooling window in input coordinates: rows `h0..h1` stepped by `dh`, columns `w0..w1`
/// stepped by `dw`, and the divisor of an average (0 for an empty window, whose average is 0).
#[derive(Clone, Copy)]
struct Window {
    h0: usize,
    h1: usize,
    dh: usize,
    w0: usize,
    w1: usize,
    dw: usize,
    divisor: f32,
}

impl Window {
    /// A window without dilation.
    fn dense(h0: usize, h1: usize, w0: usize, w1: usize, divisor: f32) -> Self {
        Window {
            h0,
            h1,
            dh: 1,
            w0,
            w1,
            dw: 1,
            divisor,
        }
    }
}

/// The plane sizes every loop below shares.
#[derive(Clone, Copy)]
struct Planes {
    planes: usize,
    in_w: usize,
    in_plane: usize,
    out_w: usize,
    out_plane: usize,
}

impl Planes {
    fn of(planes: usize, in_h: usize, in_w: usize, out_h: usize, out_w: usize) -> Self {
        Planes {
            planes,
            in_w,
            in_plane: in_h * in_w,
            out_w,
            out_plane: out_h * out_w,
        }
    }
}

/// Planes per task: enough that a task reads `POOL_TASK_MIN_ELEMENTS` inputs (one plane per
/// task made the MNIST example's 4,096 planes of 24×24 cost ~2 µs of scheduling each, 11 ms in
/// all). Each plane is computed the same whatever task holds it, so results stay independent of
/// the thread count.
fn planes_per_task(in_plane: usize) -> usize {
    (crate::tuning::POOL_TASK_MIN_ELEMENTS / in_plane.max(1)).max(1)
}

/// Max over each window (first maximum on ties, a NaN replaces the running maximum), whole
/// planes as tasks of the thread pool; the index of an empty window is its clipped start, as
/// PyTorch's. Each task takes its plane's slice of `indices` through an (uncontended) mutex, the
/// safe way to hand a second output to the chunks of the first.
fn max_planes(
    x: &[f32],
    values: &mut [f32],
    indices: &mut [i32],
    s: Planes,
    work: usize,
    window: impl Fn(usize, usize) -> Window + Sync,
) {
    let group = planes_per_task(s.in_plane);
    let chunk = (s.out_plane * group).max(1);
    let index_chunks: Vec<Mutex<&mut [i32]>> = indices.chunks_mut(chunk).map(Mutex::new).collect();
    threads::par_chunks_mut(values, chunk, work, |start, values| {
        let mut indices = index_chunks[start / chunk]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for (q, (values, indices)) in values
            .chunks_mut(s.out_plane.max(1))
            .zip(indices.chunks_mut(s.out_plane.max(1)))
            .enumerate()
        {
            let p = start / s.out_plane.max(1) + q;
            let xp = &x[p * s.in_plane..(p + 1) * s.in_plane];
            // Rows and columns walked with plain counters and one slice per input row: `step_by`
            // and a division per output cost ~4× on the MNIST example's 2×2 pooling.
            let out_w = s.out_w.max(1);
            for (j, (value, index_out)) in values.iter_mut().zip(indices.iter_mut()).enumerate() {
                let (oh, ow) = (j / out_w, j % out_w);
                let win = window(oh, ow);
                let mut best = f32::NEG_INFINITY;
                let mut best_index = win.h0 * s.in_w + win.w0;
                let mut h = win.h0;
                while h < win.h1 {
                    let row = &xp[h * s.in_w..(h + 1) * s.in_w];
                    let mut w = win.w0;
                    while w < win.w1 {
                        let v = row[w];
                        if v > best || v.is_nan() {
                            best = v;
                            best_index = h * s.in_w + w;
                        }
                        w += win.dw;
                    }
                    h += win.dh;
                }
                *value = best;
                *index_out = best_index as i32;
            }
        }
    });
}

/// [`max_planes`] for windows that all lie inside the input (no padding, no dilation, floor
/// mode: the MNIST example's 2×2 pooling): the same visiting order and tie/NaN rules, without the
/// per-output window arithmetic, which cost ~4× here.
fn max_planes_inside(
    x: &[f32],
    values: &mut [f32],
    indices: &mut [i32],
    s: Planes,
    o: &Pool2dOptions,
) {
    let group = planes_per_task(s.in_plane);
    let chunk = (s.out_plane * group).max(1);
    let work = values.len() * o.kernel_h * o.kernel_w;
    let index_chunks: Vec<Mutex<&mut [i32]>> = indices.chunks_mut(chunk).map(Mutex::new).collect();
    threads::par_chunks_mut(values, chunk, work, |start, values| {
        let mut indices = index_chunks[start / chunk]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let first = start / s.out_plane.max(1);
        for (q, (values, indices)) in values
            .chunks_mut(s.out_plane.max(1))
            .zip(indices.chunks_mut(s.out_plane.max(1)))
            .enumerate()
        {
            let xp = &x[(first + q) * s.in_plane..(first + q + 1) * s.in_plane];
            for oh in 0..o.out_h {
                let vrow = &mut values[oh * s.out_w..(oh + 1) * s.out_w];
                let irow = &mut indices[oh * s.out_w..(oh + 1) * s.out_w];
                let h0 = oh * o.stride_h;
                for ow in 0..s.out_w {
                    let w0 = ow * o.stride_w;
                    let mut best = f32::NEG_INFINITY;
                    let mut best_index = h0 * s.in_w + w0;
                    for h in h0..h0 + o.kernel_h {
                        let at = h * s.in_w + w0;
                        for (dw, &v) in xp[at..at + o.kernel_w].iter().enumerate() {
                            // Branch-free select: on real activations the comparison is a coin
                            // flip, and a mispredicted branch per element cost ~40 % here.
                            let take = v > best || v.is_nan();
                            let mask = (take as u32).wrapping_neg();
                            best = f32::from_bits((best.to_bits() & !mask) | (v.to_bits() & mask));
                            let imask = (take as usize).wrapping_neg();
                            best_index = (best_index & !imask) | ((at + dw) & imask);
                        }
                    }
                    vrow[ow] = best;
                    irow[ow] = best_index as i32;
                }
            }
        }
    });
}

/// [`max_planes_inside`] for 2×2 windows with stride 2 (the MNIST example's pooling): each output
/// row from two input rows, the four taps in the same order with the same tie/NaN rule, written
/// without slices per window so the compiler keeps it branch-free (~9 cycles a tap → see
/// docs/PERFORMANCE.md, "Pooling").
fn max_planes_2x2(
    x: &[f32],
    values: &mut [f32],
    indices: &mut [i32],
    s: Planes,
    o: &Pool2dOptions,
) {
    let group = planes_per_task(s.in_plane);
    let chunk = (s.out_plane * group).max(1);
    let work = values.len() * 4;
    let index_chunks: Vec<Mutex<&mut [i32]>> = indices.chunks_mut(chunk).map(Mutex::new).collect();
    let out_w = s.out_w;
    threads::par_chunks_mut(values, chunk, work, |start, values| {
        let mut indices = index_chunks[start / chunk]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if out_w == 0 {
            return;
        }
        let first = start / s.out_plane.max(1);
        for (q, (values, indices)) in values
            .chunks_mut(s.out_plane.max(1))
            .zip(indices.chunks_mut(s.out_plane.max(1)))
            .enumerate()
        {
            let xp = &x[(first + q) * s.in_plane..(first + q + 1) * s.in_plane];
            for oh in 0..o.out_h {
                let top = 2 * oh * s.in_w;
                let r0 = &xp[top..top + 2 * out_w];
                let r1 = &xp[top + s.in_w..top + s.in_w + 2 * out_w];
                let vrow = &mut values[oh * out_w..(oh + 1) * out_w];
                let irow = &mut indices[oh * out_w..(oh + 1) * out_w];
                let below = s.in_w as i32;
                for (ow, ((v, i), (p0, p1))) in vrow
                    .iter_mut()
                    .zip(irow.iter_mut())
                    .zip(r0.chunks_exact(2).zip(r1.chunks_exact(2)))
                    .enumerate()
                {
                    let at = (top + 2 * ow) as i32;
                    let mut best = p0[0];
                    let mut best_index = at;
                    for (tap, offset) in [(p0[1], 1), (p1[0], below), (p1[1], below + 1)] {
                        let take = tap > best || tap.is_nan();
                        best = if take { tap } else { best };
                        best_index = if take { at + offset } else { best_index };
                    }
                    *v = best;
                    *i = best_index;
                }
            }
        }
    });
}

simd::kernel! {
    /// One output row of a 2×2, stride-2 max pooling from input rows `r0` and `r1`, values only:
    /// the four taps in [`max_planes_2x2`]'s order with its tie/NaN rule (the same bits).
    fn max_row_2x2(r0: &[f32], r1: &[f32], out: &mut [f32]) {
        vector: max_row_2x2_loop(r0, r1, out),
    }
}

#[inline(always)]
fn max_row_2x2_loop(r0: &[f32], r1: &[f32], out: &mut [f32]) {
    for ((v, p0), p1) in out
        .iter_mut()
        .zip(r0.chunks_exact(2))
        .zip(r1.chunks_exact(2))
    {
        let mut best = p0[0];
        for tap in [p0[1], p1[0], p1[1]] {
            let take = tap > best || tap.is_nan();
            best = if take { tap } else { best };
        }
        *v = best;
    }
}

/// [`max_planes_2x2`] without the indices (an inference forward, which has no backward).
fn max_values_2x2(x: &[f32], values: &mut [f32], s: Planes) {
    let group = planes_per_task(s.in_plane);
    let chunk = (s.out_plane * group).max(1);
    let work = values.len() * 4;
    let (out_w, simd) = (s.out_w, crate::cpu::active());
    threads::par_chunks_mut(values, chunk, work, |start, values| {
        if out_w == 0 {
            return;
        }
        let first = start / s.out_plane.max(1);
        for (q, values) in values.chunks_mut(s.out_plane.max(1)).enumerate() {
            let xp = &x[(first + q) * s.in_plane..(first + q + 1) * s.in_plane];
            for (oh, row) in values.chunks_exact_mut(out_w).enumerate() {
                let top = 2 * oh * s.in_w;
                let r0 = &xp[top..top + 2 * out_w];
                let r1 = &xp[top + s.in_w..top + s.in_w + 2 * out_w];
                max_row_2x2(simd, r0, r1, row);
            }
        }
    });
}

/// Sum over each window divided by its divisor, whole planes as tasks of the thread pool.
fn avg_planes(
    x: &[f32],
    out: &mut [f32],
    s: Planes,
    work: usize,
    window: impl Fn(usize, usize) -> Window + Sync,
) {
    let group = planes_per_task(s.in_plane);
    threads::par_chunks_mut(out, (s.out_plane * group).max(1), work, |start, out| {
        for (q, out) in out.chunks_mut(s.out_plane.max(1)).enumerate() {
            let p = start / s.out_plane.max(1) + q;
            let xp = &x[p * s.in_plane..(p + 1) * s.in_plane];
            for (j, o) in out.iter_mut().enumerate() {
                let win = window(j / s.out_w, j % s.out_w);
                if win.divisor == 0.0 {
                    *o = 0.0;
                    continue;
                }
                let mut sum = 0.0f32;
                for h in win.h0..win.h1 {
                    for w in win.w0..win.w1 {
                        sum += xp[h * s.in_w + w];
                    }
                }
                *o = sum / win.divisor;
            }
        }
    });
}

/// The backward of `avg_planes`: each output gradient over its divisor is added to every input
/// element of its window; `grad_in` is overwritten, whole planes as tasks of the thread pool.
fn avg_planes_backward(
    grad_out: &[f32],
    grad_in: &mut [f32],
    s: Planes,
    work: usize,
    window: impl Fn(usize, usize) -> Window + Sync,
) {
    let group = planes_per_task(s.in_plane);
    threads::par_chunks_mut(grad_in, (s.in_plane * group).max(1), work, |start, gi| {
        gi.fill(0.0);
        for (q, gi) in gi.chunks_mut(s.in_plane.max(1)).enumerate() {
            let p = start / s.in_plane.max(1) + q;
            for j in 0..s.out_plane {
                let win = window(j / s.out_w, j % s.out_w);
                if win.divisor == 0.0 {
                    continue;
                }
                let g = grad_out[p * s.out_plane + j] / win.divisor;
                for h in win.h0..win.h1 {
                    for w in win.w0..win.w1 {
                        gi[h * s.in_w + w] += g;
                    }
                }
            }
        }
    });
}

/// `[start, end)` of a dilated max-pooling window in input coordinates, PyTorch's clipping: the
/// start steps forward by the dilation while it lies in the padding.
fn dilated_window(o: usize, s: usize, p: usize, k: usize, d: usize, len: usize) -> (usize, usize) {
    let mut start = (o * s) as isize - p as isize;
    let end = (start + ((k - 1) * d) as isize + 1).min(len as isize);
    while start < 0 {
        start += d as isize;
    }
    (start as usize, end.max(start) as usize)
}

fn max_window(o: &Pool2dOptions, oh: usize, ow: usize) -> Window {
    let (h0, h1) = dilated_window(oh, o.stride_h, o.pad_h, o.kernel_h, o.dilation_h, o.in_h);
    let (w0, w1) = dilated_window(ow, o.stride_w, o.pad_w, o.kernel_w, o.dilation_w, o.in_w);
    Window {
        h0,
        h1,
        dh: o.dilation_h,
        w0,
        w1,
        dw: o.dilation_w,
        divisor: 0.0,
    }
}

/// An average-pooling window: clipped to the input, its divisor by PyTorch's rules.
fn avg_window(o: &Pool2dOptions, oh: usize, ow: usize) -> Window {
    let axis = |out: usize, s: usize, p: usize, k: usize, len: usize| {
        let start = (out * s) as isize - p as isize;
        let end = (start + k as isize).min((len + p) as isize);
        let size = end - start;
        (
            start.max(0) as usize,
            end.min(len as isize).max(0) as usize,
            size,
        )
    };
    let (h0, h1, size_h) = axis(oh, o.stride_h, o.pad_h, o.kernel_h, o.in_h);
    let (w0, w1, size_w) = axis(ow, o.stride_w, o.pad_w, o.kernel_w, o.in_w);
    let divisor = if h0 >= h1 || w0 >= w1 {
        0.0
    } else if o.divisor_override != 0 {
        o.divisor_override as f32
    } else if o.count_include_pad {
        (size_h * size_w) as f32
    } else {
        ((h1 - h0) * (w1 - w0)) as f32
    };
    Window::dense(h0, h1, w0, w1, divisor)
}

/// `[floor(o·len/out), ceil((o + 1)·len/out))`, PyTorch's adaptive window, in both axes.
fn adaptive_window(o: &AdaptiveOptions, oh: usize, ow: usize) -> Window {
    let axis = |i: usize, out: usize, len: usize| (i * len / out, ((i + 1) * len).div_ceil(out));
    let (h0, h1) = axis(oh, o.out_h, o.in_h);
    let (w0, w1) = axis(ow, o.out_w, o.in_w);
    Window::dense(h0, h1, w0, w1, ((h1 - h0) * (w1 - w0)) as f32)
}

fn pool_planes(o: &Pool2dOptions) -> Planes {
    Planes::of(o.planes, o.in_h, o.in_w, o.out_h, o.out_w)
}

fn adaptive_planes(o: &AdaptiveOptions) -> Planes {
    Planes::of(o.planes, o.in_h, o.in_w, o.out_h, o.out_w)
}

/// Max pooling: `values` and `indices` (flat positions in the input plane) per output element.
pub fn max_pool2d(
    x: &[f32],
    values: &mut [f32],
    indices: &mut [i32],
    o: &Pool2dOptions,
) -> KernelResult {
    const OP: &str = "max_pool2d";
    check_pool(OP, o)?;
    let s = pool_planes(o);
    check_forward(OP, x, ("values", values.len()), s)?;
    check_len(OP, "indices", indices.len(), values.len(), "one per value")?;
    let inside = windows_inside(o);
    if inside && o.kernel_h == 2 && o.kernel_w == 2 && o.stride_h == 2 && o.stride_w == 2 {
        max_planes_2x2(x, values, indices, s, o);
    } else if inside {
        max_planes_inside(x, values, indices, s, o);
    } else {
        max_planes(
            x,
            values,
            indices,
            s,
            values.len() * o.kernel_h * o.kernel_w,
            |oh, ow| max_window(o, oh, ow),
        );
    }
    Ok(())
}

/// Whether every window lies inside the input with no padding or dilation (the fast paths).
fn windows_inside(o: &Pool2dOptions) -> bool {
    o.pad_h == 0
        && o.pad_w == 0
        && o.dilation_h == 1
        && o.dilation_w == 1
        && (o.out_h == 0 || (o.out_h - 1) * o.stride_h + o.kernel_h <= o.in_h)
        && (o.out_w == 0 || (o.out_w - 1) * o.stride_w + o.kernel_w <= o.in_w)
}

/// Max pooling's values alone, for a forward with no backward (no indices to compute or store):
/// the same values as [`max_pool2d`].
pub fn max_pool2d_values(x: &[f32], values: &mut [f32], o: &Pool2dOptions) -> KernelResult {
    const OP: &str = "max_pool2d";
    check_pool(OP, o)?;
    let s = pool_planes(o);
    check_forward(OP, x, ("values", values.len()), s)?;
    let inside = windows_inside(o);
    if inside && o.kernel_h == 2 && o.kernel_w == 2 && o.stride_h == 2 && o.stride_w == 2 {
        max_values_2x2(x, values, s);
        return Ok(());
    }
    let mut indices = vec![0i32; values.len()];
    max_pool2d(x, values, &mut indices, o)
}

/// The backward of max pooling (plain or adaptive): `grad_in[index] += grad_out` per output
/// element, plane by plane; `grad_in` is overwritten.
pub fn max_pool_backward(
    grad_out: &[f32],
    indices: &[i32],
    grad_in: &mut [f32],
    planes: usize,
    in_plane: usize,
    out_plane: usize,
) -> KernelResult {
    const OP: &str = "max_pool_backward";
    check_sizes(
        OP,
        ("gradIn", grad_in.len()),
        ("gradOut", grad_out.len()),
        planes,
        in_plane,
        out_plane,
    )?;
    check_len(
        OP,
        "indices",
        indices.len(),
        grad_out.len(),
        "one per gradient",
    )?;
    if let Some(&index) = indices.iter().find(|&&i| i < 0 || i as usize >= in_plane) {
        return Err(KernelError::value(
            OP,
            format!("index {index} is outside the input plane of {in_plane} elements"),
        ));
    }
    threads::par_chunks_mut(
        grad_in,
        (in_plane * planes_per_task(in_plane)).max(1),
        grad_out.len() + in_plane * planes,
        |start, gi| {
            gi.fill(0.0);
            for (q, gi) in gi.chunks_mut(in_plane.max(1)).enumerate() {
                let p = start / in_plane.max(1) + q;
                for j in p * out_plane..(p + 1) * out_plane {
                    gi[indices[j] as usize] += grad_out[j];
                }
            }
        },
    );
    Ok(())
}

/// Average pooling (`dilation` is ignored: PyTorch's average pooling has none).
pub fn avg_pool2d(x: &[f32], out: &mut [f32], o: &Pool2dOptions) -> KernelResult {
    const OP: &str = "avg_pool2d";
    check_pool(OP, o)?;
    let s = pool_planes(o);
    check_forward(OP, x, ("out", out.len()), s)?;
    let work = out.len() * o.kernel_h * o.kernel_w;
    avg_planes(x, out, s, work, |oh, ow| avg_window(o, oh, ow));
    Ok(())
}

/// The backward of average pooling; `grad_in` is overwritten.
pub fn avg_pool2d_backward(
    grad_out: &[f32],
    grad_in: &mut [f32],
    o: &Pool2dOptions,
) -> KernelResult {
    const OP: &str = "avg_pool2d_backward";
    check_pool(OP, o)?;
    let s = pool_planes(o);
    check_backward(OP, grad_out, grad_in, s)?;
    let work = grad_out.len() * o.kernel_h * o.kernel_w;
    avg_planes_backward(grad_out, grad_in, s, work, |oh, ow| avg_window(o, oh, ow));
    Ok(())
}

fn check_adaptive(op: &'static str, o: &AdaptiveOptions) -> KernelResult {
    if o.out_h == 0 || o.out_w == 0 {
        return Err(KernelError::value(op, "output sizes must be positive"));
    }
    Ok(())
}

/// Adaptive average pooling.
pub fn adaptive_avg_pool2d(x: &[f32], out: &mut [f32], o: &AdaptiveOptions) -> KernelResult {
    const OP: &str = "adaptive_avg_pool2d";
    check_adaptive(OP, o)?;
    let s = adaptive_planes(o);
    check_forward(OP, x, ("out", out.len()), s)?;
    avg_planes(x, out, s, x.len(), |oh, ow| adaptive_window(o, oh, ow));
    Ok(())
}

/// The backward of adaptive average pooling; `grad_in` is overwritten.
pub fn adaptive_avg_pool2d_backward(
    grad_out: &[f32],
    grad_in: &mut [f32],
    o: &AdaptiveOptions,
) -> KernelResult {
    const OP: &str = "adaptive_avg_pool2d_backward";
    check_adaptive(OP, o)?;
    let s = adaptive_planes(o);
    check_backward(OP, grad_out, grad_in, s)?;
    let work = grad_in.len() + grad_out.len();
    avg_planes_backward(grad_out, grad_in, s, work, |oh, ow| {
        adaptive_window(o, oh, ow)
    });
    Ok(())
}

/// Adaptive max pooling: values and flat input-plane indices, max pooling's tie and NaN rules.
pub fn adaptive_max_pool2d(
    x: &[f32],
    values: &mut [f32],
    indices: &mut [i32],
    o: &AdaptiveOptions,
) -> KernelResult {
    const OP: &str = "adaptive_max_pool2d";
    check_adaptive(OP, o)?;
    let s = adaptive_planes(o);
    check_forward(OP, x, ("values", values.len()), s)?;
    check_len(OP, "indices", indices.len(), values.len(), "one per value")?;
    max_planes(x, values, indices, s, x.len(), |oh, ow| {
        adaptive_window(o, oh, ow)
    });
    Ok(())
}
