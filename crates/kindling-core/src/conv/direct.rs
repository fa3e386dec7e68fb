//! Direct convolution for stride-1 kernels: an implicit GEMM with no column matrix and no packed B.
//!
//! A stride-1 "valid" convolution of planes `hp × wp` computes, on the *wide grid* of output
//! positions `p = y·wp + x` (the output rows laid at the input's row pitch, `x < wp`):
//!   `out[co][p] = Σ_k w[co][k] · src[off[k] + p]`,  `off[(c, i, j)] = c·hp·wp + i·dh·wp + j·dw`.
//! For a fixed tap `k` the operand is the input read *in place* at a shift, contiguous in `p`: the
//! micro-kernel keeps an `MR channels × NV vectors` tile of outputs in registers across all `K =
//! C_in·kh·kw` taps, loading shifted input vectors and broadcasting weights pre-packed once per
//! call into `MR`-row panels (tiny). The positions `x ≥ out_w` of the wide grid are computed and
//! dropped (`wp/out_w − 1` extra work: 8 % for 26 → 24); reads past a plane land in the next one
//! (or in `SLACK` zeros after the last), never outside the buffer.
//!
//! - forward: padding is applied by copying the image into a zero-bordered buffer (none when the
//!   convolution has no padding and the image is not the buffer's last: read in place);
//! - grad input: the "full" convolution of `gradOut`, zero-padded by `(k − 1)·d − pad`, with the
//!   kernel flipped and its channel axes swapped;
//! - grad weight: `dW[co][k] = Σ_n Σ_p dY_n[co][p] · src_n[off[k] + p]`, a reduction along `p`
//!   for both operands: `dY` is copied onto the wide grid with zeros in its dropped columns, the
//!   accumulators are vectors of partial sums over `p` (an `MR channels × NK taps` tile), folded
//!   once per fixed chunk of images (`tuning::CONV_WEIGHT_CHUNK`), chunks added in order: the
//!   same numbers on any thread count.
//!
//! When and why this path is taken rather than im2col: docs/ARCHITECTURE.md, "Convolution".
use super::Geometry;
use crate::cpu::Simd;
use crate::simd::{self, Vf32};

/// Floats of zeros after a copied buffer: the last wide-grid tile may read this far past the
/// last plane (less than one tile of positions).
const SLACK: usize = 64;

/// Micro-tile sizes of a path: forward `MR` channels × `NV` vectors of positions; grad weight
/// `WMR` channels × `WNK` taps (each a vector of partial sums).
pub(crate) trait ConvTiles: Vf32 {
    const MR: usize;
    const NV: usize;
    const WMR: usize;
    const WNK: usize;
}

/// 32 registers: 8 × 3 accumulators + 3 input vectors + 1 broadcast; 8 divides the usual channel
/// counts (32, 64), so no panel is partly wasted. Grad weight: 4 × 6 + 4 + 1.
#[cfg(target_arch = "x86_64")]
impl ConvTiles for simd::Avx512 {
    const MR: usize = 8;
    const NV: usize = 3;
    const WMR: usize = 4;
    const WNK: usize = 6;
}

/// 16 registers: 6 × 2 + 2 + 1 (the gemm's tile); grad weight 2 × 6 + 2 + 1.
#[cfg(target_arch = "x86_64")]
impl ConvTiles for simd::Avx2 {
    const MR: usize = 6;
    const NV: usize = 2;
    const WMR: usize = 2;
    const WNK: usize = 6;
}

#[cfg(target_arch = "aarch64")]
impl ConvTiles for simd::Neon {
    const MR: usize = 8;
    const NV: usize = 3;
    const WMR: usize = 4;
    const WNK: usize = 6;
}

/// The scalar arm of the `kernel!` entries (never chosen by [`eligible`]; tests run it).
impl ConvTiles for simd::Scalar {
    const MR: usize = 4;
    const NV: usize = 4;
    const WMR: usize = 2;
    const WNK: usize = 4;
}

/// Whether the direct kernels can compute this convolution: stride 1 (the wide grid needs it) on
/// a SIMD path.
pub(crate) fn possible(simd: Simd, geo: &Geometry) -> bool {
    let o = &geo.o;
    matches!(simd.usable(), Simd::Avx512 | Simd::Avx2)
        && o.stride_h == 1
        && o.stride_w == 1
        && geo.p > 0
}

/// Whether they are chosen: deep enough (`tuning::CONV_DIRECT_MIN_DEPTH` taps) and a batch of
/// several images (`CONV_DIRECT_MIN_BATCH`) to beat im2col + gemm (measured per shape class,
/// docs/ARCHITECTURE.md, "Convolution").
pub(crate) fn eligible(simd: Simd, geo: &Geometry) -> bool {
    use crate::tuning::{CONV_DIRECT_MIN_BATCH, CONV_DIRECT_MIN_DEPTH};
    possible(simd, geo) && geo.k >= CONV_DIRECT_MIN_DEPTH && geo.o.batch >= CONV_DIRECT_MIN_BATCH
}

