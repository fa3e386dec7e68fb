//! Single-precision GEMM, row-major: `C = alpha·op(A)·op(B) + beta·C (+ bias row)`.
//!
//! `op(A)` is m×k (stored k×m when `trans_a`), `op(B)` is k×n (stored n×k when `trans_b`), C is m×n.
//! As in BLAS, `beta == 0` means C is not read (NaN in C is ignored) and `alpha == 0` means A and B
//! are not read. The three products of a linear layer all map onto one call:
//! forward `x·Wᵀ + b` (`trans_b`), `dW = dYᵀ·x` (`trans_a`), `dX = dY·W` (no transposes).
//!
//! The public entry validates, then dispatches on `cpu::active()`; the kernels take the `Simd` path
//! as an argument so tests can compare every path the CPU has against the scalar reference.
//!
//! Small products (few rows of C, a short k, or few multiply-adds: the seed's layers) take the
//! unpacked kernels of `small.rs`; everything else the packed, blocked kernels of `packed.rs`.
//! Both beat ndarray's matrixmultiply in every shape class measured, so it is not used (NOTE
//! [ Which GEMM, per shape class ] in docs/PERFORMANCE.md; thresholds in `crate::tuning`).
pub mod packed;
pub mod prepacked;
pub mod reference;
pub mod small;

use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::simd::{self, Vf32};
use crate::threads;
use std::cell::RefCell;

pub use prepacked::{sgemm_packed_b, PackedB};

const OP: &str = "sgemm";

/// A validated GEMM problem: sizes, scalars and the borrowed inputs.
#[derive(Clone, Copy)]
pub struct Gemm<'a> {
    pub trans_a: bool,
    pub trans_b: bool,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub alpha: f32,
    pub a: &'a [f32],
    pub b: &'a [f32],
    pub beta: f32,
    pub bias: Option<&'a [f32]>,
    /// Where to write the column sums of the stored A (`trans_a` only), or `None`.
    pub a_sums: Option<SumsOut>,
}

/// The `m` outputs of [`sgemm_a_sums`]' column sums, each written by the one task that sums it
/// (disjoint rows of op(A) per task).
#[derive(Clone, Copy)]
pub struct SumsOut(*mut f32);
// SAFETY: tasks write disjoint elements (their own rows of op(A)), and the buffer outlives the call.
unsafe impl Send for SumsOut {}
unsafe impl Sync for SumsOut {}

impl SumsOut {
    /// # Safety
    /// `i < m` of the call that made this, and no other task writes element `i`.
    #[inline(always)]
    pub(crate) unsafe fn set(self, i: usize, v: f32) {
        *self.0.add(i) = v;
    }
}

impl Gemm<'_> {
    /// `op(A)[i][p]`.
    #[inline(always)]
    pub fn a_at(&self, i: usize, p: usize) -> f32 {
        if self.trans_a {
            self.a[p * self.m + i]
        } else {
            self.a[i * self.k + p]
        }
    }

    /// `op(B)[p][j]`.
    #[inline(always)]
    pub fn b_at(&self, p: usize, j: usize) -> f32 {
        if self.trans_b {
            self.b[j * self.k + p]
        } else {
            self.b[p * self.n + j]
        }
    }

    /// `alpha·acc + beta·c + bias[j]`, never reading `c` when `beta == 0`.
    #[inline(always)]
    pub fn epilogue(&self, acc: f32, c: f32, j: usize) -> f32 {
        let mut v = self.alpha * acc;
        if self.beta != 0.0 {
            v += self.beta * c;
        }
        if let Some(bias) = self.bias {
            v += bias[j];
        }
        v
    }
}

fn elements(rows: usize, cols: usize, what: &str) -> KernelResult<usize> {
    rows.checked_mul(cols).ok_or_else(|| {
        KernelError::shape(OP, format!("{what} is too large ({rows}×{cols} elements)"))
    })
}

/// `C = alpha·op(A)·op(B) + beta·C (+ bias)`, on the SIMD path chosen at start-up
/// (`KINDLING_SIMD` forces one). Returns a length error naming the buffer, its length, the
/// expected length and the sizes it was derived from; NaN `alpha`/`beta` is a value error.
#[allow(clippy::too_many_arguments)]
pub fn sgemm(
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    bias: Option<&[f32]>,
) -> KernelResult {
    sgemm_with(
        cpu::active(),
        trans_a,
        trans_b,
        m,
        n,
        k,
        alpha,
        a,
        b,
        beta,
        c,
        bias,
    )
}

