//! The blocked, packed path for large products (BLIS-style, see Goto & van de Geijn, "Anatomy of
//! high-performance matrix multiplication").
//!
//! op(B) is packed once, whole, into panels of NR columns (k rows each, zero-padded past n), in
//! parallel. C is then split into row blocks of MC rows; each task packs its rows of op(A), one
//! KC-deep slice at a time, into panels of MR rows, and runs the MR×NR micro-kernel over every
//! (B panel, A panel) pair: the KC×NR B panel stays in L1 while A panels stream from L2.
//!
//! Results do not depend on the thread count: each C element is the sum, over the same fixed KC
//! slices of k, of its micro-kernel accumulator, whatever row block or thread computed it.
use super::simd::Vf32;
use super::Gemm;
use crate::threads;
use std::cell::RefCell;

/// Depth of one k slice: a KC×NR B panel (32 KiB for NR = 32) fits L1 beside an A panel.
pub const KC: usize = 256;
/// Largest row block: an MC×KC slice of packed A (192 KiB) fits L2.
const MC_MAX: usize = 192;

thread_local! {
    /// Per-thread packed-A buffer, reused across calls.
    static PACKED_A: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// Packed B of the calling thread's current product, reused across calls.
    static PACKED_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Per-ISA compute of one row block: `(g, packed_b, row0, c_rows)`.
pub type BlockFn = unsafe fn(&Gemm<'_>, &[f32], usize, &mut [f32]);

/// Runs the packed product of `g` into `c` with micro-tile `mr` × `nr`, computing row blocks with
/// `block`; `parallel` says whether to use the thread pool.
pub fn sgemm(g: &Gemm<'_>, c: &mut [f32], mr: usize, nr: usize, block: BlockFn, parallel: bool) {
    let (m, n, k) = (g.m, g.n, g.k);
    let panels = n.div_ceil(nr);
    let panel_len = k * nr;
    let threads = if parallel { threads::num_threads() } else { 1 };
    let work = if threads > 1 { usize::MAX } else { 0 };
    PACKED_B.with(|cell| {
        let mut packed_b = cell.borrow_mut();
        let len = panels * panel_len;
        if packed_b.len() < len {
            packed_b.resize(len, 0.0);
        }
        let packed_b = &mut packed_b[..len];
        let panels_per_task = panels.div_ceil(threads * 4).max(1);
        threads::par_chunks_mut(
            packed_b,
            panels_per_task * panel_len,
            work,
            |start, chunk| {
                pack_b(g, nr, start / panel_len, chunk);
            },
        );
        let packed_b: &[f32] = packed_b;

        // Row blocks: a multiple of MR rows each, as many as the threads can share evenly.
        let tasks = threads * m.div_ceil(threads * MC_MAX);
        let mc = m.div_ceil(tasks).div_ceil(mr) * mr;
        threads::par_chunks_mut(c, mc * n, work, |start, c_rows| {
            // SAFETY: `block` is the entry of an ISA this CPU has (chosen by the caller).
            unsafe { block(g, packed_b, start / n, c_rows) };
        });
    });
    PACKED_B.with(|cell| release_if_large(&mut cell.borrow_mut()));
}

/// Buffers up to this many floats (64 MiB) are kept between calls; a larger one, left by an
/// unusually large product, is freed rather than held for the life of the thread.
const KEEP_MAX: usize = 16 << 20;

pub(crate) fn release_if_large(buf: &mut Vec<f32>) {
    if buf.capacity() > KEEP_MAX {
        *buf = Vec::new();
    }
}

/// Packs NR-column panels of op(B), starting at panel `first`, into `out` (whole panels).
fn pack_b(g: &Gemm<'_>, nr: usize, first: usize, out: &mut [f32]) {
    let (n, k) = (g.n, g.k);
    for (idx, panel) in out.chunks_exact_mut(k * nr).enumerate() {
        let j0 = (first + idx) * nr;
        let cols = nr.min(n - j0);
        if g.trans_b {
            // op(B)[p][j] = b[j·k + p]: read each column contiguously.
            if cols < nr {
                panel.fill(0.0);
            }
            for col in 0..cols {
                let src = &g.b[(j0 + col) * k..(j0 + col + 1) * k];
                for (p, &v) in src.iter().enumerate() {
                    panel[p * nr + col] = v;
                }
            }
        } else {
            for (p, dst) in panel.chunks_exact_mut(nr).enumerate() {
                dst[..cols].copy_from_slice(&g.b[p * n + j0..p * n + j0 + cols]);
                dst[cols..].fill(0.0);
            }
        }
    }
}

/// Packs rows `row0..row0 + rows` × depth `p0..p0 + kc` of op(A) into MR-row panels
/// (`out[panel][p][r]`), zero-padding the last panel.
fn pack_a(
    g: &Gemm<'_>,
    mr: usize,
    row0: usize,
    rows: usize,
    p0: usize,
    kc: usize,
    out: &mut [f32],
) {
    let (m, k) = (g.m, g.k);
    for (ip, panel) in out.chunks_exact_mut(mr * kc).enumerate() {
        let i0 = row0 + ip * mr;
        let valid = mr.min(row0 + rows - i0);
        if valid < mr {
            panel.fill(0.0);
        }
        if g.trans_a {
            // op(A)[i][p] = a[p·m + i]: rows of the panel are contiguous in memory.
            for (p, dst) in panel.chunks_exact_mut(mr).enumerate() {
                let at = (p0 + p) * m + i0;
                dst[..valid].copy_from_slice(&g.a[at..at + valid]);
            }
        } else {
            for r in 0..valid {
                let src = &g.a[(i0 + r) * k + p0..(i0 + r) * k + p0 + kc];
                for (p, &v) in src.iter().enumerate() {
                    panel[p * mr + r] = v;
                }
            }
        }
    }
}

/// One row block: every KC slice of k, every B panel, every A panel.
///
/// # Safety
/// The CPU supports `V`; `packed_b` comes from `pack_b` for `g`; `c_rows` are whole rows of C
/// starting at row `row0`.
#[inline(always)]
pub unsafe fn block<V: Vf32, const MR: usize, const NV: usize>(
    g: &Gemm<'_>,
    packed_b: &[f32],
    row0: usize,
    c_rows: &mut [f32],
) {
    let (n, k) = (g.n, g.k);
    let nr = NV * V::LANES;
    let rows = c_rows.len() / n;
    let a_panels = rows.div_ceil(MR);
    let b_panels = n.div_ceil(nr);
    PACKED_A.with(|cell| {
        let mut packed_a = cell.borrow_mut();
        let need = a_panels * MR * KC.min(k);
        if packed_a.len() < need {
            packed_a.resize(need, 0.0);
        }
        let c = c_rows.as_mut_ptr();
        let mut p0 = 0;
        while p0 < k {
            let kc = KC.min(k - p0);
            let packed_a = &mut packed_a[..a_panels * MR * kc];
            pack_a(g, MR, row0, rows, p0, kc, packed_a);
            let first = p0 == 0;
            for jp in 0..b_panels {
                let bp = packed_b.as_ptr().add(jp * k * nr + p0 * nr);
                let j = jp * nr;
                let cols = nr.min(n - j);
                for ip in 0..a_panels {
                    let i = ip * MR;
                    let ap = packed_a.as_ptr().add(ip * MR * kc);
                    let tile = Tile {
                        c: c.add(i * n + j),
                        ldc: n,
                        rows: MR.min(rows - i),
                        cols,
                        j,
                        first,
                    };
                    micro::<V, MR, NV>(g, kc, ap, bp, &tile);
                }
            }
            p0 += kc;
        }
    });
}

/// Where a micro-tile's results go.
struct Tile {
    c: *mut f32,
    ldc: usize,
    /// Valid rows and columns (smaller than MR × NR at the edges of C).
    rows: usize,
    cols: usize,
    /// First column (for the bias).
    j: usize,
    /// First KC slice: apply beta and bias; later slices add to C.
    first: bool,
}

/// The MR × (NV·LANES) micro-kernel: `kc` rank-1 updates from packed panels, then the epilogue.
#[inline(always)]
unsafe fn micro<V: Vf32, const MR: usize, const NV: usize>(
    g: &Gemm<'_>,
    kc: usize,
    a: *const f32,
    b: *const f32,
    t: &Tile,
) {
    let lanes = V::LANES;
    let nr = NV * lanes;
    // C is read (and written) only after the k loop; start bringing its rows in now, since with
    // a row stride of n they defeat the hardware prefetcher.
    for r in 0..t.rows {
        let row = t.c.add(r * t.ldc);
        for v in (0..nr).step_by(16) {
            V::prefetch(row.add(v));
        }
    }
    let mut acc = [[V::zero(); NV]; MR];
    for p in 0..kc {
        let brow = b.add(p * nr);
        let mut bv = [V::zero(); NV];
        for (v, slot) in bv.iter_mut().enumerate() {
            *slot = V::load(brow.add(v * lanes));
        }
        let arow = a.add(p * MR);
        for (r, row) in acc.iter_mut().enumerate() {
            let av = V::splat(*arow.add(r));
            for (v, slot) in row.iter_mut().enumerate() {
                *slot = av.fma(bv[v], *slot);
            }
        }
    }
    // Epilogue, in the scalar reference's order: alpha·acc, + beta·C, + bias (first slice), or
    // C + alpha·acc (later slices). Edge tiles go through a stack buffer and the same arithmetic.
    let alpha = V::splat(g.alpha);
    if t.rows == MR && t.cols == nr {
        let beta = V::splat(g.beta);
        for (r, row) in acc.iter().enumerate() {
            let out = t.c.add(r * t.ldc);
            for (v, &sum) in row.iter().enumerate() {
                let ptr = out.add(v * lanes);
                let scaled = sum.mul(alpha);
                let val = if t.first {
                    let mut val = scaled;
                    if g.beta != 0.0 {
                        val = val.add(V::load(ptr).mul(beta));
                    }
                    if let Some(bias) = g.bias {
                        val = val.add(V::load(bias.as_ptr().add(t.j + v * lanes)));
                    }
                    val
                } else {
                    V::load(ptr).add(scaled)
                };
                val.store(ptr);
            }
        }
    } else {
        let mut buf = [0f32; 16 * 64];
        for (r, row) in acc.iter().enumerate() {
            for (v, &sum) in row.iter().enumerate() {
                sum.mul(alpha)
                    .store(buf.as_mut_ptr().add(r * nr + v * lanes));
            }
        }
        for r in 0..t.rows {
            let out = t.c.add(r * t.ldc);
            for col in 0..t.cols {
                let scaled = buf[r * nr + col];
                let o = out.add(col);
                *o = if t.first {
                    let mut val = scaled;
                    if g.beta != 0.0 {
                        val += *o * g.beta;
                    }
                    if let Some(bias) = g.bias {
                        val += bias[t.j + col];
                    }
                    val
                } else {
                    *o + scaled
                };
            }
        }
    }
}
