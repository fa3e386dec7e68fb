//! Unpacked kernels for small problems (few rows, or a short k): at the seed's sizes packing would
//! cost as much as the product itself, so these read A and B in place.
//!
//! - `dot` (`op(B) = Bᵀ`, A not transposed): both operands run along k, so each C element is a dot
//!   product; a tile keeps R×C vector accumulators and reduces them horizontally at the end.
//! - `axpy` (B not transposed): rows of B run along n, so a tile of R rows × CV vectors of C
//!   accumulates `a(i, p)·B[p, j..]` for p = 0..k.
//!
//! Each C element is computed by the same sequence of operations whichever tile or thread covers
//! it, so the column split used for threading never changes a result.
use super::{Gemm, Tiles};

/// Calls `$f::<R, C>` for runtime `r` in 1..=5 and `c` in 1..=4.
macro_rules! dispatch_tile {
    ($r:expr, $c:expr, $f:ident, $($arg:expr),*) => {
        match ($r, $c) {
            (1, 1) => $f::<V, 1, 1>($($arg),*), (1, 2) => $f::<V, 1, 2>($($arg),*),
            (1, 3) => $f::<V, 1, 3>($($arg),*), (1, _) => $f::<V, 1, 4>($($arg),*),
            (2, 1) => $f::<V, 2, 1>($($arg),*), (2, 2) => $f::<V, 2, 2>($($arg),*),
            (2, 3) => $f::<V, 2, 3>($($arg),*), (2, _) => $f::<V, 2, 4>($($arg),*),
            (3, 1) => $f::<V, 3, 1>($($arg),*), (3, 2) => $f::<V, 3, 2>($($arg),*),
            (3, 3) => $f::<V, 3, 3>($($arg),*), (3, _) => $f::<V, 3, 4>($($arg),*),
            (4, 1) => $f::<V, 4, 1>($($arg),*), (4, 2) => $f::<V, 4, 2>($($arg),*),
            (4, 3) => $f::<V, 4, 3>($($arg),*), (4, _) => $f::<V, 4, 4>($($arg),*),
            (_, 1) => $f::<V, 5, 1>($($arg),*), (_, 2) => $f::<V, 5, 2>($($arg),*),
            (_, 3) => $f::<V, 5, 3>($($arg),*), (_, _) => $f::<V, 5, 4>($($arg),*),
        }
    };
}

/// Splits `left` rows into blocks of at most `max`, as evenly as possible (10 → 5 + 5, not 4+4+2),
/// and returns the size of the next block.
#[inline(always)]
fn next_rows(left: usize, max: usize) -> usize {
    let blocks = left.div_ceil(max);
    left.div_ceil(blocks)
}

/// `C[.., j0..j1]` for a problem with A not transposed and B transposed (`x·Wᵀ`).
///
/// # Safety
/// The CPU supports `V`; `g` is validated and `c` holds m×n elements.
#[inline(always)]
pub(crate) unsafe fn dot<V: Tiles>(g: &Gemm<'_>, c: *mut f32, j0: usize, j1: usize) {
    // Column tiles outside, row blocks inside: each tile's rows of B (SMALL_C × k) are read from
    // memory once and reused by every row block from L1, while A (≤ 32 rows) stays in L2.
    let mut j = j0;
    while j < j1 {
        let cols = V::SMALL_C.min(j1 - j);
        let mut i = 0;
        while i < g.m {
            let r = next_rows(g.m - i, V::SMALL_R);
            dispatch_tile!(r, cols, dot_tile, g, c, i, j);
            i += r;
        }
        j += cols;
    }
}

#[inline(always)]
unsafe fn dot_tile<V: Tiles, const R: usize, const C: usize>(
    g: &Gemm<'_>,
    c: *mut f32,
    i: usize,
    j: usize,
) {
    let (n, k) = (g.n, g.k);
    let a = g.a.as_ptr().add(i * k);
    let b = g.b.as_ptr().add(j * k);
    let lanes = V::LANES;
    let mut acc = [[V::zero(); C]; R];
    let full = k - k % lanes;
    let mut p = 0;
    while p < full {
        let mut bv = [V::zero(); C];
        for (cc, v) in bv.iter_mut().enumerate() {
            *v = V::load(b.add(cc * k + p));
        }
        for (r, row) in acc.iter_mut().enumerate() {
            let av = V::load(a.add(r * k + p));
            for (cc, slot) in row.iter_mut().enumerate() {
                *slot = av.mul_add(bv[cc], *slot);
            }
        }
        p += lanes;
    }
    if p < k {
        let tail = k - p;
        let mut bv = [V::zero(); C];
        for (cc, v) in bv.iter_mut().enumerate() {
            *v = V::load_partial(b.add(cc * k + p), tail);
        }
        for (r, row) in acc.iter_mut().enumerate() {
            let av = V::load_partial(a.add(r * k + p), tail);
            for (cc, slot) in row.iter_mut().enumerate() {
                *slot = av.mul_add(bv[cc], *slot);
            }
        }
    }
    let zero = V::zero();
    for (r, row) in acc.iter().enumerate() {
        let at = |cc: usize| if cc < C { row[cc] } else { zero };
        let sums = V::hsum4(at(0), at(1), at(2), at(3));
        let out = c.add((i + r) * n + j);
        for (cc, &s) in sums.iter().take(C).enumerate() {
            *out.add(cc) = g.epilogue(s, *out.add(cc), j + cc);
        }
    }
}

