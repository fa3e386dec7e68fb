//! Sums in one fixed order, so every SIMD path and thread count gives the same bits.
//!
//! A contiguous row (`inner == 1`) is summed in f64 by 16 interleaved partial sums (element `i` of
//! each full block of 16 goes to partial `i % 16`), folded pairwise (`p[j] + p[j + 8]`, then
//! `+ 4`, `+ 2`, `+ 1`), after which the tail (< 16 elements) is added in order. The SIMD paths
//! hold the 16 partials in vector registers and fold them the same way. With `inner > 1`, each
//! output accumulates its `dim` inputs in order in f64 (the SIMD paths vectorise across `inner`,
//! which does not change any element's order).
use crate::cpu::Simd;
use crate::simd::{self, Vf32};

simd::kernel! {
    /// The fixed-order f64 sum of a contiguous row (`simd::sum_f64` is the reference).
    pub(crate) fn row_sum(x: &[f32]) -> f64 {
        vector: V::sum_f64(x),
    }
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

simd::kernel! {
    /// Column sums of one block: the reference loops compiled for the path. They vectorise across
    /// columns, which keeps every column's order, so the bits equal the reference's.
    pub(crate) fn column_sums(block: &[f32], dim: usize, inner: usize, out: &mut [f32]) {
        vector: column_sums_reference(block, dim, inner, out),
    }
}