/// [`sgemm`] on an explicit SIMD path (which must be available on this CPU; an unavailable one
/// falls back to scalar).
#[allow(clippy::too_many_arguments)]
pub fn sgemm_with(
    simd: Simd,
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    bias: Option<&[f32]>,
) -> KernelResult {
    let g = validated(trans_a, trans_b, m, n, k, alpha, a, b, beta, c.len(), bias)?;
    run(simd, &g, c);
    Ok(())
}

/// The checked problem of an `sgemm` call whose C has `c_len_got` elements: a length error names the
/// buffer, its length, the expected length and the sizes it was derived from; NaN `alpha`/`beta`
/// is a value error.
#[allow(clippy::too_many_arguments)]
fn validated<'a>(
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &'a [f32],
    b: &'a [f32],
    beta: f32,
    c_len_got: usize,
    bias: Option<&'a [f32]>,
) -> KernelResult<Gemm<'a>> {
    if alpha.is_nan() {
        return Err(KernelError::value(OP, "alpha must not be NaN"));
    }
    if beta.is_nan() {
        return Err(KernelError::value(OP, "beta must not be NaN"));
    }
    let a_len = elements(m, k, "op(A)")?;
    let b_len = elements(k, n, "op(B)")?;
    let c_len = elements(m, n, "C")?;
    // The context strings are built only on failure: this runs on every call of the hot path.
    let check = |name: &str, got: usize, want: usize, context: &dyn Fn() -> String| {
        if got == want {
            Ok(())
        } else {
            check_len(OP, name, got, want, &context())
        }
    };
    check("a", a.len(), a_len, &|| {
        format!("m={m}, k={k}, transA={trans_a}")
    })?;
    check("b", b.len(), b_len, &|| {
        format!("k={k}, n={n}, transB={trans_b}")
    })?;
    check("c", c_len_got, c_len, &|| format!("m={m}, n={n}"))?;
    if let Some(bias) = bias {
        check("bias", bias.len(), n, &|| format!("n={n}"))?;
    }
    let g = Gemm {
        trans_a,
        trans_b,
        m,
        n,
        k,
        alpha,
        a,
        b,
        beta,
        bias,
        a_sums: None,
    };
    Ok(g)
}

/// [`sgemm`] with `trans_a` that also writes the column sums of the stored A (k × m) into `a_sums`
/// (length m) — a linear layer's bias gradient beside its weight gradient `dYᵀ·X`, from the one
/// read of dY that packing it takes. Each sum accumulates its k values in order in f64, the order
/// of `reduce`'s column sums, so the bits are `reduce`'s on every path and thread count. `simd`
/// is the path (`cpu::active()` for the one chosen at start-up).
/// NOTE [ Bias sums while packing dY ] in docs/PERFORMANCE.md
#[allow(clippy::too_many_arguments)]
pub fn sgemm_a_sums(
    simd: Simd,
    trans_a: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    trans_b: bool,
    beta: f32,
    c: &mut [f32],
    a_sums: &mut [f32],
) -> KernelResult {
    if !trans_a {
        return Err(KernelError::value(
            OP,
            "aSums needs transA: the sums are of the stored A's columns (k × m)",
        ));
    }
    check_len(OP, "aSums", a_sums.len(), m, &format!("m={m}"))?;
    let mut g = validated(true, trans_b, m, n, k, alpha, a, b, beta, c.len(), None)?;
    let simd = simd.usable();
    if simd != Simd::Scalar && g.n > 0 && g.alpha != 0.0 && takes_packed(&g) {
        // Packing A reads each of its values once: the sums are taken there (`packed::block`).
        g.a_sums = Some(SumsOut(a_sums.as_mut_ptr()));
    } else {
        crate::reduce::sum::sum_block(simd, g.a, g.k, g.m, a_sums);
    }
    run(simd, &g, c);
    Ok(())
}

pub use crate::tuning::GEMM_PARALLEL_MIN_MNK as PARALLEL_MIN_MNK;
/// Products with at most `SMALL_MAX_M` rows of C, at most `SMALL_MAX_K` depth or at most
/// `SMALL_MAX_MNK` multiply-adds take the unpacked kernels; from `PARALLEL_MIN_MNK` multiply-adds
/// on a product goes parallel (NOTE [ When a product goes parallel ] in docs/PERFORMANCE.md).
use crate::tuning::{
    GEMM_SMALL_MAX_K as SMALL_MAX_K, GEMM_SMALL_MAX_M as SMALL_MAX_M,
    GEMM_SMALL_MAX_MNK as SMALL_MAX_MNK,
};

