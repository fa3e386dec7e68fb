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
//! axes swapped (`transposed_weight`). NOTE [ Winograd for 3 × 3 convolutions ] in
//! docs/PERFORMANCE.md.
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

/// Floats from one ξ's plane of the transformed input to the next (`cin · nt` and one cache line
/// more, so that the 16 planes' rows do not fall on the same cache sets).
fn plane_stride(cin: usize, nt: usize) -> usize {
    cin * nt + 16
}

/// The tile-row blocks of an image: as even as whole rows allow, at most `BLOCK_TILES` tiles.
fn blocks(th: usize, tw: usize) -> (usize, usize) {
    let most = (BLOCK_TILES / tw).max(1);
    let count = th.div_ceil(most);
    (count, th.div_ceil(count))
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
    let (_, rows_per_block) = blocks(th, tw);
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
        let even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        let odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
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
        let pv = v.as_mut_ptr();
        let vs = plane_stride(s.cin, nt);
        let pi = image.as_ptr();
        for x0 in (0..tw).step_by(16) {
            let mask = lanes(tw - x0);
            let q = 2 * x0;
            let loads = [
                (q, inside(q)),
                (q + 16, inside(q + 16)),
                (q + 2, inside(q + 2)),
                (q + 18, inside(q + 18)),
            ];
            for c in 0..s.cin {
                let plane = pi.add(c * s.in_h * s.in_w);
                for r in 0..rows {
                    let ty = ty0 + r;
                    // Per input row j: column transform of its tiles (`d B`).
                    let mut ct = [[_mm512_setzero_ps(); 4]; 4];
                    for (j, ct) in ct.iter_mut().enumerate() {
                        let y = (2 * ty + j) as isize - s.pad_t as isize;
                        if y < 0 || y >= s.in_h as isize {
                            continue;
                        }
                        let row = plane.add(y as usize * s.in_w);
                        // Masked-off lanes are not read, so the address may lie outside the row.
                        let at = |(q, m): (usize, __mmask16)| {
                            _mm512_maskz_loadu_ps(m, row.wrapping_add(q).wrapping_sub(s.pad_l))
                        };
                        let (a, b, a2, b2) =
                            (at(loads[0]), at(loads[1]), at(loads[2]), at(loads[3]));
                        let e0 = _mm512_permutex2var_ps(a, even, b);
                        let o0 = _mm512_permutex2var_ps(a, odd, b);
                        let e1 = _mm512_permutex2var_ps(a2, even, b2);
                        let o1 = _mm512_permutex2var_ps(a2, odd, b2);
                        *ct = [
                            _mm512_sub_ps(e0, e1),
                            _mm512_add_ps(o0, e1),
                            _mm512_sub_ps(e1, o0),
                            _mm512_sub_ps(o0, o1),
                        ];
                    }
                    // Row transform (`Bᵀ ·`), stored at ξ = i · 4 + k.
                    let at = r * tw + x0;
                    for k in 0..4 {
                        let rt = [
                            _mm512_sub_ps(ct[0][k], ct[2][k]),
                            _mm512_add_ps(ct[1][k], ct[2][k]),
                            _mm512_sub_ps(ct[2][k], ct[1][k]),
                            _mm512_sub_ps(ct[1][k], ct[3][k]),
                        ];
                        for (i, val) in rt.into_iter().enumerate() {
                            let xi = i * 4 + k;
                            _mm512_mask_storeu_ps(pv.add(xi * vs + c * nt + at), mask, val);
                        }
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
}
