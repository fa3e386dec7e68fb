//! Winograd F(2×2, 3×3) for stride-1, undilated, ungrouped 3 × 3 convolutions: each 2 × 2 block
//! of outputs ("tile") comes from a 4 × 4 window of the input in 16 products per input channel
//! instead of 36 (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015, whose
//! F(m, r) is the cross-correlation PyTorch computes):
//!
//! `Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A`
//!
//! The sum over input channels at each of the 16 positions ξ of the 4 × 4 transform is a GEMM,
//! `M_ξ (C_out × tiles) = U_ξ (C_out × C_in) · V_ξ (C_in × tiles)`, run on the packed SIMD gemm.
//! Grad input is the same routine on the gradient with the kernel turned 180° and its channel
//! axes swapped (`transposed_weight`); grad weight is the forward's adjoint (`run_weight`).
//! NOTE [ Winograd for 3 × 3 convolutions ] in docs/PERFORMANCE.md.
//!
//! The transforms and the 16 products are AVX-512 kernels (rows of up to 16 tiles are one masked
//! vector; the products' right-hand sides are written by the input transform in the layout the
//! product reads, so nothing is packed per image). Images are the parallel tasks and each image's
//! tiles go in fixed blocks of whole tile rows, so results do not depend on the thread count.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
use crate::cpu::Simd;
use crate::threads;
use std::cell::RefCell;

/// Most tiles per block: the block's transformed input (`16 · C_in · tiles` floats) stays in the
/// L2 cache for the channel counts this path takes.
const BLOCK_TILES: usize = 192;

/// Output channels per register block of the products (their rows).
const MR: usize = 8;

/// Tiles per register block of the products (two vectors).
const NR: usize = 32;

/// One Winograd convolution: `out[n, co] = Σ_ci x[n, ci] ⋆ g[co, ci]` over `in_h × in_w` images
/// padded `pad_t` rows above and `pad_l` columns left (zeros beyond the image on every side),
/// giving `out_h × out_w` outputs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub batch: usize,
    pub cin: usize,
    pub cout: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub pad_t: usize,
    pub pad_l: usize,
    pub out_h: usize,
    pub out_w: usize,
}

/// Whether this path can run on `simd` (its kernels are AVX-512), with `cin` and `cout` channels
/// (whole register blocks of rows, `MR`).
pub(crate) fn available(simd: Simd, cin: usize, cout: usize) -> bool {
    simd == Simd::Avx512 && cin.is_multiple_of(MR) && cout.is_multiple_of(MR) && cin > 0
}

/// `U_ξ = (G g Gᵀ)_ξ` of every `[cout, cin, 3, 3]` kernel, laid out `[16][cout / MR][cin][MR]`
/// (a register block's row values for one input channel side by side, as the products read them).
pub(crate) fn transform_weight(weight: &[f32], cout: usize, cin: usize) -> Vec<f32> {
    let mut u = vec![0.0f32; 16 * cout * cin];
    for co in 0..cout {
        for ci in 0..cin {
            let g = &weight[(co * cin + ci) * 9..][..9];
            // G g: 4 × 3, rows of G = [1 0 0], [½ ½ ½], [½ −½ ½], [0 0 1].
            let mut gg = [[0.0f32; 3]; 4];
            for j in 0..3 {
                let (a, b, c) = (g[j], g[3 + j], g[6 + j]);
                gg[0][j] = a;
                gg[1][j] = 0.5 * (a + b + c);
                gg[2][j] = 0.5 * (a - b + c);
                gg[3][j] = c;
            }
            for (i, row) in gg.iter().enumerate() {
                let (a, b, c) = (row[0], row[1], row[2]);
                let ggt = [a, 0.5 * (a + b + c), 0.5 * (a - b + c), c];
                for (j, v) in ggt.into_iter().enumerate() {
                    let xi = i * 4 + j;
                    u[((xi * (cout / MR) + co / MR) * cin + ci) * MR + co % MR] = v;
                }
            }
        }
    }
    u
}

