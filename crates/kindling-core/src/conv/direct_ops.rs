//! The three convolution passes on the direct kernels of [`super::direct`]: source buffers
//! (padded copies, `gradOut` on the wide grid), weight packing and the parallel split, which is
//! the im2col path's (images per task; grad weight in fixed chunks of images added in order).
use super::direct::{self, weight_rows, Valid};
use super::Geometry;
use crate::cpu::Simd;
use crate::threads::{self, SharedSlice};
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

/// Whether image `n`'s group `g` can be read in place as the source of `v` (unpadded, and either
/// followed by enough of `x` for the slack or read only within its planes by tiles `width` wide).
fn in_place(geo: &Geometry, v: &Valid, x: &[f32], n: usize, g: usize, width: usize) -> bool {
    !padded(geo)
        && (source_start(geo, n, g) + v.src_len() <= x.len()
            || direct::reads_within_planes(v, width))
}

/// Where image `n`'s group `g` starts in `x`.
fn source_start(geo: &Geometry, n: usize, g: usize) -> usize {
    let plane = geo.o.in_h * geo.o.in_w;
    n * geo.o.in_channels * plane + g * geo.cig * plane
}

/// Copies image `n`'s group `g` into `buf` (`v.src_len()` floats) with its padding.
fn copy_source(geo: &Geometry, v: &Valid, x: &[f32], n: usize, g: usize, buf: &mut [f32]) {
    let o = &geo.o;
    let first = source_start(geo, n, g);
    let planes = &x[first..first + geo.cig * o.in_h * o.in_w];
    fill_padded(planes, o.in_h, o.in_w, o.pad_h, o.pad_w, v, buf);
}

/// Calls `f` with a pointer to image `n`'s group `g` as the source of `v` (`v.src_len()` floats
/// readable, or the planes alone when tiles `width` wide read only those): in place when
/// [`in_place`], else a padded copy.
fn with_input<R>(
    geo: &Geometry,
    v: &Valid,
    x: &[f32],
    (n, g): (usize, usize),
    width: usize,
    f: impl FnOnce(*const f32) -> R,
) -> R {
    if in_place(geo, v, x, n, g, width) {
        return f(x[source_start(geo, n, g)..].as_ptr());
    }
    with_src(v.src_len(), |buf| {
        copy_source(geo, v, x, n, g, buf);
        f(buf.as_ptr())
    })
}

/// How a forward's work is split into parallel tasks: every image and group is cut into
/// `panel_blocks` blocks of `panels_per_block` weight panels (output rows) times `tile_blocks`
/// blocks of `tiles_per_block` position tiles. Batches of `tuning::CONV_DIRECT_SPLIT_TASKS` image
/// groups or more are not cut (one task per image, as im2col); smaller ones are cut into about
/// that many tasks, panels first, so that a single image fills the pool. A function of the sizes
/// only: not of the thread count (and no split changes a bit, see `direct::forward_planes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Split {
    pub panels_per_block: usize,
    pub panel_blocks: usize,
    pub tiles_per_block: usize,
    pub tile_blocks: usize,
}

pub(crate) fn forward_split(image_groups: usize, panels: usize, tiles: usize) -> Split {
    use crate::tuning::CONV_DIRECT_SPLIT_TASKS as TASKS;
    let even = |count: usize, blocks: usize| {
        let per = count.div_ceil(blocks.clamp(1, count.max(1)));
        (per, count.div_ceil(per.max(1)))
    };
    let want = TASKS.div_ceil(image_groups.max(1));
    let (panels_per_block, panel_blocks) = even(panels, want.min(panels));
    let (tiles_per_block, tile_blocks) = even(tiles, want.div_ceil(panel_blocks).min(tiles));
    Split {
        panels_per_block,
        panel_blocks,
        tiles_per_block,
        tile_blocks,
    }
}

/// An output pointer that parallel tasks writing disjoint positions may share.
struct SharedOut(*mut f32);
// SAFETY: each task writes only its own block's positions (see `forward`).
unsafe impl Send for SharedOut {}
unsafe impl Sync for SharedOut {}

impl SharedOut {
    /// Through a method, so closures capture the `Sync` wrapper rather than the raw field.
    fn get(&self) -> *mut f32 {
        self.0
    }
}