/// The register tiles of the kernels for each vector type.
pub(crate) trait Tiles: Vf32 {
    /// Rows × vectors of the packed-path micro-tile: `MR` rows, `NV` vectors (`NV·LANES` columns).
    const MR: usize;
    const NV: usize;
    /// Largest unpacked tile: `SMALL_R` rows × `SMALL_C` columns (dot) or vectors (axpy), sized to
    /// keep every accumulator in a register.
    const SMALL_R: usize;
    const SMALL_C: usize;
}

#[cfg(target_arch = "x86_64")]
impl Tiles for simd::Avx512 {
    // 12 × 32 tile: 24 accumulators + 2 B vectors + broadcasts fit the 32 zmm registers, and
    // 14 loads per 24 FMAs stay under the 2 loads/cycle the FMA ports can absorb.
    const MR: usize = 12;
    const NV: usize = 2;
    const SMALL_R: usize = 5;
    const SMALL_C: usize = 4;
}

#[cfg(target_arch = "x86_64")]
impl Tiles for simd::Avx2 {
    // 6 × 16 tile: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers.
    const MR: usize = 6;
    const NV: usize = 2;
    const SMALL_R: usize = 3;
    const SMALL_C: usize = 4;
}

#[cfg(target_arch = "aarch64")]
impl Tiles for simd::Neon {
    // 8 × 12 tile: 24 accumulators + 3 B vectors + A values among the 32 q registers.
    const MR: usize = 8;
    const NV: usize = 3;
    const SMALL_R: usize = 5;
    const SMALL_C: usize = 4;
}

/// Never run by `sgemm` (its scalar path is `reference`); it gives the generic kernels a
/// one-lane instance for the scalar arm of their `kernel!` entries.
impl Tiles for simd::Scalar {
    const MR: usize = 4;
    const NV: usize = 1;
    const SMALL_R: usize = 4;
    const SMALL_C: usize = 4;
}

/// The tile sizes of a path, for the code that splits work around the kernels.
#[derive(Clone, Copy)]
struct TileShape {
    mr: usize,
    nr: usize,
    /// Column tile of the unpacked dot kernel (`x·Wᵀ`): the unit its threads split.
    dot_cols: usize,
    /// Column tile of the unpacked axpy kernel.
    small_cols: usize,
}

impl TileShape {
    fn of<V: Tiles>() -> Self {
        TileShape {
            mr: V::MR,
            nr: V::NV * V::LANES,
            dot_cols: V::SMALL_C,
            small_cols: V::SMALL_C * V::LANES,
        }
    }
}

simd::kernel! {
    fn tile_shape() -> TileShape {
        vector: TileShape::of::<V>(),
    }
}

simd::kernel! {
    /// Columns `j0..j1` of C on the unpacked kernels (`op(A)` must not be transposed when `op(B)`
    /// is).
    ///
    /// # Safety
    /// `g` is validated, `c` holds the m×n elements of C and no other task writes these columns.
    unsafe fn small_columns(g: &Gemm<'_>, c: *mut f32, j0: usize, j1: usize) {
        vector: if g.trans_b {
            small::dot::<V>(g, c, j0, j1)
        } else {
            small::axpy::<V>(g, c, j0, j1)
        },
    }
}

simd::kernel! {
    /// One block of the packed path: `rows` rows of C from `row0` (`c` points at the first), the
    /// columns of B panels `panels`; with `rows8`, 8-row micro-tiles (for products of few rows;
    /// AVX-512 only: 16 accumulators, 2 B vectors and a broadcast among its 32 registers).
    ///
    /// # Safety
    /// As [`packed::block`].
    unsafe fn packed_block(
        g: &Gemm<'_>,
        packed_b: Option<&[f32]>,
        row0: usize,
        rows: usize,
        c: *mut f32,
        panels: std::ops::Range<usize>,
        rows8: bool,
    ) {
        vector: if rows8 {
            packed::block::<V, 8, { <V as Tiles>::NV }>(g, packed_b, row0, rows, c, panels)
        } else {
            packed::block::<V, { <V as Tiles>::MR }, { <V as Tiles>::NV }>(
                g, packed_b, row0, rows, c, panels
            )
        },
    }
}

/// A raw pointer to C that tasks writing disjoint columns may share.
#[derive(Clone, Copy)]
struct SharedOut(*mut f32);
// SAFETY: every task writes a disjoint set of C's elements.
unsafe impl Send for SharedOut {}
unsafe impl Sync for SharedOut {}

impl SharedOut {
    /// Through a method, so closures capture the `Send` wrapper rather than the raw field.
    fn ptr(self) -> *mut f32 {
        self.0
    }
}

