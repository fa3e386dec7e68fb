//! Sums in one fixed order, so every SIMD path and thread count gives the same bits.
//!
//! A contiguous row (`inner == 1`) is summed in f64 by 16 interleaved partial sums (element `i` of
//! each full block of 16 goes to partial `i % 16`), folded pairwise (`p[j] + p[j + 8]`, then
//! `+ 4`, `+ 2`, `+ 1`), after which the tail (< 16 elements) is added in order. The SIMD paths
//! hold the 16 partials in vector registers and fold them the same way. With `inner > 1`, each
//! output accumulates its `dim` inputs in order in f64 (the SIMD paths vectorise across `inner`,
//! which does not change any element's order).
use crate::cpu::Simd;
use crate::elementwise::simd::{simd_entry, Vf32};

pub(crate) const LANES: usize = 16;

/// The fixed-order f64 sum of a contiguous row.
pub(crate) fn row_sum(simd: Simd, x: &[f32]) -> f64 {
    use crate::elementwise::simd as v;
    match simd {
        // SAFETY: each path is only handed out when the CPU has its features.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx512 => unsafe { v::row_sum_avx512(x) },
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2 => unsafe { v::row_sum_avx2(x) },
        #[cfg(target_arch = "aarch64")]
        Simd::Neon => unsafe { v::row_sum_neon(x) },
        _ => row_sum_scalar(x),
    }
}

pub(crate) fn row_sum_scalar(x: &[f32]) -> f64 {
    let blocks = x.len() / LANES;
    let mut p = [0f64; LANES];
    for block in x[..blocks * LANES].chunks_exact(LANES) {
        for (acc, &v) in p.iter_mut().zip(block) {
            *acc += v as f64;
        }
    }
    let mut total = fold(p);
    for &v in &x[blocks * LANES..] {
        total += v as f64;
    }
    total
}

/// Folds the 16 partial sums pairwise in the order the SIMD paths use.
#[inline(always)]
pub(crate) fn fold(mut p: [f64; LANES]) -> f64 {
    let mut half = LANES / 2;
    while half >= 1 {
        for j in 0..half {
            p[j] += p[j + half];
        }
        half /= 2;
    }
    p[0]
}

/// Columns summed per pass of a `dim × inner` block (a stack buffer of f64 accumulators).
const COLUMN_BLOCK: usize = 256;

/// `out[k] = Σ_d block[d·inner + k]` as f32, accumulated in f64 (fixed order, see module docs).
pub(crate) fn sum_block(simd: Simd, block: &[f32], dim: usize, inner: usize, out: &mut [f32]) {
    if inner == 1 {
        out[0] = row_sum(simd, &block[..dim]) as f32;
    } else {
        column_sums(simd, block, dim, inner, out);
    }
}

/// Per-column sums of a `dim × inner` block, each column accumulated in order in f64.
#[inline(always)]
pub(crate) fn column_sums_reference(block: &[f32], dim: usize, inner: usize, out: &mut [f32]) {
    let mut acc = [0f64; COLUMN_BLOCK];
    let mut k0 = 0;
    while k0 < inner {
        let width = COLUMN_BLOCK.min(inner - k0);
        let acc = &mut acc[..width];
        acc.fill(0.0);
        for d in 0..dim {
            let row = &block[d * inner + k0..d * inner + k0 + width];
            for (a, &v) in acc.iter_mut().zip(row) {
                *a += v as f64;
            }
        }
        for (o, &a) in out[k0..k0 + width].iter_mut().zip(acc.iter()) {
            *o = a as f32;
        }
        k0 += width;
    }
}

/// The same loops compiled for the path's instruction set: they vectorise across columns, which
/// keeps every column's order, so the bits equal the reference's.
#[inline(always)]
unsafe fn column_sums_vector<V: Vf32>(block: &[f32], dim: usize, inner: usize, out: &mut [f32]) {
    column_sums_reference(block, dim, inner, out)
}

simd_entry!(
    /// Column sums of one block.
    column_sums => column_sums_vector / column_sums_reference,
    (block: &[f32], dim: usize, inner: usize, out: &mut [f32])
);