/// Whether grad input can run as a valid convolution of the zero-padded `gradOut`: no side padded
/// by more than the dilated kernel's reach.
pub(crate) fn backward_input_fits(geo: &Geometry) -> bool {
    let o = &geo.o;
    let (rh, rw) = (
        (o.kernel_h - 1) * o.dilation_h,
        (o.kernel_w - 1) * o.dilation_w,
    );
    o.pad_h <= rh && o.pad_bottom <= rh && o.pad_w <= rw && o.pad_right <= rw
}

/// Which direct grad input runs: the scatter ([`backward_input_scatter`]) unless the full
/// convolution ([`backward_input`]) fits, has `tuning::CONV_DIRECT_MIN_BATCH` images (its tasks)
/// and computes less by the cost model: the full convolution's wide-grid tiles times the depth
/// `C_out/g · kh · kw`, against the scatter's tiles of `gradOut` positions times `kh · kw ·
/// (C_out/g + CONV_SCATTER_OVERHEAD)` (its per-tap register tiles are stored and added back).
/// A function of the sizes and the path alone, so not of the thread count.
pub(crate) fn input_by_scatter(simd: Simd, geo: &Geometry) -> bool {
    use crate::tuning::{CONV_DIRECT_MIN_BATCH, CONV_SCATTER_OVERHEAD};
    if !backward_input_fits(geo) || geo.o.batch < CONV_DIRECT_MIN_BATCH {
        return true;
    }
    let width = direct::tile_positions(simd);
    let full = direct::tile_count(&full_layout(geo), width) * geo.cog;
    let scatter = geo.p.div_ceil(width) * (geo.cog + CONV_SCATTER_OVERHEAD);
    scatter < full
}

/// The full convolution's source layout for grad input: `gradOut` zero-padded by the kernel's
/// reach less the forward's padding.
fn full_layout(geo: &Geometry) -> Valid {
    let o = &geo.o;
    let (rh, rw) = (
        (o.kernel_h - 1) * o.dilation_h,
        (o.kernel_w - 1) * o.dilation_w,
    );
    Valid {
        channels: geo.cog,
        hp: geo.out_h + (rh - o.pad_h) + (rh - o.pad_bottom),
        wp: geo.out_w + (rw - o.pad_w) + (rw - o.pad_right),
        kh: o.kernel_h,
        kw: o.kernel_w,
        dh: o.dilation_h,
        dw: o.dilation_w,
    }
}