/// `C[.., j0..j1]` for a problem with B not transposed (A either way). `j0` is a multiple of
/// `LANES` unless it is `j1`.
///
/// # Safety
/// The CPU supports `V`; `g` is validated and `c` holds m×n elements.
#[inline(always)]
pub(crate) unsafe fn axpy<V: Tiles>(g: &Gemm<'_>, c: *mut f32, j0: usize, j1: usize) {
    let lanes = V::LANES;
    let block = V::SMALL_C * lanes;
    let mut j = j0;
    while j < j1 {
        let width = block.min(j1 - j);
        let vectors = width.div_ceil(lanes);
        let tail = width - (vectors - 1) * lanes;
        let mut i = 0;
        while i < g.m {
            let r = next_rows(g.m - i, V::SMALL_R);
            if tail == lanes {
                dispatch_tile!(r, vectors, axpy_tile_full, g, c, i, j);
            } else {
                dispatch_tile!(r, vectors, axpy_tile_tail, g, c, i, j, tail);
            }
            i += r;
        }
        j += width;
    }
}

#[inline(always)]
unsafe fn axpy_tile_full<V: Tiles, const R: usize, const CV: usize>(
    g: &Gemm<'_>,
    c: *mut f32,
    i: usize,
    j: usize,
) {
    axpy_tile::<V, R, CV, false>(g, c, i, j, V::LANES)
}

#[inline(always)]
unsafe fn axpy_tile_tail<V: Tiles, const R: usize, const CV: usize>(
    g: &Gemm<'_>,
    c: *mut f32,
    i: usize,
    j: usize,
    tail: usize,
) {
    axpy_tile::<V, R, CV, true>(g, c, i, j, tail)
}

/// R rows × CV vectors of C; with `PARTIAL` the last vector holds only `tail` columns.
#[inline(always)]
unsafe fn axpy_tile<V: Tiles, const R: usize, const CV: usize, const PARTIAL: bool>(
    g: &Gemm<'_>,
    c: *mut f32,
    i: usize,
    j: usize,
    tail: usize,
) {
    let (m, n, k) = (g.m, g.n, g.k);
    let lanes = V::LANES;
    // op(A)[i][p] = a[i·rs + p·cs].
    let (rs, cs) = if g.trans_a { (1, m) } else { (k, 1) };
    let a = g.a.as_ptr().add(i * rs);
    let b = g.b.as_ptr().add(j);
    let load_b = |ptr: *const f32, v: usize| {
        if PARTIAL && v == CV - 1 {
            V::load_partial(ptr.add(v * lanes), tail)
        } else {
            V::load(ptr.add(v * lanes))
        }
    };
    let mut acc = [[V::zero(); CV]; R];
    for p in 0..k {
        let brow = b.add(p * n);
        let mut bv = [V::zero(); CV];
        for (v, slot) in bv.iter_mut().enumerate() {
            *slot = load_b(brow, v);
        }
        for (r, row) in acc.iter_mut().enumerate() {
            let av = V::splat(*a.add(r * rs + p * cs));
            for (v, slot) in row.iter_mut().enumerate() {
                *slot = av.mul_add(bv[v], *slot);
            }
        }
    }
    let alpha = V::splat(g.alpha);
    let beta = V::splat(g.beta);
    for (r, row) in acc.iter().enumerate() {
        let out = c.add((i + r) * n + j);
        for (v, &sum) in row.iter().enumerate() {
            let partial = PARTIAL && v == CV - 1;
            let ptr = out.add(v * lanes);
            let mut val = sum.mul(alpha);
            if g.beta != 0.0 {
                let old = if partial {
                    V::load_partial(ptr, tail)
                } else {
                    V::load(ptr)
                };
                val = val.add(old.mul(beta));
            }
            if let Some(bias) = g.bias {
                let bp = bias.as_ptr().add(j + v * lanes);
                val = val.add(if partial {
                    V::load_partial(bp, tail)
                } else {
                    V::load(bp)
                });
            }
            if partial {
                val.store_partial(ptr, tail)
            } else {
                val.store(ptr)
            }
        }
    }
}
