//! Direct convolution for stride-1 kernels: an implicit GEMM with no column matrix and no packed B.
//!
//! A stride-1 "valid" convolution of planes `hp × wp` computes, on the *wide grid* of output
//! positions `p = y·wp + x` (the output rows laid at the input's row pitch, `x < wp`):
//!   `out[co][p] = Σ_k w[co][k] · src[off[k] + p]`,  `off[(c, i, j)] = c·hp·wp + i·dh·wp + j·dw`.
//! For a fixed tap `k` the operand is the input read *in place* at a shift, contiguous in `p`: the
//! micro-kernel keeps an `MR channels × NV vectors` tile of outputs in registers across all `K =
//! C_in·kh·kw` taps, loading shifted input vectors and broadcasting weights read in place from
//! their `MR` rows (row-major `C_out × K`, no packing). The positions `x ≥ out_w` of the wide grid
//! are computed and dropped (`wp/out_w − 1` extra work: 8 % for 26 → 24); reads past a plane land
//! in the next one, and the last tile is shifted back to end at the grid's end, so a grid at least
//! one tile wide is read within its planes (a narrower one reads into `SLACK` zeros after a copy).
//!
//! - forward: padding is applied by copying the image into a zero-bordered buffer (none when the
//!   convolution has no padding: read in place); a small batch is split over blocks of
//!   output-channel panels and position tiles (`direct_ops::forward_split`), its copies made once;
//! - grad input, one of two kernels by a cost model (`direct_ops::input_by_scatter`): the "full"
//!   convolution of `gradOut`, zero-padded by `(k − 1)·d − pad`, with the kernel flipped and its
//!   channel axes swapped; or [`input_scatter`], which sums each tap's tile over the output
//!   channels on `gradOut`'s own grid and adds it under the tap (col2im fused: no zeros
//!   multiplied, no extra columns; NOTE [ Grad input by scatter ] in docs/PERFORMANCE.md);
//! - grad weight: `dW[co][k] = Σ_n Σ_p dY_n[co][p] · src_n[off[k] + p]`, a reduction along `p`
//!   for both operands: `dY` is copied onto the wide grid with zeros in its dropped columns (or,
//!   when its positions are a whole number of vectors, read in place against `kw` copies of the
//!   input shifted by each kernel column, `direct_ops::shifted_columns`: no wide grid), the
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

/// Whether the forward is computed direct: deep enough (`tuning::CONV_DIRECT_MIN_DEPTH` taps) to
/// beat im2col + gemm (measured per shape class, docs/ARCHITECTURE.md, "Convolution"), or a batch
/// small enough to be split over output channels and positions (fewer image-groups than
/// `CONV_DIRECT_SPLIT_TASKS`, `direct_ops::forward_split`), which then fills the pool where
/// im2col's small gemm runs on one thread (NOTE [ A single image's convolution on every thread ]
/// in docs/PERFORMANCE.md).
pub(crate) fn eligible_forward(simd: Simd, geo: &Geometry) -> bool {
    use crate::tuning::{CONV_DIRECT_MIN_DEPTH, CONV_DIRECT_SPLIT_TASKS};
    possible(simd, geo)
        && (geo.k >= CONV_DIRECT_MIN_DEPTH || geo.o.batch * geo.o.groups < CONV_DIRECT_SPLIT_TASKS)
}