/// Forward: `out` (overwritten) `= conv2d(x, weight) + bias`, split per [`forward_split`].
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
    let width = direct::tile_positions(simd);
    let (cog, k, p) = (geo.cog, geo.k, geo.p);
    let panels = cog.div_ceil(mr);
    let tiles = direct::tile_count(&v, width);
    let whole = direct::Block {
        rows: 0..cog,
        tiles: 0..tiles,
    };
    let out_image = o.out_channels * p;
    let image_groups = o.batch * o.groups;
    let split = forward_split(image_groups, panels, tiles);
    if split.panel_blocks * split.tile_blocks == 1 {
        // One task per image; its source copied (when it must be) by the task itself.
        threads::par_chunks_mut(out, out_image, work, |start, dst| {
            let n = start / out_image;
            for g in 0..o.groups {
                let w = &weight[g * cog * k..(g + 1) * cog * k];
                let rows = &mut dst[g * cog * p..(g + 1) * cog * p];
                let init = bias.map(|b| &b[g * cog..(g + 1) * cog]);
                with_input(geo, &v, x, (n, g), width, |src| {
                    // SAFETY: `src` holds the planes (and the slack unless the tiles stay inside
                    // them); `rows` is this task's alone.
                    unsafe {
                        direct::forward_planes(
                            simd,
                            &v,
                            src,
                            &offs,
                            w,
                            init,
                            rows.as_mut_ptr(),
                            &whole,
                        )
                    }
                });
            }
        });
        return;
    }
    // Several tasks per image group: the sources that need a copy are copied once, up front.
    let copied: Vec<bool> = (0..image_groups)
        .map(|ng| !in_place(geo, &v, x, ng / o.groups, ng % o.groups, width))
        .collect();
    let copies = copied.iter().filter(|&&c| c).count();
    with_src(copies * v.src_len(), |buf| {
        let mut sources = Vec::with_capacity(image_groups);
        let mut next = 0;
        for (ng, &copy) in copied.iter().enumerate() {
            let (n, g) = (ng / o.groups, ng % o.groups);
            if copy {
                let dst = &mut buf[next * v.src_len()..(next + 1) * v.src_len()];
                copy_source(geo, &v, x, n, g, dst);
                sources.push(dst.as_ptr() as usize);
                next += 1;
            } else {
                sources.push(x[source_start(geo, n, g)..].as_ptr() as usize);
            }
        }
        let base = SharedOut(out.as_mut_ptr());
        let per_group = split.panel_blocks * split.tile_blocks;
        threads::run_tasks(image_groups * per_group, work, |task| {
            let (ng, b) = (task / per_group, task % per_group);
            let (n, g) = (ng / o.groups, ng % o.groups);
            let (pb, tb) = (b / split.tile_blocks, b % split.tile_blocks);
            let rows =
                pb * split.panels_per_block * mr..((pb + 1) * split.panels_per_block * mr).min(cog);
            let block = direct::Block {
                rows,
                tiles: tb * split.tiles_per_block..((tb + 1) * split.tiles_per_block).min(tiles),
            };
            let init = bias.map(|b| &b[g * cog..(g + 1) * cog]);
            // SAFETY: each source holds the planes (and the slack when copied); the planes of
            // image `n`'s group `g` lie inside `out`, and this task alone writes its block's rows
            // and tiles there.
            unsafe {
                let dst = base.get().add(n * out_image + g * cog * p);
                direct::forward_planes(
                    simd,
                    &v,
                    sources[ng] as *const f32,
                    &offs,
                    &weight[g * cog * k..(g + 1) * cog * k],
                    init,
                    dst,
                    &block,
                )
            }
        });
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
    let v = full_layout(geo);
    debug_assert_eq!((v.out_h(), v.out_w()), (o.in_h, o.in_w));
    let offs = v.offsets();
    let (cig, cog, taps) = (geo.cig, geo.cog, kh * kw);
    // Row `ci`, tap `(co, i, j)`: weight[co][ci][kh−1−i][kw−1−j] of the group.
    let flipped: Vec<Vec<f32>> = (0..o.groups)
        .map(|g| {
            weight_rows(cig, cog * taps, |ci, t| {
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
        for (g, w) in flipped.iter().enumerate() {
            let rows = &mut dst[g * cig * in_plane..(g + 1) * cig * in_plane];
            let dy = &grad_out[n * out_image + g * cog * geo.p..][..cog * geo.p];
            with_src(v.src_len(), |buf| {
                fill_padded(dy, geo.out_h, geo.out_w, top, left, &v, buf);
                let whole = direct::Block {
                    rows: 0..cig,
                    tiles: 0..direct::tile_count(&v, direct::tile_positions(simd)),
                };
                // SAFETY: `buf` holds `v.src_len()` floats; `w` is `cig × K`; `rows` is this
                // task's alone.
                unsafe {
                    direct::forward_planes(
                        simd,
                        &v,
                        buf.as_ptr(),
                        &offs,
                        w,
                        None,
                        rows.as_mut_ptr(),
                        &whole,
                    )
                }
            });
        }
    });
}

/// Grad weight (overwritten): partial sums per fixed chunk of `CONV_WEIGHT_CHUNK` images, added
/// in chunk order. With `grad_bias` (overwritten), each image's `gradOut` rows are also summed as
/// they are copied onto the wide grid (`reduce::sum::row_sum`, in f64, while they are in L1), and
/// every channel's sums added in image order afterwards: the bits of the separate bias pass, which
/// read `gradOut` from memory once more (NOTE [ Grad input by scatter ] in docs/PERFORMANCE.md).
pub(crate) fn backward_weight(
    simd: Simd,
    geo: &Geometry,
    grad_out: &[f32],
    x: &[f32],
    grad_weight: &mut [f32],
    grad_bias: Option<&mut [f32]>,
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
    // Per image and output channel, the sum of its `gradOut` row (when the bias wants it).
    let want_bias = grad_bias.is_some();
    let mut row_sums = vec![
        0.0f64;
        if want_bias {
            o.batch * o.out_channels
        } else {
            0
        }
    ];
    let sums = SharedSlice::new(&mut row_sums);
    if shifted_columns(geo) {
        // `kw` copies of each image's input, copy `j` shifted left by `j·dw` columns and cut to
        // `out_w` columns: tap `(c, i, j)` is then copy `j` read at `c·hp·out_w + i·dh·out_w + p`
        // for the positions `p` of `gradOut`'s own grid, which is read in place (no wide grid).
        let (hp, ow) = (v.hp, geo.out_w);
        let plane_len = hp * ow;
        let copy_len = geo.cig * plane_len;
        let kw = o.kernel_w;
        let soffs: Vec<usize> = (0..geo.cig)
            .flat_map(|c| {
                (0..o.kernel_h).flat_map(move |i| {
                    (0..kw).map(move |j| j * copy_len + c * plane_len + i * o.dilation_h * ow)
                })
            })
            .collect();
        let np = geo.p;
        threads::par_chunks_mut(&mut partials, wlen, work, |start, part| {
            let chunk = start / wlen;
            let images = chunk * CONV_WEIGHT_CHUNK..((chunk + 1) * CONV_WEIGHT_CHUNK).min(o.batch);
            let count = images.len();
            with_src(count * kw * copy_len, |buf| {
                for g in 0..o.groups {
                    let mut pairs = Vec::with_capacity(count);
                    for (im, n) in images.clone().enumerate() {
                        let xs = &mut buf[im * kw * copy_len..(im + 1) * kw * copy_len];
                        let plane = o.in_h * o.in_w;
                        let first = n * o.in_channels * plane + g * geo.cig * plane;
                        for j in 0..kw {
                            let shift = (j * o.dilation_w) as isize - o.pad_w as isize;
                            // Columns `x` of the copy read input column `x + shift`.
                            let lo = (-shift).clamp(0, ow as isize) as usize;
                            let hi =
                                (o.in_w as isize - shift).clamp(lo as isize, ow as isize) as usize;
                            for c in 0..geo.cig {
                                let dst = &mut xs[j * copy_len + c * plane_len..][..plane_len];
                                for (y, row) in dst.chunks_exact_mut(ow).enumerate() {
                                    let Some(sy) = y.checked_sub(o.pad_h).filter(|&r| r < o.in_h)
                                    else {
                                        row.fill(0.0);
                                        continue;
                                    };
                                    let src = &x[first + c * plane + sy * o.in_w..][..o.in_w];
                                    row[..lo].fill(0.0);
                                    if hi > lo {
                                        let at = (lo as isize + shift) as usize;
                                        row[lo..hi].copy_from_slice(&src[at..at + (hi - lo)]);
                                    }
                                    row[hi..].fill(0.0);
                                }
                            }
                        }
                        let dy = &grad_out[n * out_image + g * cog * np..][..cog * np];
                        if want_bias {
                            for co in 0..cog {
                                let s = crate::reduce::sum::row_sum(simd, &dy[co * np..][..np]);
                                // SAFETY: entry (n, channel) is written by this task alone
                                // (its chunk's images), and read after the parallel region.
                                unsafe { sums.part(n * o.out_channels + g * cog + co, 1)[0] = s };
                            }
                        }
                        pairs.push((xs.as_ptr(), dy.as_ptr()));
                    }
                    let dw = &mut part[g * cog * k..(g + 1) * cog * k];
                    // SAFETY: tap `(c, i, j)` reads copy `j`, channel `c`, from row `i·dh` for
                    // `out_h` rows of `out_w`: inside its `hp` rows; `gradOut` holds `cog · np`.
                    unsafe { direct::weight_planes(simd, &pairs, &soffs, cog, np, dw) };
                }
            });
        });
    } else {
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
                        // Each row copied, then zeros over the dropped columns and past the last
                        // row (no fill of the whole buffer first: it cost ~2 % of the pass).
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
                            if want_bias {
                                let s =
                                    crate::reduce::sum::row_sum(simd, &dy[co * geo.p..][..geo.p]);
                                // SAFETY: entry (n, channel) is written by this task alone (its
                                // chunk's images), and read only after the parallel region.
                                unsafe { sums.part(n * o.out_channels + g * cog + co, 1)[0] = s };
                            }
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
    }
    grad_weight.fill(0.0);
    for part in partials.chunks(wlen) {
        for (d, s) in grad_weight.iter_mut().zip(part) {
            *d += s;
        }
    }
    if let Some(gb) = grad_bias {
        for (co, b) in gb.iter_mut().enumerate() {
            let mut s = 0.0f64;
            for n in 0..o.batch {
                s += row_sums[n * o.out_channels + co];
            }
            *b = s as f32;
        }
    }
}

/// Whether grad weight reads `gradOut` in place against column-shifted copies of the input (no
/// wide grid): when its positions are a whole number of vectors on every path (16 lanes), as the
/// kernel's reduction needs (NOTE [ Grad input by scatter ] in docs/PERFORMANCE.md).
pub(crate) fn shifted_columns(geo: &Geometry) -> bool {
    geo.p.is_multiple_of(16)
}

/// Grad input (overwritten) by scattering each `gradOut` tile's per-tap sums into it
/// (`direct::input_scatter`): tasks are image groups, cut into blocks of input-channel panels
/// when there are fewer than `tuning::CONV_DIRECT_SPLIT_TASKS` of them ([`forward_split`]); every
/// grad-input value is computed by one task in the same order, so no split changes a bit.
pub(crate) fn backward_input_scatter(
    simd: Simd,
    geo: &Geometry,
    grad_out: &[f32],
    weight: &[f32],
    grad_in: &mut [f32],
    work: usize,
) {
    let o = &geo.o;
    let s = direct::Scatter {
        cog: geo.cog,
        out_h: geo.out_h,
        out_w: geo.out_w,
        cig: geo.cig,
        in_h: o.in_h,
        in_w: o.in_w,
        kh: o.kernel_h,
        kw: o.kernel_w,
        dh: o.dilation_h,
        dw: o.dilation_w,
        pad_h: o.pad_h,
        pad_w: o.pad_w,
    };
    let mr = direct::scatter_rows(simd);
    let width = direct::tile_positions(simd);
    let group_w = geo.cog * geo.k;
    let packed: Vec<Vec<f32>> = (0..o.groups)
        .map(|g| direct::scatter_weights(&s, mr, &weight[g * group_w..(g + 1) * group_w]))
        .collect();
    let panels = geo.cig.div_ceil(mr);
    let image_groups = o.batch * o.groups;
    let split = forward_split(image_groups, panels, 1);
    let in_plane = o.in_h * o.in_w;
    let (np, out_image) = (geo.p, o.out_channels * geo.p);
    // `gradOut` planes are read in place unless they hold fewer positions than a tile and are the
    // buffer's last (a tile then reads past them).
    let copy = np < width;
    let base = SharedOut(grad_in.as_mut_ptr());
    threads::run_tasks(image_groups * split.panel_blocks, work, |task| {
        let (ng, pb) = (task / split.panel_blocks, task % split.panel_blocks);
        let (n, g) = (ng / o.groups, ng % o.groups);
        let block = pb * split.panels_per_block..((pb + 1) * split.panels_per_block).min(panels);
        let rows = block.start * mr..(block.end * mr).min(geo.cig);
        let dy = &grad_out[n * out_image + g * geo.cog * np..][..geo.cog * np];
        // SAFETY: the planes of image `n`'s group `g`, channels `rows`, lie inside `grad_in`, and
        // this task alone writes them (tasks are image groups × disjoint panel blocks).
        let gin = unsafe {
            let first = (n * o.in_channels + g * geo.cig) * in_plane;
            let planes = base.get().add(first + rows.start * in_plane);
            std::slice::from_raw_parts_mut(planes, rows.len() * in_plane).fill(0.0);
            base.get().add(first)
        };
        let run = |src: *const f32| {
            // SAFETY: `src` holds the group's `gradOut` planes (and a tile's slack when copied);
            // `packed[g]` is this path's packing; `gin` as above.
            unsafe { direct::input_scatter(simd, &s, src, &packed[g], gin, block.clone()) }
        };
        if copy {
            with_src(dy.len() + width, |buf| {
                buf[..dy.len()].copy_from_slice(dy);
                buf[dy.len()..].fill(0.0);
                run(buf.as_ptr())
            });
        } else {
            run(dy.as_ptr());
        }
    });
}
