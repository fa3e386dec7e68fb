//! The three convolution passes on the direct kernels of [`super::direct`]: source buffers
//! (padded copies, `gradOut` on the wide grid), weight packing and the parallel split, which is
//! the im2col path's (images per task; grad weight in fixed chunks of images added in order).
use super::direct::{self, pack_weights, Valid};
use super::Geometry;
use crate::cpu::Simd;
use crate::threads;
use crate::tuning::CONV_WEIGHT_CHUNK;
use std::cell::RefCell;

thread_local! {
    /// Per-thread source buffers (padded images, `gradOut` on the wide grid), reused.
    static SRC: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's source buffer of `len` floats (contents unspecified).
fn with_src<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    SRC.with(|cell| {
        let mut buf = cell.borrow_mut();
        if buf.len() < len {
            buf.resize(len, 0.0);
        }
        let r = f(&mut buf[..len]);
        crate::gemm::packed::release_if_large(&mut buf);
        r
    })
}

/// Copies `v.channels` planes of `h × w` into `buf` (`v.src_len()` floats) at row `top`, column
/// `left` of each `hp × wp` plane; everything else (borders, slack) zero.
fn fill_padded(
    planes: &[f32],
    h: usize,
    w: usize,
    top: usize,
    left: usize,
    v: &Valid,
    buf: &mut [f32],
) {
    buf.fill(0.0);
    for c in 0..v.channels {
        let plane = &mut buf[c * v.plane()..(c + 1) * v.plane()];
        for y in 0..h {
            let at = (top + y) * v.wp + left;
            plane[at..at + w].copy_from_slice(&planes[(c * h + y) * w..(c * h + y + 1) * w]);
        }
    }
}

/// The forward's source layout: the padded input of one group.
fn input_layout(geo: &Geometry) -> Valid {
    let o = &geo.o;
    Valid {
        channels: geo.cig,
        hp: o.in_h + o.pad_h + o.pad_bottom,
        wp: o.in_w + o.pad_w + o.pad_right,
        kh: o.kernel_h,
        kw: o.kernel_w,
        dh: o.dilation_h,
        dw: o.dilation_w,
    }
}

fn padded(geo: &Geometry) -> bool {
    let o = &geo.o;
    o.pad_h + o.pad_w + o.pad_bottom + o.pad_right > 0
}

/// Calls `f` with a pointer to image `n`'s group `g` as the source of `v` (`v.src_len()` floats
/// readable): in place when unpadded and followed by enough of `x`, else a padded copy.
fn with_input<R>(
    geo: &Geometry,
    v: &Valid,
    x: &[f32],
    n: usize,
    g: usize,
    f: impl FnOnce(*const f32) -> R,
) -> R {
    let o = &geo.o;
    let plane = o.in_h * o.in_w;
    let first = n * o.in_channels * plane + g * geo.cig * plane;
    if !padded(geo) && first + v.src_len() <= x.len() {
        return f(x[first..].as_ptr());
    }
    with_src(v.src_len(), |buf| {
        let planes = &x[first..first + geo.cig * plane];
        fill_padded(planes, o.in_h, o.in_w, o.pad_h, o.pad_w, v, buf);
        f(buf.as_ptr())
    })
}

/// Whether grad input can run as a valid convolution of the zero-padded `gradOut` (no side padded
/// by more than the dilated kernel's reach), and pays to (`auto`: enough input channels, whose
/// count is that convolution's output rows, and an im2col gemm too small to run at its best).
pub(crate) fn backward_input_fits(geo: &Geometry, auto: bool) -> bool {
    let o = &geo.o;
    use crate::tuning::{CONV_DIRECT_MAX_GRAD_INPUT_GEMM, CONV_DIRECT_MIN_GRAD_INPUT_CHANNELS};
    if auto
        && (geo.cig < CONV_DIRECT_MIN_GRAD_INPUT_CHANNELS
            || geo.p * geo.cog >= CONV_DIRECT_MAX_GRAD_INPUT_GEMM)
    {
        return false;
    }
    let (rh, rw) = (
        (o.kernel_h - 1) * o.dilation_h,
        (o.kernel_w - 1) * o.dilation_w,
    );
    o.pad_h <= rh && o.pad_bottom <= rh && o.pad_w <= rw && o.pad_right <= rw
}

