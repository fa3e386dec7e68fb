//! Products by one B over many calls (a recurrent layer's `W_hh`, once per time step): op(B) is
//! packed once into the packed path's panels and every product packs only its A, which at a
//! step's few rows is a small fraction of B. Products with few rows split C by B panels
//! (`packed::run_on_packed_b`), so each thread keeps the same share of B in its cache.
use super::{packed, reference, tile_shape, Gemm, PARALLEL_MIN_MNK};
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::threads;

const OP: &str = "sgemm_packed_b";

/// op(B) (k × n; stored n × k when `trans_b`) packed for [`sgemm_packed_b`].
pub struct PackedB {
    simd: Simd,
    trans_b: bool,
    k: usize,
    n: usize,
    mr: usize,
    nr: usize,
    /// The panels on a vector path (from `start`, on a cache line); B as given on the scalar one.
    data: Vec<f32>,
    start: usize,
}

impl PackedB {
    /// Packs `b` on the SIMD path chosen at start-up.
    pub fn new(trans_b: bool, k: usize, n: usize, b: &[f32]) -> KernelResult<PackedB> {
        PackedB::with(cpu::active(), trans_b, k, n, b)
    }

    /// Packs `b` for products on `simd` (an unavailable path falls back as in `sgemm_with`).
    pub fn with(simd: Simd, trans_b: bool, k: usize, n: usize, b: &[f32]) -> KernelResult<PackedB> {
        let len = k.checked_mul(n).ok_or_else(|| {
            KernelError::shape(OP, format!("op(B) is too large ({k}×{n} elements)"))
        })?;
        check_len(
            OP,
            "b",
            b.len(),
            len,
            &format!("k={k}, n={n}, transB={trans_b}"),
        )?;
        let simd = simd.usable();
        if simd == Simd::Scalar {
            return Ok(PackedB {
                simd,
                trans_b,
                k,
                n,
                mr: 1,
                nr: 1,
                data: b.to_vec(),
                start: 0,
            });
        }
        let tiles = tile_shape(simd);
        let g = Gemm {
            trans_a: false,
            trans_b,
            m: 0,
            n,
            k,
            alpha: 1.0,
            a: &[],
            b,
            beta: 0.0,
            bias: None,
            a_sums: None,
        };
        let mut data = Vec::new();
        let panels_len = n.div_ceil(tiles.nr) * k * tiles.nr;
        let panels = packed::aligned(&mut data, panels_len);
        packed::pack_b_panels(&g, tiles.nr, threads::num_threads(), panels);
        let start = panels.as_ptr() as usize - data.as_ptr() as usize;
        Ok(PackedB {
            simd,
            trans_b,
            k,
            n,
            mr: tiles.mr,
            nr: tiles.nr,
            data,
            start: start / 4,
        })
    }

    pub fn k(&self) -> usize {
        self.k
    }

    pub fn n(&self) -> usize {
        self.n
    }
}

/// `C = alpha·A·op(B) + beta·C (+ bias row)` with op(B) from `pb` and A m × k, row-major, on the
/// packed path whatever the size (the same results as `sgemm` where that takes the packed path,
/// on any thread count). Errors as `sgemm`'s.
#[allow(clippy::too_many_arguments)]
pub fn sgemm_packed_b(
    m: usize,
    alpha: f32,
    a: &[f32],
    pb: &PackedB,
    beta: f32,
    c: &mut [f32],
    bias: Option<&[f32]>,
) -> KernelResult {
    let (k, n) = (pb.k, pb.n);
    if alpha.is_nan() {
        return Err(KernelError::value(OP, "alpha must not be NaN"));
    }
    if beta.is_nan() {
        return Err(KernelError::value(OP, "beta must not be NaN"));
    }
    let too_large = || KernelError::shape(OP, format!("A or C is too large ({m} rows)"));
    check_len(
        OP,
        "a",
        a.len(),
        m.checked_mul(k).ok_or_else(too_large)?,
        &format!("m={m}, k={k}"),
    )?;
    check_len(
        OP,
        "c",
        c.len(),
        m.checked_mul(n).ok_or_else(too_large)?,
        &format!("m={m}, n={n}"),
    )?;
    if let Some(bias) = bias {
        check_len(OP, "bias", bias.len(), n, &format!("n={n}"))?;
    }
    let scalar = pb.simd == Simd::Scalar;
    let g = Gemm {
        trans_a: false,
        trans_b: pb.trans_b,
        m,
        n,
        k,
        alpha,
        a,
        // The vector paths read B only from the panels.
        b: if scalar { &pb.data } else { &[] },
        beta,
        bias,
        a_sums: None,
    };
    if m == 0 || n == 0 {
        return Ok(());
    }
    if scalar || k == 0 || alpha == 0.0 {
        // The scalar path, or no product (C = beta·C + bias, B not read).
        reference::sgemm(&g, c);
        return Ok(());
    }
    let parallel = m.saturating_mul(n).saturating_mul(k) >= PARALLEL_MIN_MNK;
    let threads = if parallel { threads::num_threads() } else { 1 };
    let panels = &pb.data[pb.start..pb.start + n.div_ceil(pb.nr) * k * pb.nr];
    packed::run_on_packed_b(&g, panels, c, pb.simd, pb.mr, pb.nr, threads);
    Ok(())
}