thread_local! {
    /// Scratch for the transposed copy that the unpacked path needs when both operands are
    /// transposed.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Dispatches a validated problem.
fn run(simd: Simd, g: &Gemm<'_>, c: &mut [f32]) {
    if g.m == 0 || g.n == 0 {
        return;
    }
    if g.k == 0 || g.alpha == 0.0 {
        // No product: C = beta·C + bias (A and B are not read).
        for row in c.chunks_exact_mut(g.n) {
            for (j, v) in row.iter_mut().enumerate() {
                *v = g.epilogue(0.0, *v, j);
            }
        }
        return;
    }
    let parallel = g.m.saturating_mul(g.n).saturating_mul(g.k) >= PARALLEL_MIN_MNK;
    match simd.usable() {
        Simd::Scalar => reference::sgemm(g, c),
        simd => run_vector(simd, g, c, parallel),
    }
}

/// Whether a problem with a product (m, n, k > 0) takes the packed path on a vector path.
fn takes_packed(g: &Gemm<'_>) -> bool {
    !(g.m <= SMALL_MAX_M || g.k <= SMALL_MAX_K || g.m * g.n * g.k <= SMALL_MAX_MNK)
}

fn run_vector(simd: Simd, g: &Gemm<'_>, c: &mut [f32], parallel: bool) {
    let tiles = tile_shape(simd);
    if takes_packed(g) {
        packed::sgemm(g, c, simd, tiles.mr, tiles.nr, parallel);
        return;
    }
    if g.trans_a && g.trans_b {
        // The unpacked kernels need one operand along its natural axis: un-transpose the smaller.
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let mut g2 = *g;
            if g.m <= g.n {
                transpose(g.a, g.k, g.m, &mut scratch);
                g2.trans_a = false;
            } else {
                transpose(g.b, g.n, g.k, &mut scratch);
                g2.trans_b = false;
            }
            if g2.trans_a {
                g2.b = &scratch;
            } else {
                g2.a = &scratch;
            }
            run_small(simd, &g2, c, parallel, tiles);
            packed::release_if_large(&mut scratch);
        });
    } else {
        run_small(simd, g, c, parallel, tiles);
    }
}

/// The unpacked kernels, over fixed column blocks in parallel for large problems. A task's first
/// column must be a multiple of the kernel's column tile.
fn run_small(simd: Simd, g: &Gemm<'_>, c: &mut [f32], parallel: bool, tiles: TileShape) {
    // The dot kernel (`x·Wᵀ`) takes any column range; its 4-column tiles let the seed's forward
    // (64 outputs) split across threads, where a 64-column unit made it a single task.
    let small_cols = if g.trans_b && !g.trans_a {
        tiles.dot_cols
    } else {
        tiles.small_cols
    };
    let out = SharedOut(c.as_mut_ptr());
    let tiles = g.n.div_ceil(small_cols);
    let threads = if parallel { threads::num_threads() } else { 1 };
    let tasks = tiles.min(threads * 4).max(1);
    let tiles_per_task = tiles.div_ceil(tasks);
    let tasks = tiles.div_ceil(tiles_per_task);
    let work = if threads > 1 { usize::MAX } else { 0 };
    threads::run_tasks(tasks, work, |t| {
        let j0 = t * tiles_per_task * small_cols;
        let j1 = ((t + 1) * tiles_per_task * small_cols).min(g.n);
        // SAFETY: `g` was validated against C; tasks write disjoint columns of it.
        unsafe { small_columns(simd, g, out.ptr(), j0, j1) };
    });
}

/// `out` (cols × rows) = the transpose of `src` (rows × cols).
fn transpose(src: &[f32], rows: usize, cols: usize, out: &mut Vec<f32>) {
    out.clear();
    out.resize(rows * cols, 0.0);
    transpose_into(src, rows, cols, out);
}

/// Side of the square blocks `transpose_into` moves at a time.
const TRANSPOSE_BLOCK: usize = 16;

/// `out` (cols × rows) = the transpose of `src` (rows × cols), in square blocks, so the lines
/// being written stay in L1 while a block's columns fill them (element by element over whole
/// rows, every write went to another cache line).
fn transpose_into(src: &[f32], rows: usize, cols: usize, out: &mut [f32]) {
    assert!(src.len() == rows * cols && out.len() == rows * cols);
    for r0 in (0..rows).step_by(TRANSPOSE_BLOCK) {
        let r1 = (r0 + TRANSPOSE_BLOCK).min(rows);
        for c0 in (0..cols).step_by(TRANSPOSE_BLOCK) {
            let c1 = (c0 + TRANSPOSE_BLOCK).min(cols);
            for r in r0..r1 {
                let row = &src[r * cols..][c0..c1];
                for (col, &v) in (c0..c1).zip(row) {
                    out[col * rows + r] = v;
                }
            }
        }
    }
}

#[cfg(test)]
mod baseline;
#[cfg(test)]
mod tests;