/// Whether grad weight is computed direct (`tuning::CONV_DIRECT_MIN_WEIGHT_DEPTH`).
pub(crate) fn eligible_weight(simd: Simd, geo: &Geometry) -> bool {
    use crate::tuning::{CONV_DIRECT_MIN_BATCH, CONV_DIRECT_MIN_WEIGHT_DEPTH};
    possible(simd, geo)
        && geo.k >= CONV_DIRECT_MIN_WEIGHT_DEPTH
        && geo.o.batch >= CONV_DIRECT_MIN_BATCH
}

/// One stride-1 valid convolution's layout: `channels` source planes of `hp × wp`, kernel
/// `kh × kw` with dilation `dh × dw`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Valid {
    pub channels: usize,
    pub hp: usize,
    pub wp: usize,
    pub kh: usize,
    pub kw: usize,
    pub dh: usize,
    pub dw: usize,
}

impl Valid {
    pub fn out_h(&self) -> usize {
        self.hp - (self.kh - 1) * self.dh
    }
    pub fn out_w(&self) -> usize {
        self.wp - (self.kw - 1) * self.dw
    }
    /// Positions of the wide grid that hold outputs: through the last output of the last row.
    pub fn wide(&self) -> usize {
        (self.out_h() - 1) * self.wp + self.out_w()
    }
    pub fn plane(&self) -> usize {
        self.hp * self.wp
    }
    /// Floats of a copied source: the planes and the slack after them.
    pub fn src_len(&self) -> usize {
        self.channels * self.plane() + SLACK
    }
    /// The shift of every tap `(c, i, j)`, in the weights' order.
    pub fn offsets(&self) -> Vec<usize> {
        let mut offs = Vec::with_capacity(self.channels * self.kh * self.kw);
        for c in 0..self.channels {
            for i in 0..self.kh {
                for j in 0..self.kw {
                    offs.push(c * self.plane() + i * self.dh * self.wp + j * self.dw);
                }
            }
        }
        offs
    }
}

/// Packs `rows × k` weights (`at(row, tap)`) into `mr`-row panels, `[panel][tap][r]`, the last
/// panel's missing rows zero.
pub(crate) fn pack_weights(
    rows: usize,
    k: usize,
    mr: usize,
    at: impl Fn(usize, usize) -> f32,
) -> Vec<f32> {
    let panels = rows.div_ceil(mr);
    let mut out = vec![0.0f32; panels * k * mr];
    for (panel, dst) in out.chunks_exact_mut(k * mr).enumerate() {
        for r in 0..mr.min(rows - panel * mr) {
            for t in 0..k {
                dst[t * mr + r] = at(panel * mr + r, t);
            }
        }
    }
    out
}

simd::kernel! {
    /// The forward tile height of the path (rows per weight panel).
    pub(crate) fn panel_rows() -> usize {
        vector: <V as ConvTiles>::MR,
    }
}

simd::kernel! {
    /// `out[co][y][x] = init[co] + Σ_k packed[co][k] · src[offs[k] + y·wp + x]` for `co < rows`
    /// (`out` is `rows` planes of `out_h × out_w`).
    ///
    /// # Safety
    /// `src` must be valid for reads of `offs[k] + wide` rounded up to a tile, for every `k`
    /// (the source planes and [`SLACK`] floats after them); `packed` from [`pack_weights`] with
    /// this path's [`panel_rows`].
    pub(crate) unsafe fn forward_planes(
        v: &Valid,
        src: *const f32,
        offs: &[usize],
        packed: &[f32],
        rows: usize,
        init: Option<&[f32]>,
        out: &mut [f32],
    ) {
        vector: forward_tiles::<V, { <V as ConvTiles>::MR }, { <V as ConvTiles>::NV }>(
            v, src, offs, packed, rows, init, out,
        ),
    }
}