/// Forward: `out` (overwritten) `= conv2d(x, weight) + bias`.
pub(crate) fn forward(
    simd: Simd,
    geo: &Geometry,
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    work: usize,
) {
    let o = &geo.o;
    let v = input_layout(geo);
    debug_assert_eq!((v.out_h(), v.out_w()), (geo.out_h, geo.out_w));
    let offs = v.offsets();
    let mr = direct::panel_rows(simd);
    let (cog, k, p) = (geo.cog, geo.k, geo.p);
    let packed: Vec<Vec<f32>> = (0..o.groups)
        .map(|g| pack_weights(cog, k, mr, |r, t| weight[(g * cog + r) * k + t]))
        .collect();
    let out_image = o.out_channels * p;
    threads::par_chunks_mut(out, out_image, work, |start, dst| {
        let n = start / out_image;
        for (g, panels) in packed.iter().enumerate() {
            let rows = &mut dst[g * cog * p..(g + 1) * cog * p];
            let init = bias.map(|b| &b[g * cog..(g + 1) * cog]);
            with_input(geo, &v, x, n, g, |src| {
                // SAFETY: `src` holds `v.src_len()` floats (planes + slack); `panels` was packed
                // with this path's panel height.
                unsafe { direct::forward_planes(simd, &v, src, &offs, panels, cog, init, rows) }
            });
        }
    });
}

/// Grad input (overwritten): the full convolution of `gradOut` with the flipped kernel.
pub(crate) fn backward_input(
    simd: Simd,
    geo: &Geometry,
    grad_out: &[f32],
    weight: &[f32],
    grad_in: &mut [f32],
    work: usize,
) {
    let o = &geo.o;
    let (kh, kw) = (o.kernel_h, o.kernel_w);
    let (rh, rw) = ((kh - 1) * o.dilation_h, (kw - 1) * o.dilation_w);
    let (top, left) = (rh - o.pad_h, rw - o.pad_w);
    let v = Valid {
        channels: geo.cog,
        hp: geo.out_h + top + (rh - o.pad_bottom),
        wp: geo.out_w + left + (rw - o.pad_right),
        kh,
        kw,
        dh: o.dilation_h,
        dw: o.dilation_w,
    };
    debug_assert_eq!((v.out_h(), v.out_w()), (o.in_h, o.in_w));
    let offs = v.offsets();
    let mr = direct::panel_rows(simd);
    let (cig, cog, taps) = (geo.cig, geo.cog, kh * kw);
    // Row `ci`, tap `(co, i, j)`: weight[co][ci][kh−1−i][kw−1−j] of the group.
    let packed: Vec<Vec<f32>> = (0..o.groups)
        .map(|g| {
            pack_weights(cig, cog * taps, mr, |ci, t| {
                let (co, ij) = (t / taps, t % taps);
                let (i, j) = (ij / kw, ij % kw);
                weight[((g * cog + co) * cig + ci) * taps + (kh - 1 - i) * kw + (kw - 1 - j)]
            })
        })
        .collect();
    let in_plane = o.in_h * o.in_w;
    let image_len = o.in_channels * in_plane;
    let out_image = o.out_channels * geo.p;
    threads::par_chunks_mut(grad_in, image_len, work, |start, dst| {
        let n = start / image_len;
        for (g, panels) in packed.iter().enumerate() {
            let rows = &mut dst[g * cig * in_plane..(g + 1) * cig * in_plane];
            let dy = &grad_out[n * out_image + g * cog * geo.p..][..cog * geo.p];
            with_src(v.src_len(), |buf| {
                fill_padded(dy, geo.out_h, geo.out_w, top, left, &v, buf);
                // SAFETY: `buf` holds `v.src_len()` floats; `panels` packed for this path.
                unsafe {
                    direct::forward_planes(simd, &v, buf.as_ptr(), &offs, panels, cig, None, rows)
                }
            });
        }
    });
}