/// The kernel of grad input: `g'[ci, co] = g[co, ci]` turned 180°, `[cin, cout, 3, 3]`.
pub(crate) fn transposed_weight(weight: &[f32], cout: usize, cin: usize) -> Vec<f32> {
    let mut t = vec![0.0f32; weight.len()];
    for co in 0..cout {
        for ci in 0..cin {
            let src = &weight[(co * cin + ci) * 9..][..9];
            let dst = &mut t[(ci * cout + co) * 9..][..9];
            for (i, v) in src.iter().enumerate() {
                dst[8 - i] = *v;
            }
        }
    }
    t
}

thread_local! {
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// `out = conv(x, g) (+ bias)` from the transformed kernel `u` ([`transform_weight`]). The caller
/// has checked [`available`] and the buffers' lengths.
pub(crate) fn run(s: &Shape, x: &[f32], u: &[f32], bias: Option<&[f32]>, out: &mut [f32]) {
    let in_image = s.cin * s.in_h * s.in_w;
    let out_image = s.cout * s.out_h * s.out_w;
    assert!(x.len() >= s.batch * in_image && out.len() >= s.batch * out_image);
    assert!(u.len() >= 16 * s.cin * s.cout && bias.is_none_or(|b| b.len() >= s.cout));
    let work = s.batch * s.cout * s.cin * s.out_h * s.out_w * 4;
    threads::par_chunks_mut(out, out_image, work, |start, dst| {
        let n = start / out_image;
        let image = &x[n * in_image..][..in_image];
        // SAFETY: `available` admitted this path only on a CPU with AVX-512F; lengths asserted.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            image_conv(s, image, u, bias, dst)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (image, dst);
    });
}

/// Tiles per block of the weight pass: its transposed input (`16 · C_in · tiles`) and transformed
/// gradient (`16 · C_out · tiles`) stay in the L2 cache.
const WEIGHT_BLOCK_TILES: usize = 96;

/// Whether the weight pass can run (its transposed input goes 16 input channels at a time).
pub(crate) fn weight_available(simd: Simd, cin: usize, cout: usize) -> bool {
    available(simd, cin, cout) && cin.is_multiple_of(16)
}

/// `grad_weight` (overwritten, `[cout, cin, 3, 3]`) of the convolution `s` from its input `x`
/// and output gradient `dy`: `dU_ξ = Σ_tiles (A dY Aᵀ)_ξ · (Bᵀ x B)_ξ` per channel pair, then
/// `dg = Gᵀ dU G` — the adjoint of the forward's `Y = Aᵀ [U ⊙ V] A`, `U = G g Gᵀ`. Images go in
/// fixed chunks of `chunk`, one partial `dU` per chunk, the partials added in chunk order, so
/// results do not depend on the thread count. The caller has checked [`weight_available`].
pub(crate) fn run_weight(s: &Shape, x: &[f32], dy: &[f32], chunk: usize, grad_weight: &mut [f32]) {
    let in_image = s.cin * s.in_h * s.in_w;
    let out_image = s.cout * s.out_h * s.out_w;
    let ulen = 16 * s.cout * s.cin;
    assert!(x.len() >= s.batch * in_image && dy.len() >= s.batch * out_image);
    assert!(grad_weight.len() >= s.cout * s.cin * 9 && chunk > 0);
    let chunks = s.batch.div_ceil(chunk);
    let mut partials = vec![0.0f32; chunks * ulen];
    let work = s.batch * s.cout * s.cin * s.out_h * s.out_w * 4;
    threads::par_chunks_mut(&mut partials, ulen, work, |start, part| {
        let first = start / ulen * chunk;
        for n in first..(first + chunk).min(s.batch) {
            let image = &x[n * in_image..][..in_image];
            let grad = &dy[n * out_image..][..out_image];
            // SAFETY: `weight_available` admitted this path only with AVX-512F; lengths asserted.
            #[cfg(target_arch = "x86_64")]
            unsafe {
                image_weight(s, image, grad, part)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let _ = (image, grad, &part);
        }
    });
    let (first, rest) = partials.split_at_mut(ulen);
    for part in rest.chunks_exact(ulen) {
        for (a, b) in first.iter_mut().zip(part) {
            *a += b;
        }
    }
    // dg = Gᵀ dU G, G's rows [1 0 0], [½ ½ ½], [½ −½ ½], [0 0 1].
    let combine = |d: [f32; 4]| -> [f32; 3] {
        [
            d[0] + 0.5 * (d[1] + d[2]),
            0.5 * (d[1] - d[2]),
            0.5 * (d[1] + d[2]) + d[3],
        ]
    };
    for co in 0..s.cout {
        for ci in 0..s.cin {
            let du = |i: usize, j: usize| first[((i * 4 + j) * s.cout + co) * s.cin + ci];
            let t: [[f32; 3]; 4] =
                std::array::from_fn(|i| combine([du(i, 0), du(i, 1), du(i, 2), du(i, 3)]));
            let dst = &mut grad_weight[(co * s.cin + ci) * 9..][..9];
            for b in 0..3 {
                let col = combine([t[0][b], t[1][b], t[2][b], t[3][b]]);
                for a in 0..3 {
                    dst[a * 3 + b] = col[a];
                }
            }
        }
    }
}

thread_local! {
    static WEIGHT_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// One image's share of `dU` (`[16][cout][cin]`, added into `part`), block of tile rows by block.
///
/// # Safety
/// The CPU has AVX-512F; `image`, `grad` hold one image's input and output gradient, `part`
/// `16 · cout · cin` floats.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn image_weight(s: &Shape, image: &[f32], grad: &[f32], part: &mut [f32]) {
    let th = s.out_h.div_ceil(2);
    let tw = s.out_w.div_ceil(2);
    let rows_per_block = rows_per_block(th, tw, WEIGHT_BLOCK_TILES);
    WEIGHT_SCRATCH.with(|cell| {
        let mut scratch = cell.borrow_mut();
        let block = rows_per_block * tw;
        let need = 16 * (s.cin + s.cout) * block + 16 * 16 * 16;
        if scratch.len() < need {
            scratch.resize(need, 0.0);
        }
        let (vt, rest) = scratch[..need].split_at_mut(16 * s.cin * block);
        let (dt, stage) = rest.split_at_mut(16 * s.cout * block);
        let mut ty0 = 0;
        while ty0 < th {
            let rows = rows_per_block.min(th - ty0);
            let nt = rows * tw;
            let vt = &mut vt[..16 * s.cin * nt];
            let dt = &mut dt[..16 * s.cout * nt];
            kernels::input_transposed(s, image, ty0, rows, vt, stage);
            kernels::grad_transform(s, grad, ty0, rows, dt);
            kernels::weight_products(s, vt, dt, nt, part);
            ty0 += rows;
        }
        crate::gemm::packed::release_if_large(&mut scratch);
    });
}

/// Floats from one ξ's plane of the transformed input to the next (`cin · nt` and one cache line
/// more, so that the 16 planes' rows do not fall on the same cache sets).
fn plane_stride(cin: usize, nt: usize) -> usize {
    cin * nt + 16
}

/// Tile rows per block of an image of `th` rows of `tw` tiles: blocks as even as whole rows allow,
/// of at most `most_tiles` tiles (or one row).
fn rows_per_block(th: usize, tw: usize, most_tiles: usize) -> usize {
    let count = th.div_ceil((most_tiles / tw).max(1));
    th.div_ceil(count)
}

/// One image, block of tile rows by block of tile rows.
///
/// # Safety
/// The CPU has AVX-512F; `image`, `u` and `out` hold one image's input, the transformed kernel and
/// one image's output.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn image_conv(s: &Shape, image: &[f32], u: &[f32], bias: Option<&[f32]>, out: &mut [f32]) {
    let th = s.out_h.div_ceil(2);
    let tw = s.out_w.div_ceil(2);
    let rows_per_block = rows_per_block(th, tw, BLOCK_TILES);
    SCRATCH.with(|cell| {
        let mut v = cell.borrow_mut();
        let need = 16 * plane_stride(s.cin, rows_per_block * tw);
        if v.len() < need {
            v.resize(need, 0.0);
        }
        let mut ty0 = 0;
        while ty0 < th {
            let rows = rows_per_block.min(th - ty0);
            let nt = rows * tw;
            let v = &mut v[..16 * plane_stride(s.cin, nt)];
            kernels::input(s, image, ty0, rows, v);
            kernels::products_output(s, u, v, nt, ty0, bias, out);
            ty0 += rows;
        }
        crate::gemm::packed::release_if_large(&mut v);
    });
}

/// The AVX-512 kernels: rows of tiles go 16 at a time, the last group of a row masked.
#[cfg(target_arch = "x86_64")]
#[allow(clippy::needless_range_loop)] // the transforms index several arrays by one position
mod kernels {
    use super::{plane_stride, Shape, MR, NR};
    use std::arch::x86_64::*;

    /// The lanes `< n` set (`n` ≤ 16).
    #[inline(always)]
    fn lanes(n: usize) -> __mmask16 {
        ((1u32 << n.min(16)) - 1) as __mmask16
    }

    /// The input windows of 16 tiles of a tile row starting at tile `x0`: their columns are read
    /// straight from the image by masked loads, lanes on the padding masked off (read as zeros).
    struct Windows {
        even: __m512i,
        odd: __m512i,
        /// The four loads' first padded columns and masks: columns from `2 · x0`, `+ 16`, `+ 2`, `+ 18`.
        loads: [(usize, __mmask16); 4],
        pad_t: usize,
        pad_l: usize,
        in_h: usize,
        in_w: usize,
    }

    impl Windows {
        #[inline(always)]
        unsafe fn new(s: &Shape, x0: usize) -> Windows {
            // Lanes of the 16 columns from padded column `q` that fall inside the image.
            let inside = |q: usize| -> __mmask16 {
                let first = s.pad_l.saturating_sub(q).min(16);
                let end = (s.pad_l + s.in_w).saturating_sub(q).min(16);
                if end <= first {
                    0
                } else {
                    (lanes(end) & !lanes(first)) as __mmask16
                }
            };
            let q = 2 * x0;
            Windows {
                even: _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
                odd: _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31),
                loads: [q, q + 16, q + 2, q + 18].map(|q| (q, inside(q))),
                pad_t: s.pad_t,
                pad_l: s.pad_l,
                in_h: s.in_h,
                in_w: s.in_w,
            }
        }

        /// `(Bᵀ d B)_ξ` of the 16 windows of tile row `ty` in the channel plane `plane`, by ξ.
        ///
        /// # Safety
        /// AVX-512F; `plane` holds `in_h · in_w` floats.
        #[inline(always)]
        unsafe fn transform(&self, plane: *const f32, ty: usize) -> [__m512; 16] {
            // Per input row j: column transform of its tiles (`d B`).
            let mut ct = [[_mm512_setzero_ps(); 4]; 4];
            for (j, ct) in ct.iter_mut().enumerate() {
                let y = (2 * ty + j) as isize - self.pad_t as isize;
                if y < 0 || y >= self.in_h as isize {
                    continue;
                }
                let row = plane.add(y as usize * self.in_w);
                // Masked-off lanes are not read, so the address may lie outside the row.
                let at = |(q, m): (usize, __mmask16)| {
                    _mm512_maskz_loadu_ps(m, row.wrapping_add(q).wrapping_sub(self.pad_l))
                };
                let [a, b, a2, b2] = self.loads.map(at);
                let e0 = _mm512_permutex2var_ps(a, self.even, b);
                let o0 = _mm512_permutex2var_ps(a, self.odd, b);
                let e1 = _mm512_permutex2var_ps(a2, self.even, b2);
                let o1 = _mm512_permutex2var_ps(a2, self.odd, b2);
                *ct = [
                    _mm512_sub_ps(e0, e1),
                    _mm512_add_ps(o0, e1),
                    _mm512_sub_ps(e1, o0),
                    _mm512_sub_ps(o0, o1),
                ];
            }
            // Row transform (`Bᵀ ·`): ξ = i · 4 + k.
            let mut v = [_mm512_setzero_ps(); 16];
            for k in 0..4 {
                v[k] = _mm512_sub_ps(ct[0][k], ct[2][k]);
                v[4 + k] = _mm512_add_ps(ct[1][k], ct[2][k]);
                v[8 + k] = _mm512_sub_ps(ct[2][k], ct[1][k]);
                v[12 + k] = _mm512_sub_ps(ct[1][k], ct[3][k]);
            }
            v
        }
    }

    /// `V_ξ[c][t] = (Bᵀ d B)_ξ`, stored at `v[c][ξ][t]`, for the tiles of rows `ty0..ty0 + rows`,
    /// `t` counted from the block's first tile; `Bᵀ` rows are `[1 0 −1 0]`, `[0 1 1 0]`, `[0 −1 1 0]`, `[0 1 0 −1]`.
    /// The windows' columns are read straight from the image by masked loads: lanes on the
    /// padding are masked off and read as zeros.
    ///
    /// # Safety
    /// AVX-512F; `v` holds `16 · cin · rows · tw` floats, `image` one image's input.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn input(s: &Shape, image: &[f32], ty0: usize, rows: usize, v: &mut [f32]) {
        let tw = s.out_w.div_ceil(2);
        let nt = rows * tw;
        assert!(v.len() >= 16 * plane_stride(s.cin, nt) && image.len() >= s.cin * s.in_h * s.in_w);
        let pv = v.as_mut_ptr();
        let vs = plane_stride(s.cin, nt);
        let pi = image.as_ptr();
        for x0 in (0..tw).step_by(16) {
            let mask = lanes(tw - x0);
            let windows = Windows::new(s, x0);
            for c in 0..s.cin {
                let plane = pi.add(c * s.in_h * s.in_w);
                for r in 0..rows {
                    let at = r * tw + x0;
                    for (xi, val) in windows.transform(plane, ty0 + r).into_iter().enumerate() {
                        _mm512_mask_storeu_ps(pv.add(xi * vs + c * nt + at), mask, val);
                    }
                }
            }
        }
    }

    /// One register block of one ξ's product: `MR` output channels (rows of `ub`, the block of
    /// `transform_weight`'s layout) by `NV` vectors of tiles from `row` (the ξ's plane at the
    /// chunk's first tile, rows `nt` apart), summed over the `cin` input channels in order.
    ///
    /// # Safety
    /// AVX-512F; `ub` holds `cin · MR` floats, `row` `cin` rows of `nt` from the chunk's start
    /// with the masked-on lanes inside them.
    #[inline(always)]
    unsafe fn product<const NV: usize>(
        ub: *const f32,
        row: *const f32,
        nt: usize,
        cin: usize,
        masks: [__mmask16; NV],
    ) -> [[__m512; NV]; MR] {
        let mut acc = [[_mm512_setzero_ps(); NV]; MR];
        for ci in 0..cin {
            let at = row.add(ci * nt);
            let b: [__m512; NV] =
                std::array::from_fn(|q| _mm512_maskz_loadu_ps(masks[q], at.add(16 * q)));
            let uk = ub.add(ci * MR);
            for (r, acc) in acc.iter_mut().enumerate() {
                let a = _mm512_set1_ps(*uk.add(r));
                for q in 0..NV {
                    acc[q] = _mm512_fmadd_ps(a, b[q], acc[q]);
                }
            }
        }
        acc
    }

    /// `M_ξ = U_ξ · V_ξ` for the 16 ξ and at once `Y = Aᵀ M A` (+ bias) into the image's output,
    /// by chunks of `NR` tiles and register blocks of `MR` output channels: a block's 16 products
    /// stay in L1 for its output transform (`Aᵀ` rows are `[1 1 1 0]`, `[0 1 −1 −1]`). The sums
    /// over input channels run in order. The output row and column past an odd size are dropped.
    ///
    /// # Safety
    /// AVX-512F; `u` from `transform_weight`, `v` of `16 · cin · nt` floats from `input` for the
    /// tile rows from `ty0`, `out` one image's output.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn products_output(
        s: &Shape,
        u: &[f32],
        v: &[f32],
        nt: usize,
        ty0: usize,
        bias: Option<&[f32]>,
        out: &mut [f32],
    ) {
        let (cin, cout) = (s.cin, s.cout);
        let tw = s.out_w.div_ceil(2);
        assert!(u.len() >= 16 * cin * cout && v.len() >= 16 * plane_stride(cin, nt));
        assert!(out.len() >= cout * s.out_h * s.out_w && nt.is_multiple_of(tw));
        assert!(2 * (ty0 + nt / tw) <= s.out_h + 1);
        let lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        let hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        let (pu, pv, po) = (u.as_ptr(), v.as_ptr(), out.as_mut_ptr());
        let vs = plane_stride(cin, nt);
        let mut mb = [[[_mm512_setzero_ps(); 2]; MR]; 16];
        for t0 in (0..nt).step_by(NR) {
            let masks = [lanes(nt - t0), lanes((nt - t0).saturating_sub(16))];
            for cb in 0..cout / MR {
                for (xi, mb) in mb.iter_mut().enumerate() {
                    let ub = pu.add((xi * (cout / MR) + cb) * cin * MR);
                    let row = pv.add(xi * vs + t0);
                    // A chunk of at most 16 tiles (a block's last) takes the one-vector loop.
                    *mb = if nt - t0 > 16 {
                        product::<2>(ub, row, nt, cin, masks)
                    } else {
                        product::<1>(ub, row, nt, cin, [masks[0]])
                            .map(|[v]| [v, _mm512_setzero_ps()])
                    };
                }
                for r in 0..MR {
                    let co = cb * MR + r;
                    let bias = _mm512_set1_ps(bias.map_or(0.0, |b| b[co]));
                    let plane = po.add(co * s.out_h * s.out_w);
                    for q in 0..2 {
                        let first = t0 + 16 * q;
                        if first >= nt {
                            break;
                        }
                        let mx: [__m512; 16] = std::array::from_fn(|xi| mb[xi][r][q]);
                        // Aᵀ M: s0_j = m_0j + m_1j + m_2j, s1_j = m_1j − m_2j − m_3j; then · A,
                        // each output row's two columns interleaved tile by tile.
                        let mut pairs = [[_mm512_setzero_ps(); 2]; 2];
                        for (a, pair) in pairs.iter_mut().enumerate() {
                            let row: [__m512; 4] = std::array::from_fn(|j| {
                                if a == 0 {
                                    _mm512_add_ps(_mm512_add_ps(mx[j], mx[4 + j]), mx[8 + j])
                                } else {
                                    _mm512_sub_ps(_mm512_sub_ps(mx[4 + j], mx[8 + j]), mx[12 + j])
                                }
                            });
                            let y0 = _mm512_add_ps(
                                _mm512_add_ps(_mm512_add_ps(row[0], row[1]), row[2]),
                                bias,
                            );
                            let y1 = _mm512_add_ps(
                                _mm512_sub_ps(_mm512_sub_ps(row[1], row[2]), row[3]),
                                bias,
                            );
                            *pair = [
                                _mm512_permutex2var_ps(y0, lo, y1),
                                _mm512_permutex2var_ps(y0, hi, y1),
                            ];
                        }
                        // The vector's tiles by row segments: lane pair 2j, 2j + 1 is tile j's.
                        let count = (nt - first).min(16);
                        let mut a = 0;
                        while a < count {
                            let t = first + a;
                            let (tr, tx) = (t / tw, t % tw);
                            let seg = (count - a).min(tw - tx);
                            let mut bits: u64 = ((1u64 << (2 * seg)) - 1) << (2 * a);
                            if tx + seg == tw && s.out_w % 2 == 1 {
                                bits &= !(1u64 << (2 * (a + seg) - 1));
                            }
                            let (m0, m1) = (bits as __mmask16, (bits >> 16) as __mmask16);
                            let oy = 2 * (ty0 + tr);
                            for (dy, pair) in pairs.iter().enumerate() {
                                if oy + dy >= s.out_h {
                                    break;
                                }
                                // Lane 0 stands for column 2 · (tx − a): masked-off lanes are not
                                // written, so that address may lie before the row.
                                let base = plane
                                    .add((oy + dy) * s.out_w)
                                    .wrapping_add(2 * tx)
                                    .wrapping_sub(2 * a);
                                _mm512_mask_storeu_ps(base, m0, pair[0]);
                                _mm512_mask_storeu_ps(base.wrapping_add(16), m1, pair[1]);
                            }
                            a += seg;
                        }
                    }
                }
            }
        }
    }

    /// [`input`]'s `V_ξ` laid out `vt[ξ][t][c]` (channels contiguous, for the weight products):
    /// 16 channels' vectors of 16 tiles are staged (`stage`, 16 × 16 × 16 floats) and transposed.
    ///
    /// # Safety
    /// AVX-512F; `cin` a multiple of 16, `vt` of `16 · cin · rows · tw` floats.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn input_transposed(
        s: &Shape,
        image: &[f32],
        ty0: usize,
        rows: usize,
        vt: &mut [f32],
        stage: &mut [f32],
    ) {
        let tw = s.out_w.div_ceil(2);
        let nt = rows * tw;
        assert!(s.cin.is_multiple_of(16) && vt.len() >= 16 * s.cin * nt && stage.len() >= 4096);
        assert!(image.len() >= s.cin * s.in_h * s.in_w);
        let (pv, ps, pi) = (vt.as_mut_ptr(), stage.as_mut_ptr(), image.as_ptr());
        for x0 in (0..tw).step_by(16) {
            let count = (tw - x0).min(16);
            let windows = Windows::new(s, x0);
            for r in 0..rows {
                for c0 in (0..s.cin).step_by(16) {
                    for cc in 0..16 {
                        let plane = pi.add((c0 + cc) * s.in_h * s.in_w);
                        for (xi, val) in windows.transform(plane, ty0 + r).into_iter().enumerate() {
                            _mm512_storeu_ps(ps.add((xi * 16 + cc) * 16), val);
                        }
                    }
                    // Per ξ: the 16 channels × 16 tiles block, transposed to tiles × channels.
                    for xi in 0..16 {
                        let block: [__m512; 16] =
                            std::array::from_fn(|cc| _mm512_loadu_ps(ps.add((xi * 16 + cc) * 16)));
                        let tiles = crate::simd::transpose16::transpose16(&block);
                        for (j, v) in tiles.into_iter().enumerate().take(count) {
                            let t = r * tw + x0 + j;
                            _mm512_storeu_ps(pv.add((xi * nt + t) * s.cin + c0), v);
                        }
                    }
                }
            }
        }
    }

    /// `dY'_ξ = (A dY Aᵀ)_ξ` of each output tile (the adjoint of the output transform; `A`'s rows
    /// `[1 0]`, `[1 1]`, `[1 −1]`, `[0 −1]`), outputs past an odd size read as zeros, laid out
    /// `dt[ξ][co][t]`.
    ///
    /// # Safety
    /// AVX-512F; `grad` one image's output gradient, `dt` of `16 · cout · rows · tw` floats.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn grad_transform(
        s: &Shape,
        grad: &[f32],
        ty0: usize,
        rows: usize,
        dt: &mut [f32],
    ) {
        let tw = s.out_w.div_ceil(2);
        let nt = rows * tw;
        assert!(dt.len() >= 16 * s.cout * nt && grad.len() >= s.cout * s.out_h * s.out_w);
        assert!(2 * (ty0 + rows) <= s.out_h + 1);
        let even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        let odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        let (pd, pg) = (dt.as_mut_ptr(), grad.as_ptr());
        for x0 in (0..tw).step_by(16) {
            let mask = lanes(tw - x0);
            let width = s.out_w - 2 * x0;
            let (m0, m1) = (lanes(width), lanes(width.saturating_sub(16)));
            for co in 0..s.cout {
                let plane = pg.add(co * s.out_h * s.out_w);
                for r in 0..rows {
                    let oy = 2 * (ty0 + r);
                    // d[a][b]: output row oy + a, column 2 · tx + b, for 16 tiles.
                    let mut d = [[_mm512_setzero_ps(); 2]; 2];
                    for (a, d) in d.iter_mut().enumerate() {
                        if oy + a >= s.out_h {
                            continue;
                        }
                        let p = plane.add((oy + a) * s.out_w + 2 * x0);
                        let (lo, hi) = (
                            _mm512_maskz_loadu_ps(m0, p),
                            _mm512_maskz_loadu_ps(m1, p.add(16)),
                        );
                        *d = [
                            _mm512_permutex2var_ps(lo, even, hi),
                            _mm512_permutex2var_ps(lo, odd, hi),
                        ];
                    }
                    // A d (rows), then (A d) Aᵀ (columns).
                    let adj = |u: __m512, w: __m512| {
                        [
                            u,
                            _mm512_add_ps(u, w),
                            _mm512_sub_ps(u, w),
                            _mm512_sub_ps(_mm512_setzero_ps(), w),
                        ]
                    };
                    let c0 = adj(d[0][0], d[1][0]);
                    let c1 = adj(d[0][1], d[1][1]);
                    let at = r * tw + x0;
                    for i in 0..4 {
                        for (k, val) in adj(c0[i], c1[i]).into_iter().enumerate() {
                            _mm512_mask_storeu_ps(
                                pd.add(((i * 4 + k) * s.cout + co) * nt + at),
                                mask,
                                val,
                            );
                        }
                    }
                }
            }
        }
    }

    /// `dU_ξ[co][ci] += Σ_t dY'_ξ[co][t] · V_ξ[t][ci]` for the block's tiles in order: register
    /// blocks of `MR` output channels by 32 (or a last 16) input channels, summed over the tiles.
    ///
    /// # Safety
    /// AVX-512F; `cin` a multiple of 16; `vt`, `dt` from `input_transposed` and `grad_transform`
    /// for `nt` tiles; `part` of `16 · cout · cin` floats.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn weight_products(
        s: &Shape,
        vt: &[f32],
        dt: &[f32],
        nt: usize,
        part: &mut [f32],
    ) {
        let (cin, cout) = (s.cin, s.cout);
        assert!(cin.is_multiple_of(16) && cout.is_multiple_of(MR));
        assert!(
            vt.len() >= 16 * cin * nt
                && dt.len() >= 16 * cout * nt
                && part.len() >= 16 * cout * cin
        );
        let (pv, pd, pp) = (vt.as_ptr(), dt.as_ptr(), part.as_mut_ptr());
        for xi in 0..16 {
            for cb in 0..cout / MR {
                let grad = pd.add((xi * cout + cb * MR) * nt);
                let mut ci0 = 0;
                while ci0 < cin {
                    let dst = pp.add((xi * cout + cb * MR) * cin + ci0);
                    let src = pv.add(xi * nt * cin + ci0);
                    if cin - ci0 >= 32 {
                        weight_block::<2>(grad, src, nt, cin, dst);
                        ci0 += 32;
                    } else {
                        weight_block::<1>(grad, src, nt, cin, dst);
                        ci0 += 16;
                    }
                }
            }
        }
    }

    /// One register block of [`weight_products`]: adds into `MR` rows of `dst` (`cin` apart) by
    /// `NV` vectors of input channels the sums over the block's `nt` tiles of `MR` gradient rows
    /// (`nt` apart) times the transposed input's rows (`cin` apart).
    ///
    /// # Safety
    /// AVX-512F; the pointers cover those rows.
    #[inline(always)]
    unsafe fn weight_block<const NV: usize>(
        grad: *const f32,
        src: *const f32,
        nt: usize,
        cin: usize,
        dst: *mut f32,
    ) {
        let mut acc = [[_mm512_setzero_ps(); NV]; MR];
        for t in 0..nt {
            let b: [__m512; NV] =
                std::array::from_fn(|q| _mm512_loadu_ps(src.add(t * cin + 16 * q)));
            for (r, acc) in acc.iter_mut().enumerate() {
                let a = _mm512_set1_ps(*grad.add(r * nt + t));
                for q in 0..NV {
                    acc[q] = _mm512_fmadd_ps(a, b[q], acc[q]);
                }
            }
        }
        // The block's sum is added to the running one (shorter float32 sums than accumulating in
        // place across blocks and images).
        for (r, acc) in acc.iter().enumerate() {
            for (q, v) in acc.iter().enumerate() {
                let p = dst.add(r * cin + 16 * q);
                _mm512_storeu_ps(p, _mm512_add_ps(_mm512_loadu_ps(p), *v));
            }
        }
    }
}
