//! The scalar reference GEMM: the plainest correct loop, kept as the yardstick every SIMD path is
//! tested against and as the kernel of `Simd::Scalar`. Each element sums its k products in order
//! `p = 0..k` in f32, then applies the epilogue `alpha·acc + beta·c + bias`.
use super::Gemm;

/// Computes `g` with plain loops. `g` has been validated by the caller.
pub fn sgemm(g: &Gemm<'_>, c: &mut [f32]) {
    let (m, n, k) = (g.m, g.n, g.k);
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0f32;
            if g.alpha != 0.0 {
                for p in 0..k {
                    acc += g.a_at(i, p) * g.b_at(p, j);
                }
            }
            let out = &mut c[i * n + j];
            *out = g.epilogue(acc, *out, j);
        }
    }
}