/// Whether grad input is computed direct (by either of `direct_ops::input_by_scatter`'s two
/// kernels): enough input channels per group (`tuning::CONV_DIRECT_MIN_GRAD_INPUT_CHANNELS`), which
/// are the rows of both kernels' tiles. Batches of one image are split over panels of them.
pub(crate) fn eligible_input(simd: Simd, geo: &Geometry) -> bool {
    use crate::tuning::CONV_DIRECT_MIN_GRAD_INPUT_CHANNELS;
    possible(simd, geo) && geo.cig >= CONV_DIRECT_MIN_GRAD_INPUT_CHANNELS
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

/// The `rows × k` weights `at(row, tap)` as a row-major matrix (for weights not already one).
pub(crate) fn weight_rows(rows: usize, k: usize, at: impl Fn(usize, usize) -> f32) -> Vec<f32> {
    let mut out = Vec::with_capacity(rows * k);
    for r in 0..rows {
        out.extend((0..k).map(|t| at(r, t)));
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
    /// The forward tile width of the path: wide-grid positions per tile.
    pub(crate) fn tile_positions() -> usize {
        vector: <V as ConvTiles>::NV * V::LANES,
    }
}

/// Position tiles of the wide grid of `v` on a path whose tiles are `width` positions wide.
pub(crate) fn tile_count(v: &Valid, width: usize) -> usize {
    v.wide().div_ceil(width)
}

/// Whether the forward reads no further than the source planes themselves (no slack needed): the
/// last tile is shifted back to end at the wide grid's end, which lies inside the last plane; only
/// a grid narrower than one tile reads past it.
pub(crate) fn reads_within_planes(v: &Valid, width: usize) -> bool {
    v.wide() >= width
}

/// Which part of a forward one call computes: output rows `rows` (a whole number of panels from
/// the first, except at the end) and position tiles `tiles`.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    pub rows: std::ops::Range<usize>,
    pub tiles: std::ops::Range<usize>,
}

simd::kernel! {
    /// `out[co][y][x] = init[co] + Σ_k weights[co][k] · src[offs[k] + y·wp + x]` for the rows and
    /// position tiles of `block` (`out` is the planes of `out_h × out_w` of every row, `init` and
    /// `weights`, row-major `rows × K`, cover every row; they are read in place). Each output is the same sum in the same order whichever block
    /// computes it, so any split gives the same bits.
    ///
    /// # Safety
    /// `src` must be valid for reads of `offs[k] + wide` floats for every `k` (the source planes),
    /// and of [`SLACK`] floats more unless [`reads_within_planes`]; `weights` at least
    /// `block.rows.end × offs.len()` floats; `out` valid for writes of the block's
    /// positions of its rows' planes, which no other thread touches during the call.
    pub(crate) unsafe fn forward_planes(
        v: &Valid,
        src: *const f32,
        offs: &[usize],
        weights: &[f32],
        init: Option<&[f32]>,
        out: *mut f32,
        block: &Block,
    ) {
        vector: forward_tiles::<V, { <V as ConvTiles>::MR }, { <V as ConvTiles>::NV }>(
            v, src, offs, weights, init, out, block,
        ),
    }
}

#[inline(always)]
unsafe fn forward_tiles<V: Vf32, const MR: usize, const NV: usize>(
    v: &Valid,
    src: *const f32,
    offs: &[usize],
    weights: &[f32],
    init: Option<&[f32]>,
    out: *mut f32,
    block: &Block,
) {
    let lanes = V::LANES;
    let nr = NV * lanes;
    let k = offs.len();
    let (wp, out_w) = (v.wp, v.out_w());
    let wide = v.wide();
    let plane = v.out_h() * out_w;
    let rows = block.rows.end;
    debug_assert!(block.rows.start.is_multiple_of(MR));
    assert!(weights.len() >= rows * k && rows > 0);
    let mut tmp = [[0f32; 64]; MR];
    for panel in block.rows.start / MR..rows.div_ceil(MR) {
        for tile in block.tiles.clone() {
            // The tile's own positions start at `first`; the last tile is shifted back to end at
            // the grid's end (its loads then stay inside the planes) and writes only its own.
            let first = tile * nr;
            let p0 = if wide >= nr {
                first.min(wide - nr)
            } else {
                first
            };
            let end = (p0 + nr).min(wide);
            {
                let mut acc = [[V::zero(); NV]; MR];
                // The panel's weight rows; rows past the last are computed on the last again
                // and dropped.
                let mut wr = [weights.as_ptr(); MR];
                for (r, ptr) in wr.iter_mut().enumerate() {
                    *ptr = weights.as_ptr().add((panel * MR + r).min(rows - 1) * k);
                }
                for (t, &off) in offs.iter().enumerate() {
                    let b = src.add(off + p0);
                    let mut bv = [V::zero(); NV];
                    for (j, slot) in bv.iter_mut().enumerate() {
                        *slot = V::load(b.add(j * lanes));
                    }
                    for (r, row) in acc.iter_mut().enumerate() {
                        let a = V::splat(*wr[r].add(t));
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
                // Scatter the tile's positions to their rows, dropping the wide grid's extra
                // columns: runs of at most `out_w` positions, walked from the tile's first.
                let (y0, x0) = (first / wp, first % wp);
                for (r, line) in tmp.iter().enumerate().take(valid) {
                    let co = panel * MR + r;
                    let base = V::splat(init.map_or(0.0, |b| b[co]));
                    let dst = out.add(co * plane);
                    let (mut p, mut y, mut x) = (first, y0, x0);
                    while p < end {
                        if x >= out_w {
                            p += wp - x;
                            (y, x) = (y + 1, 0);
                            continue;
                        }
                        let len = (out_w - x).min(end - p);
                        let (s, d) = (line.as_ptr().add(p - p0), dst.add(y * out_w + x));
                        let mut i = 0;
                        while i + lanes <= len {
                            base.add(V::load(s.add(i))).store(d.add(i));
                            i += lanes;
                        }
                        if i < len {
                            base.add(V::load_partial(s.add(i), len - i))
                                .store_partial(d.add(i), len - i);
                        }
                        p += len;
                        x += len;
                    }
                }
            }
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

/// One image group's grad input as the adjoint of im2col + gemm, fused (NOTE [ Grad input by
/// scatter ] in docs/PERFORMANCE.md): for a tile of `gradOut`
/// positions (on its own `out_h × out_w` grid, no wide grid) and a panel of input channels, each
/// tap's `MR × NV` tile `Σ_co W[co][ci][tap] · dY[co][p]` is summed in registers over the output
/// channels, then added into the grad input under that tap (`col2im` of the tile): no column
/// matrix, no zero padding multiplied, no extra columns. Stride 1.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scatter {
    /// `gradOut` planes (the reduction depth) and their size.
    pub cog: usize,
    pub out_h: usize,
    pub out_w: usize,
    /// Grad-input planes (the rows) and their size.
    pub cig: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub kh: usize,
    pub kw: usize,
    pub dh: usize,
    pub dw: usize,
    pub pad_h: usize,
    pub pad_w: usize,
}

impl Scatter {
    pub fn positions(&self) -> usize {
        self.out_h * self.out_w
    }
    pub fn taps(&self) -> usize {
        self.kh * self.kw
    }
}

simd::kernel! {
    /// The input-channel rows of one scatter panel on this path.
    pub(crate) fn scatter_rows() -> usize {
        vector: <V as ConvTiles>::MR,
    }
}

/// The weights of one group packed for [`input_scatter`]: `[panel][tap][co][r]` = `w[co][panel ·
/// mr + r][tap]` (`w` the group's `cog × cig × taps` weights), zero for rows past `cig`.
pub(crate) fn scatter_weights(s: &Scatter, mr: usize, w: &[f32]) -> Vec<f32> {
    let (taps, panels) = (s.taps(), s.cig.div_ceil(mr));
    let mut out = vec![0.0; panels * taps * s.cog * mr];
    for panel in 0..panels {
        for t in 0..taps {
            let base = (panel * taps + t) * s.cog * mr;
            for co in 0..s.cog {
                for r in 0..mr.min(s.cig - panel * mr) {
                    out[base + co * mr + r] = w[(co * s.cig + panel * mr + r) * taps + t];
                }
            }
        }
    }
    out
}

simd::kernel! {
    /// Adds, for the panels `panels` of `MR` input channels, every tap's contribution of every
    /// `gradOut` position: `gin[ci][y + i·dh − pad_h][x + j·dw − pad_w] += Σ_co w[co][ci][i][j] ·
    /// dy[co][y][x]` (positions falling in the padding dropped). Each grad-input value receives
    /// its sums in a fixed order (position tiles, then taps), whichever panels a call is given.
    ///
    /// # Safety
    /// `dy` must be valid for reads of `cog` planes of `out_h × out_w` floats, and of one
    /// [`tile_positions`] more past the last unless the planes hold at least that many positions;
    /// `packed` from [`scatter_weights`] for this path's rows; `gin` valid for reads and writes of
    /// the panels' `cig` planes of `in_h × in_w` floats, which no other thread touches.
    pub(crate) unsafe fn input_scatter(
        s: &Scatter,
        dy: *const f32,
        packed: &[f32],
        gin: *mut f32,
        panels: std::ops::Range<usize>,
    ) {
        vector: scatter_tiles::<V, { <V as ConvTiles>::MR }, { <V as ConvTiles>::NV }>(
            s, dy, packed, gin, panels,
        ),
    }
}

#[inline(always)]
unsafe fn scatter_tiles<V: Vf32, const MR: usize, const NV: usize>(
    s: &Scatter,
    dy: *const f32,
    packed: &[f32],
    gin: *mut f32,
    panels: std::ops::Range<usize>,
) {
    let lanes = V::LANES;
    let nr = NV * lanes;
    let (cog, taps) = (s.cog, s.taps());
    let np = s.positions();
    let in_plane = s.in_h * s.in_w;
    assert!(packed.len() >= panels.end * taps * cog * MR && nr <= 64);
    let mut tmp = [[0f32; 64]; MR];
    // The tile's runs along output rows: (row, column, length, offset in the tile).
    let mut runs = [(0usize, 0usize, 0usize, 0usize); 66];
    for tile in 0..np.div_ceil(nr) {
        // The last tile is shifted back to end at the planes' end (its loads stay inside them)
        // and adds only its own positions.
        let first = tile * nr;
        let p0 = if np >= nr { first.min(np - nr) } else { first };
        let end = (p0 + nr).min(np);
        let mut count = 0;
        let (mut p, mut y, mut x) = (first, first / s.out_w, first % s.out_w);
        while p < end {
            let len = (s.out_w - x).min(end - p);
            runs[count] = (y, x, len, p - p0);
            count += 1;
            p += len;
            (y, x) = (y + 1, 0);
        }
        let runs = &runs[..count];
        for panel in panels.clone() {
            let valid = MR.min(s.cig - panel * MR);
            for t in 0..taps {
                let (i, j) = (t / s.kw, t % s.kw);
                let (di, dj) = (i * s.dh, j * s.dw);
                // Taps whose every position of the tile lands in the padding are skipped.
                let lands = runs.iter().any(|&(y, x, len, _)| {
                    (s.pad_h..s.pad_h + s.in_h).contains(&(y + di))
                        && x + dj < s.pad_w + s.in_w
                        && x + dj + len > s.pad_w
                });
                if !lands {
                    continue;
                }
                let w = packed.as_ptr().add((panel * taps + t) * cog * MR);
                let mut acc = [[V::zero(); NV]; MR];
                for co in 0..cog {
                    let b = dy.add(co * np + p0);
                    let mut bv = [V::zero(); NV];
                    for (jv, slot) in bv.iter_mut().enumerate() {
                        *slot = V::load(b.add(jv * lanes));
                    }
                    let wc = w.add(co * MR);
                    for (r, row) in acc.iter_mut().enumerate() {
                        let a = V::splat(*wc.add(r));
                        for (jv, slot) in row.iter_mut().enumerate() {
                            *slot = a.mul_add(bv[jv], *slot);
                        }
                    }
                }
                for (r, row) in acc.iter().enumerate().take(valid) {
                    for (jv, &sum) in row.iter().enumerate() {
                        sum.store(tmp[r].as_mut_ptr().add(jv * lanes));
                    }
                }
                for &(y, x, len, off) in runs {
                    let gy = y + di;
                    if gy < s.pad_h || gy >= s.pad_h + s.in_h {
                        continue;
                    }
                    // Columns `x + dj + c − pad_w` for `c < len`, clipped to the row.
                    let gx = x + dj;
                    let lo = s.pad_w.saturating_sub(gx);
                    let hi = len.min((s.pad_w + s.in_w).saturating_sub(gx));
                    if hi <= lo {
                        continue;
                    }
                    let n = hi - lo;
                    let at = (gy - s.pad_h) * s.in_w + gx + lo - s.pad_w;
                    for (r, line) in tmp.iter().enumerate().take(valid) {
                        let src = line.as_ptr().add(off + lo);
                        let dst = gin.add((panel * MR + r) * in_plane + at);
                        let mut c = 0;
                        while c + lanes <= n {
                            V::load(dst.add(c))
                                .add(V::load(src.add(c)))
                                .store(dst.add(c));
                            c += lanes;
                        }
                        if c < n {
                            V::load_partial(dst.add(c), n - c)
                                .add(V::load_partial(src.add(c), n - c))
                                .store_partial(dst.add(c), n - c);
                        }
                    }
                }
            }
        }
    }
}