#[inline(always)]
unsafe fn forward_tiles<V: Vf32, const MR: usize, const NV: usize>(
    v: &Valid,
    src: *const f32,
    offs: &[usize],
    packed: &[f32],
    rows: usize,
    init: Option<&[f32]>,
    out: &mut [f32],
) {
    let lanes = V::LANES;
    let nr = NV * lanes;
    let k = offs.len();
    let (wp, out_w) = (v.wp, v.out_w());
    let wide = v.wide();
    let plane = v.out_h() * out_w;
    let panels = rows.div_ceil(MR);
    debug_assert!(packed.len() >= panels * k * MR && out.len() >= rows * plane);
    let mut tmp = [[0f32; 64]; MR];
    for panel in 0..panels {
        let mut p0 = 0;
        while p0 < wide {
            let end = (p0 + nr).min(wide);
            {
                let mut acc = [[V::zero(); NV]; MR];
                let w = packed.as_ptr().add(panel * k * MR);
                for (t, &off) in offs.iter().enumerate() {
                    let b = src.add(off + p0);
                    let mut bv = [V::zero(); NV];
                    for (j, slot) in bv.iter_mut().enumerate() {
                        *slot = V::load(b.add(j * lanes));
                    }
                    let wr = w.add(t * MR);
                    for (r, row) in acc.iter_mut().enumerate() {
                        let a = V::splat(*wr.add(r));
                        for (j, slot) in row.iter_mut().enumerate() {
                            *slot = a.mul_add(bv[j], *slot);
                        }
                    }
                }
                let valid = MR.min(rows - panel * MR);
                for (r, row) in acc.iter().enumerate().take(valid) {
                    for (j, &sum) in row.iter().enumerate() {
                        sum.store(tmp[r].as_mut_ptr().add(j * lanes));
                    }
                }
                // Scatter the tile's positions to their rows, dropping the wide grid's extra columns.
                for (r, line) in tmp.iter().enumerate().take(valid) {
                    let co = panel * MR + r;
                    let base = init.map_or(0.0, |b| b[co]);
                    let dst = &mut out[co * plane..(co + 1) * plane];
                    let mut p = p0;
                    while p < end {
                        let (y, x) = (p / wp, p % wp);
                        if x >= out_w {
                            p += wp - x;
                            continue;
                        }
                        let len = (out_w - x).min(end - p);
                        let d = &mut dst[y * out_w + x..y * out_w + x + len];
                        for (d, s) in d.iter_mut().zip(&line[p - p0..p - p0 + len]) {
                            *d = base + s;
                        }
                        p += len;
                    }
                }
            }
            p0 += nr;
        }
    }
}

simd::kernel! {
    /// `dw[co][k] += Σ_(src, dy) Σ_(p < len) dy[co·len + p] · src[offs[k] + p]` for `co < rows`,
    /// the images summed inside each accumulator in the order given. `len` is a multiple of the
    /// path's lanes.
    ///
    /// # Safety
    /// Every `src` must be valid for reads of `offs[k] + len` floats for every `k`, every `dy`
    /// for `rows · len`.
    pub(crate) unsafe fn weight_planes(
        images: &[(*const f32, *const f32)],
        offs: &[usize],
        rows: usize,
        len: usize,
        dw: &mut [f32],
    ) {
        vector: weight_tiles::<V, { <V as ConvTiles>::WMR }, { <V as ConvTiles>::WNK }>(
            images, offs, rows, len, dw,
        ),
    }
}

#[inline(always)]
unsafe fn weight_tiles<V: Vf32, const MR: usize, const NK: usize>(
    images: &[(*const f32, *const f32)],
    offs: &[usize],
    rows: usize,
    len: usize,
    dw: &mut [f32],
) {
    let lanes = V::LANES;
    let k = offs.len();
    debug_assert!(len.is_multiple_of(lanes) && dw.len() >= rows * k);
    let mut c0 = 0;
    while c0 < rows {
        // Rows past the last are computed on the last row again and dropped.
        let mut ch = [0usize; MR];
        for (r, c) in ch.iter_mut().enumerate() {
            *c = (c0 + r).min(rows - 1) * len;
        }
        let mut t0 = 0;
        while t0 < k {
            let mut o = [0usize; NK];
            for (j, slot) in o.iter_mut().enumerate() {
                *slot = offs[(t0 + j).min(k - 1)];
            }
            let mut acc = [[V::zero(); NK]; MR];
            for &(src, dy) in images {
                let mut p = 0;
                while p < len {
                    let mut g = [V::zero(); MR];
                    for (r, slot) in g.iter_mut().enumerate() {
                        *slot = V::load(dy.add(ch[r] + p));
                    }
                    for j in 0..NK {
                        let b = V::load(src.add(o[j] + p));
                        for r in 0..MR {
                            acc[r][j] = g[r].mul_add(b, acc[r][j]);
                        }
                    }
                    p += lanes;
                }
            }
            for r in 0..MR.min(rows - c0) {
                let row = &mut dw[(c0 + r) * k..(c0 + r + 1) * k];
                let mut j = 0;
                while j < NK {
                    let pick = |i: usize| acc[r][(j + i).min(NK - 1)];
                    let sums = V::hsum4(pick(0), pick(1), pick(2), pick(3));
                    for (i, s) in sums.iter().enumerate() {
                        if j + i < NK && t0 + j + i < k {
                            row[t0 + j + i] += s;
                        }
                    }
                    j += 4;
                }
            }
            t0 += NK;
        }
        c0 += MR;
    }
}