/// Grad weight (overwritten): partial sums per fixed chunk of `CONV_WEIGHT_CHUNK` images, added
/// in chunk order.
pub(crate) fn backward_weight(
    simd: Simd,
    geo: &Geometry,
    grad_out: &[f32],
    x: &[f32],
    grad_weight: &mut [f32],
    work: usize,
) {
    let o = &geo.o;
    let v = input_layout(geo);
    let offs = v.offsets();
    // Positions per `gradOut` row on the wide grid: a whole number of vectors on every path.
    let len = v.wide().next_multiple_of(16);
    let (cog, k) = (geo.cog, geo.k);
    let wlen = geo.weight_len();
    let chunks = o.batch.div_ceil(CONV_WEIGHT_CHUNK);
    let mut partials = vec![0.0f32; chunks * wlen];
    let out_image = o.out_channels * geo.p;
    let wide_len = cog * len;
    let src_len = v.src_len();
    threads::par_chunks_mut(&mut partials, wlen, work, |start, part| {
        let chunk = start / wlen;
        let images = chunk * CONV_WEIGHT_CHUNK..((chunk + 1) * CONV_WEIGHT_CHUNK).min(o.batch);
        let count = images.len();
        // [gradOut on the wide grid per image][padded inputs per image, when copied]
        with_src(count * (wide_len + src_len), |buf| {
            let (dys, srcs) = buf.split_at_mut(count * wide_len);
            for g in 0..o.groups {
                let mut pairs = Vec::with_capacity(count);
                for (i, n) in images.clone().enumerate() {
                    let dyw = &mut dys[i * wide_len..(i + 1) * wide_len];
                    let dy = &grad_out[n * out_image + g * cog * geo.p..][..cog * geo.p];
                    // Each row copied, then zeros over the dropped columns and past the last row
                    // (no fill of the whole buffer first: it cost ~2 % of the pass).
                    for (co, dst) in dyw.chunks_exact_mut(len).enumerate() {
                        for y in 0..geo.out_h {
                            let at = y * v.wp;
                            let row = (co * geo.out_h + y) * geo.out_w;
                            dst[at..at + geo.out_w].copy_from_slice(&dy[row..row + geo.out_w]);
                            let gap_end = (at + v.wp).min(len);
                            dst[at + geo.out_w..gap_end].fill(0.0);
                        }
                        let last = (geo.out_h - 1) * v.wp + geo.out_w;
                        dst[last..].fill(0.0);
                    }
                    let plane = o.in_h * o.in_w;
                    let first = n * o.in_channels * plane + g * geo.cig * plane;
                    let src = if !padded(geo) && first + src_len <= x.len() {
                        x[first..].as_ptr()
                    } else {
                        let buf = &mut srcs[i * src_len..(i + 1) * src_len];
                        let planes = &x[first..first + geo.cig * plane];
                        fill_padded(planes, o.in_h, o.in_w, o.pad_h, o.pad_w, &v, buf);
                        buf.as_ptr()
                    };
                    pairs.push((src, dyw.as_ptr()));
                }
                let dw = &mut part[g * cog * k..(g + 1) * cog * k];
                // SAFETY: each source holds `v.src_len()` ≥ `max(offs) + len` floats (the wide
                // grid ends at the last plane's end, `len` rounds it up by < 16 ≤ SLACK); each
                // `gradOut` copy holds `cog · len`.
                unsafe { direct::weight_planes(simd, &pairs, &offs, cog, len, dw) };
            }
        });
    });
    grad_weight.fill(0.0);
    for part in partials.chunks(wlen) {
        for (d, s) in grad_weight.iter_mut().zip(part) {
            *d += s;
        }
    }
}
