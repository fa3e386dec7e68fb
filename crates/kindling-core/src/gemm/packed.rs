//! The blocked, packed path for large products (BLIS-style, see Goto & van de Geijn, "Anatomy of
//! high-performance matrix multiplication").
//!
//! op(B) is packed once, whole, into panels of NR columns (k rows each, zero-padded past n), in
//! parallel (or once for many products: `prepacked.rs`). C is then split into row blocks of MC
//! rows — or, with too few rows for every thread, into ranges of B panels; each task packs its
//! rows of op(A), every KC-deep slice, into panels of MR rows, then walks column blocks of
//! NC_PANELS B panels: for each k slice, every (B panel, A panel) pair through the MR×NR
//! micro-kernel. The KC×NR B panel stays in L1 while A panels stream from L2; the block's tile of
//! C stays in L2 across the k slices; the next B panel is prefetched into L2 while the current
//! one is in use. Packed buffers start on a cache line. On AVX-512, full panels of a row-major A
//! and of a transposed B are packed through 16 × 16 register transposes. A split by B panels over
//! a row-major B of several KC slices does not pack B first: each task packs its own panels one
//! slice at a time, asking for the next slice's rows while it computes.
//!
//! Results do not depend on the thread count: each C element is the sum, over the same fixed KC
//! slices of k, of its micro-kernel accumulator, whatever block, tile height or thread computed it.
use super::Gemm;
use crate::cpu::Simd;
use crate::simd::Vf32;
use crate::threads;
use crate::tuning::GEMM_COLUMN_SPLIT_MAX_M;
use std::cell::RefCell;

/// Depth of one k slice: a KC×NR B panel (32 KiB for NR = 32) fits L1 beside an A panel.
pub const KC: usize = 256;
/// Largest row block: an MC×KC slice of packed A (192 KiB) fits L2.
const MC_MAX: usize = 192;
/// B panels per column block (512 columns for NR = 32): a row block's MC×NC tile of C plus the
/// KC×NC slice of packed B (~0.9 MiB) stay in L2 across the k slices, instead of C going back to
/// L3 after every slice when n is large. With the B-panel prefetch: 2048³ on 1 thread ~115 →
/// ~131 GFLOP/s (measured interleaved in one process, best of 3).
const NC_PANELS: usize = 16;

thread_local! {
    /// Per-thread packed-A buffer, reused across calls.
    static PACKED_A: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// Packed B of the calling thread's current product, reused across calls.
    static PACKED_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// Per-thread panels of one KC slice of a streamed B (`block` without a packed B).
    static SLICE_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs the packed product of `g` into `c` with micro-tile `mr` × `nr` (the tile of `simd`'s
/// vector type), computing blocks with `super::packed_block`; `parallel` says whether to use
/// the thread pool.
pub fn sgemm(g: &Gemm<'_>, c: &mut [f32], simd: Simd, mr: usize, nr: usize, parallel: bool) {
    let threads = if parallel { threads::num_threads() } else { 1 };
    if let Some(split) = column_split(g, mr, nr, threads) {
        if !g.trans_b && g.k > KC && split.panels.div_ceil(split.tasks) <= NC_PANELS {
            // Each task packs its own panels of a row-major B one KC slice at a time, reading the
            // next slice ahead while it computes (NOTE [ B streamed by slices in the column
            // split ] in docs/PERFORMANCE.md).
            run_columns(g, None, c, simd, split, threads);
            return;
        }
    }
    PACKED_B.with(|cell| {
        let mut packed_b = cell.borrow_mut();
        let packed_b = aligned(&mut packed_b, g.n.div_ceil(nr) * g.k * nr);
        pack_b_panels(g, nr, threads, packed_b);
        run_on_packed_b(g, packed_b, c, simd, mr, nr, threads);
    });
    PACKED_B.with(|cell| release_if_large(&mut cell.borrow_mut()));
}

/// Packs all of op(B) into `out` (`n.div_ceil(nr)` panels of `k × nr`), on `threads` threads.
pub(crate) fn pack_b_panels(g: &Gemm<'_>, nr: usize, threads: usize, out: &mut [f32]) {
    let panels = g.n.div_ceil(nr);
    let panel_len = g.k * nr;
    let work = if threads > 1 { usize::MAX } else { 0 };
    let panels_per_task = panels.div_ceil(threads * 4).max(1);
    threads::par_chunks_mut(
        out,
        panels_per_task * panel_len,
        work,
        |start, chunk| match nr {
            32 => pack_b::<32>(g, nr, start / panel_len, chunk),
            16 => pack_b::<16>(g, nr, start / panel_len, chunk),
            12 => pack_b::<12>(g, nr, start / panel_len, chunk),
            _ => pack_b::<0>(g, nr, start / panel_len, chunk),
        },
    );
}

/// The product of `g` into `c` with op(B) already packed (`packed_b`, from `pack_b_panels`), on
/// `threads` threads. C is split into row blocks of whole MR panels when it has rows enough for
/// every thread; a product with few rows (a recurrent step's batch) is split by B panels
/// instead, each task packing the whole (small) A itself, so every thread keeps its share of B
/// in its own cache from one product to the next; on AVX-512 its tile is 8 rows high where that
/// pads A less than 12.
pub(crate) fn run_on_packed_b(
    g: &Gemm<'_>,
    packed_b: &[f32],
    c: &mut [f32],
    simd: Simd,
    mr: usize,
    nr: usize,
    threads: usize,
) {
    if let Some(split) = column_split(g, mr, nr, threads) {
        run_columns(g, Some(packed_b), c, simd, split, threads);
        return;
    }
    let (m, n) = (g.m, g.n);
    let panels = n.div_ceil(nr);
    let work = if threads > 1 { usize::MAX } else { 0 };
    let a_panels = m.div_ceil(mr);
    let out = BlockOut(c.as_mut_ptr());
    // Row blocks of whole MR panels, as many as the threads can share evenly, their sizes
    // differing by at most one panel (equal-size blocks would leave a short last one: 1024
    // rows made 5 × 180 + 124, one thread idle for the difference).
    let tasks = (threads * m.div_ceil(threads * MC_MAX)).min(a_panels);
    threads::run_tasks(tasks, work, |t| {
        let r0 = t * a_panels / tasks * mr;
        let r1 = ((t + 1) * a_panels / tasks * mr).min(m);
        // SAFETY: tasks cover disjoint row ranges of C, which is borrowed mutably for the
        // whole call.
        unsafe {
            super::packed_block(
                simd,
                g,
                Some(packed_b),
                r0,
                r1 - r0,
                out.ptr().add(r0 * n),
                0..panels,
                false,
            )
        };
    });
}

/// How a product of few rows splits C by B panels: `tasks` ranges of panels, with 8-row tiles
/// when `rows8`.
#[derive(Clone, Copy)]
struct ColumnSplit {
    panels: usize,
    tasks: usize,
    rows8: bool,
}

/// The split by B panels when C has too few rows for every thread, or A is the smaller (or an
/// equal) operand of a product of few rows: every task then packs all of A but reads only its own panels of B,
/// where a row split has each read all of packed B (NOTE [ Column split for few rows ] in
/// docs/PERFORMANCE.md). None for a split by rows.
fn column_split(g: &Gemm<'_>, mr: usize, nr: usize, threads: usize) -> Option<ColumnSplit> {
    let (m, n) = (g.m, g.n);
    let panels = n.div_ceil(nr);
    let a_panels = m.div_ceil(mr);
    let few_rows = a_panels < 2 * threads.max(2) || (m <= GEMM_COLUMN_SPLIT_MAX_M && m <= n);
    if !few_rows || panels < 2 * threads {
        return None;
    }
    let tasks = threads.min(panels);
    Some(ColumnSplit {
        panels,
        tasks,
        // At a few rows the 12-row tile's padding costs a large share (32 rows fill 36): an
        // 8-row tile where it pads less (NOTE [ RNN steps on a packed W_hh ] in
        // docs/PERFORMANCE.md). The tile height does not change any element's sum.
        rows8: mr == 12 && m.div_ceil(8) * 8 < m.div_ceil(12) * 12,
    })
}

/// The column split's tasks, on `packed_b` (all of op(B), from `pack_b_panels`) or, with None,
/// each packing its own panels of a row-major B slice by slice (`block`).
fn run_columns(
    g: &Gemm<'_>,
    packed_b: Option<&[f32]>,
    c: &mut [f32],
    simd: Simd,
    split: ColumnSplit,
    threads: usize,
) {
    let work = if threads > 1 { usize::MAX } else { 0 };
    let out = BlockOut(c.as_mut_ptr());
    let (panels, tasks) = (split.panels, split.tasks);
    threads::run_tasks(tasks, work, |t| {
        let cols = t * panels / tasks..(t + 1) * panels / tasks;
        // SAFETY: tasks cover disjoint column ranges of C, which is borrowed mutably for the
        // whole call; `rows8` only on AVX-512, the one path with 12-row tiles.
        unsafe { super::packed_block(simd, g, packed_b, 0, g.m, out.ptr(), cols, split.rows8) };
    });
}

/// C's base pointer, shared by tasks that write disjoint blocks of it.
#[derive(Clone, Copy)]
struct BlockOut(*mut f32);
// SAFETY: every task writes a disjoint block (rows, or columns) of C.
unsafe impl Send for BlockOut {}
unsafe impl Sync for BlockOut {}

impl BlockOut {
    /// Through a method, so closures capture the `Send` wrapper rather than the raw field.
    fn ptr(self) -> *mut f32 {
        self.0
    }
}

/// Buffers up to this many floats (64 MiB) are kept between calls; a larger one, left by an
/// unusually large product, is freed rather than held for the life of the thread.
const KEEP_MAX: usize = 16 << 20;

pub(crate) fn release_if_large(buf: &mut Vec<f32>) {
    if buf.capacity() > KEEP_MAX {
        *buf = Vec::new();
    }
}

/// Rows of a transposed B panel packed at a time (a 64 × 32 block is 8 KiB, well inside L1).
const TRANSPOSE_ROWS: usize = 64;

/// Floats per cache line (64 bytes).
const LINE: usize = 16;

/// `len` floats of `buf` starting on a cache line: a vector load of a packed panel then never
/// straddles two lines (a split load costs two L1 accesses; the allocator only guarantees 16
/// bytes). Measured ~3 % on 1024³ and 2048³.
pub(crate) fn aligned(buf: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if buf.len() < len + LINE {
        buf.resize(len + LINE, 0.0);
    }
    let skip = buf.as_ptr().align_offset(LINE * 4).min(LINE);
    &mut buf[skip..skip + len]
}

/// Packs `nr`-column panels of op(B), starting at panel `first`, into `out` (whole panels). When
/// `NR == nr` a full panel row is a fixed-size copy rather than a `memcpy` call per 128 bytes.
fn pack_b<const NR: usize>(g: &Gemm<'_>, nr: usize, first: usize, out: &mut [f32]) {
    let (n, k) = (g.n, g.k);
    for (idx, panel) in out.chunks_exact_mut(k * nr).enumerate() {
        let j0 = (first + idx) * nr;
        let cols = nr.min(n - j0);
        if g.trans_b {
            // op(B)[p][j] = b[j·k + p]: read each column contiguously.
            if cols < nr {
                panel.fill(0.0);
            }
            #[cfg(target_arch = "x86_64")]
            if NR == 32 && nr == 32 && cols == 32 && Simd::Avx512.is_available() {
                // SAFETY: the CPU has AVX-512; the panel holds k rows of 32 and b columns
                // j0..j0 + 32 of k each.
                let done = unsafe { transpose_panel_avx512(g.b, k, j0, panel) };
                pack_b_transposed_rows(g, nr, j0, cols, done, panel);
                continue;
            }
            pack_b_transposed_rows(g, nr, j0, cols, 0, panel);
        } else {
            // A row-major B: the panel is one slice of B's whole depth.
            pack_b_slice_rows::<NR>(g, nr, first + idx..first + idx + 1, 0, k, panel);
        }
    }
}

/// Depth rows `from..k` of the panel of a transposed B starting at column `j0`, element by
/// element: in blocks of TRANSPOSE_ROWS rows of the panel, so the block being written stays in L1
/// while each column fills its slot of it (column by column over the whole panel touched every
/// one of its k cache lines per column; NOTE [ Packing for the CNN's products ] in
/// docs/PERFORMANCE.md).
fn pack_b_transposed_rows(
    g: &Gemm<'_>,
    nr: usize,
    j0: usize,
    cols: usize,
    from: usize,
    panel: &mut [f32],
) {
    let k = g.k;
    let mut p0 = from;
    while p0 < k {
        let rows = TRANSPOSE_ROWS.min(k - p0);
        let block = &mut panel[p0 * nr..(p0 + rows) * nr];
        for col in 0..cols {
            let src = &g.b[(j0 + col) * k + p0..(j0 + col) * k + p0 + rows];
            for (dst, &v) in block.chunks_exact_mut(nr).zip(src) {
                dst[col] = v;
            }
        }
        p0 += rows;
    }
}

/// The full 32-column panel of a transposed B from column `j0` (stored rows of `k`), 16 depths
/// at a time through [`transpose16`](crate::simd::transpose16::transpose16). Returns the depth done (`k` rounded down to 16); the caller
/// packs the rest.
///
/// # Safety
/// The CPU has AVX-512F; `b` has columns `j0..j0 + 32` of `k` values; `panel` holds `k × 32`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn transpose_panel_avx512(b: &[f32], k: usize, j0: usize, panel: &mut [f32]) -> usize {
    use crate::simd::transpose16::transpose16;
    use std::arch::x86_64::*;
    assert!(b.len() >= (j0 + 32) * k && panel.len() >= k * 32);
    let depth = k / 16 * 16;
    let src = b.as_ptr().add(j0 * k);
    let dst = panel.as_mut_ptr();
    for p in (0..depth).step_by(16) {
        for half in 0..2 {
            // Row i: column j0 + 16·half + i, depths p..p + 16.
            let r: [__m512; 16] =
                std::array::from_fn(|i| _mm512_loadu_ps(src.add((16 * half + i) * k + p)));
            for (q, row) in transpose16(&r).into_iter().enumerate() {
                _mm512_storeu_ps(dst.add((p + q) * 32 + 16 * half), row);
            }
        }
    }
    depth
}

/// A full 12-row panel of a row-major A (rows `i0..i0 + 12`, depths `p0..p0 + kc`), 16 depths at
/// a time through [`transpose16`](crate::simd::transpose16::transpose16) (the 4 rows past 12 are zero and not stored). Returns the
/// depth done (`kc` rounded down to 16); the caller packs the rest.
///
/// # Safety
/// The CPU has AVX-512F; `a` has rows `i0..i0 + 12` of `k`, with `p0 + kc <= k`; `panel` holds
/// `kc × 12`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn pack_a_panel12_avx512(
    a: &[f32],
    k: usize,
    i0: usize,
    p0: usize,
    kc: usize,
    panel: &mut [f32],
) -> usize {
    use crate::simd::transpose16::transpose16;
    use std::arch::x86_64::*;
    assert!(a.len() >= (i0 + 12) * k && p0 + kc <= k && panel.len() >= kc * 12);
    let depth = kc / 16 * 16;
    let src = a.as_ptr().add(i0 * k + p0);
    let dst = panel.as_mut_ptr();
    let mut r = [_mm512_setzero_ps(); 16];
    for p in (0..depth).step_by(16) {
        for (i, row) in r.iter_mut().enumerate().take(12) {
            *row = _mm512_loadu_ps(src.add(i * k + p));
        }
        for (q, col) in transpose16(&r).into_iter().enumerate() {
            _mm512_mask_storeu_ps(dst.add((p + q) * 12), 0x0FFF, col);
        }
    }
    depth
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
    if g.trans_a {
        match mr {
            12 => pack_a_transposed::<12>(g.a, m, mr, row0, rows, p0, kc, out),
            8 => pack_a_transposed::<8>(g.a, m, mr, row0, rows, p0, kc, out),
            6 => pack_a_transposed::<6>(g.a, m, mr, row0, rows, p0, kc, out),
            _ => pack_a_transposed::<0>(g.a, m, mr, row0, rows, p0, kc, out),
        }
        return;
    }
    for (ip, panel) in out.chunks_exact_mut(mr * kc).enumerate() {
        let i0 = row0 + ip * mr;
        let valid = mr.min(row0 + rows - i0);
        if valid < mr {
            panel.fill(0.0);
        }
        if valid == mr && matches!(mr, 12 | 8 | 6) {
            // A full panel at each path's tile height (AVX-512 12, NEON 8, AVX2 6).
            #[cfg(target_arch = "x86_64")]
            if mr == 12 && Simd::Avx512.is_available() {
                // SAFETY: the CPU has AVX-512; the panel's 12 rows and depths are inside A.
                let done = unsafe { pack_a_panel12_avx512(g.a, k, i0, p0, kc, panel) };
                pack_a_rows::<12>(g.a, k, i0, p0 + done, kc - done, &mut panel[done * 12..]);
                continue;
            }
            match mr {
                12 => pack_a_rows::<12>(g.a, k, i0, p0, kc, panel),
                8 => pack_a_rows::<8>(g.a, k, i0, p0, kc, panel),
                _ => pack_a_rows::<6>(g.a, k, i0, p0, kc, panel),
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

/// Depth rows of a transposed A packed at a time: a block of them (16 × m floats, 32 KiB for
/// m = 512) stays in L1 while every panel takes its columns.
const TRANSPOSED_A_ROWS: usize = 16;

/// Packs a transposed A (stored k × m: each depth's values of a panel's `mr` rows are already
/// contiguous) into `mr`-row panels (a full one as a fixed-size copy when `MR == mr`), in blocks of depth rows across all panels. Panel by panel,
/// each depth's 48 bytes came from a different cache line at a stride of m floats, past the
/// prefetcher, and a `copy_from_slice` that short was a `memmove` call: a fifth of a weight
/// gradient's product (NOTE [ Packing for the GPT's products ] in docs/PERFORMANCE.md).
#[allow(clippy::too_many_arguments)]
fn pack_a_transposed<const MR: usize>(
    a: &[f32],
    m: usize,
    mr: usize,
    row0: usize,
    rows: usize,
    p0: usize,
    kc: usize,
    out: &mut [f32],
) {
    let panels = rows.div_ceil(mr);
    let full = rows / mr;
    if full < panels {
        // The last panel's rows past `rows` stay zero.
        out[full * mr * kc..panels * mr * kc].fill(0.0);
    }
    let mut b0 = 0;
    while b0 < kc {
        let b1 = (b0 + TRANSPOSED_A_ROWS).min(kc);
        for ip in 0..panels {
            let i0 = row0 + ip * mr;
            let valid = mr.min(row0 + rows - i0);
            let panel = &mut out[ip * mr * kc..(ip + 1) * mr * kc];
            for p in b0..b1 {
                let at = (p0 + p) * m + i0;
                let dst = &mut panel[p * mr..(p + 1) * mr];
                if valid == MR && mr == MR {
                    let src: &[f32; MR] = a[at..at + MR].try_into().unwrap();
                    let dst: &mut [f32; MR] = dst.try_into().unwrap();
                    *dst = *src;
                } else {
                    dst[..valid].copy_from_slice(&a[at..at + valid]);
                }
            }
        }
        b0 = b1;
    }
}

/// A full panel of `MR` rows of a row-major A: for each depth, the `MR` values of the panel's rows
/// gathered and stored as one contiguous group (row by row, it took one scalar store per value at
/// a stride of `MR`: the store port was the limit; NOTE [ Packing for the CNN's products ] in
/// docs/PERFORMANCE.md).
fn pack_a_rows<const MR: usize>(
    a: &[f32],
    k: usize,
    i0: usize,
    p0: usize,
    kc: usize,
    panel: &mut [f32],
) {
    let rows: [&[f32]; MR] = std::array::from_fn(|r| &a[(i0 + r) * k + p0..(i0 + r) * k + p0 + kc]);
    for (p, dst) in panel.chunks_exact_mut(MR).enumerate().take(kc) {
        let dst: &mut [f32; MR] = dst.try_into().unwrap();
        *dst = std::array::from_fn(|r| rows[r][p]);
    }
}

/// One block of C: `rows` rows from `row0`, the columns of B panels `panels`; every KC slice of
/// k, every B panel, every A panel. B is `packed_b` (from `pack_b` for `g`), or with None a
/// row-major B packed here slice by slice (`pack_b_slice`), the next slice's rows asked for while
/// this one computes (`Ahead`); the micro-tiles and their order are the same either way.
///
/// # Safety
/// The CPU supports `V`; `packed_b` comes from `pack_b` for `g`, or is None and B is not
/// transposed; `c` points at row `row0` of C, and no other task writes this block while the call
/// runs.
#[inline(always)]
pub(crate) unsafe fn block<V: Vf32, const MR: usize, const NV: usize>(
    g: &Gemm<'_>,
    packed_b: Option<&[f32]>,
    row0: usize,
    rows: usize,
    c: *mut f32,
    panels: std::ops::Range<usize>,
) {
    let (n, k) = (g.n, g.k);
    let nr = NV * V::LANES;
    let a_panels = rows.div_ceil(MR);
    // The buffer is taken out of the thread-local rather than used inside `with`'s closure: the
    // closure would not be compiled for this function's ISA, and the kernel must inline here.
    let mut buf = PACKED_A.with(|cell| cell.take());
    let mut slice_buf = SLICE_B.with(|cell| cell.take());
    debug_assert!(
        packed_b.is_some() || !g.trans_b,
        "a streamed B is row-major"
    );
    if packed_b.is_none() {
        // Sized once for the largest slice, so the pointers taken below stay valid.
        aligned(&mut slice_buf, panels.len().min(NC_PANELS) * KC * nr);
    }
    {
        // The whole row block of op(A), every KC slice, packed once: slice `p0` starts at
        // `a_panels·MR·p0` and holds its panels of `MR × kc`.
        let packed_a = aligned(&mut buf, a_panels * MR * k);
        // The column sums of A (`sgemm_a_sums`): a row split's task sums all its A panels; a
        // column split packs all of A in every task, and each sums the share of A panels that
        // matches its share of B panels (disjoint, covering all, the work balanced).
        let mut sums = g.a_sums.map(|out| {
            let all = n.div_ceil(nr);
            let mine = a_panels * panels.start / all..a_panels * panels.end / all;
            (out, mine.clone(), vec![0f64; mine.len() * MR])
        });
        let mut p0 = 0;
        while p0 < k {
            let kc = KC.min(k - p0);
            let at = a_panels * MR * p0;
            let slice = &mut packed_a[at..at + a_panels * MR * kc];
            pack_a(g, MR, row0, rows, p0, kc, slice);
            if let Some((_, mine, acc)) = sums.as_mut() {
                // The slice's depth rows of the stored A (k × m), just read by the packing.
                let (i0, i1) = (
                    row0 + mine.start * MR,
                    (row0 + mine.end * MR).min(row0 + rows),
                );
                add_depth_rows(&g.a[p0 * g.m..(p0 + kc) * g.m], g.m, i0..i1, acc);
            }
            p0 += kc;
        }
        if let Some((out, mine, acc)) = sums {
            let first = mine.start * MR;
            for (i, &v) in acc.iter().enumerate().take(rows.saturating_sub(first)) {
                // SAFETY: row `row0 + first + i` of op(A) is this task's alone (see above).
                out.set(row0 + first + i, v as f32);
            }
        }
        let packed_a: &[f32] = packed_a;
        let ncp = NC_PANELS;
        let mut jc = panels.start;
        while jc < panels.end {
            let jc_end = (jc + ncp).min(panels.end);
            let mut p0 = 0;
            while p0 < k {
                let kc = KC.min(k - p0);
                let a_slice = packed_a.as_ptr().add(a_panels * MR * p0);
                let first = p0 == 0;
                // This slice's panels: in the caller's packed B (panel `jp` whole, k deep), or
                // packed now from a row-major B into this thread's slice buffer (kc deep each).
                let (slice_b, panel_stride) = match packed_b {
                    Some(pb) => (pb.as_ptr().add(jc * k * nr + p0 * nr), k * nr),
                    None => {
                        let out = aligned(&mut slice_buf, (jc_end - jc) * kc * nr);
                        pack_b_slice(g, nr, jc..jc_end, p0, kc, out);
                        (out.as_ptr(), kc * nr)
                    }
                };
                // Streaming: the next slice's rows of B, asked for a few lines per micro-tile
                // so they arrive while this slice computes.
                let mut ahead = Ahead::new(g, nr, jc..jc_end, p0 + kc, packed_b.is_none());
                let per_tile = ahead.lines.div_ceil((jc_end - jc) * a_panels);
                for jp in jc..jc_end {
                    let bp = slice_b.add((jp - jc) * panel_stride);
                    // The B panel the next `jp` (or the next k slice) will use: fetched into L2
                    // while this one is in use, so its first micro-tile does not wait on L3.
                    let next_b = if jp + 1 < jc_end {
                        bp.add(panel_stride)
                    } else if p0 + kc < k && packed_b.is_some() {
                        slice_b.add(kc * nr)
                    } else {
                        std::ptr::null()
                    };
                    let next_kc = if jp + 1 < jc_end {
                        kc
                    } else {
                        KC.min(k.saturating_sub(p0 + kc))
                    };
                    let j = jp * nr;
                    let cols = nr.min(n - j);
                    for ip in 0..a_panels {
                        let i = ip * MR;
                        let ap = a_slice.add(ip * MR * kc);
                        let tile = Tile {
                            c: c.add(i * n + j),
                            ldc: n,
                            rows: MR.min(rows - i),
                            cols,
                            j,
                            first,
                        };
                        if ip == 0 && !next_b.is_null() {
                            micro::<V, MR, NV, true>(g, kc, ap, bp, &tile, next_b, next_kc);
                        } else {
                            micro::<V, MR, NV, false>(g, kc, ap, bp, &tile, next_b, 0);
                        }
                        ahead.prefetch(per_tile);
                    }
                }
                p0 += kc;
            }
            jc = jc_end;
        }
    }
    release_if_large(&mut buf);
    PACKED_A.with(|cell| *cell.borrow_mut() = buf);
    SLICE_B.with(|cell| *cell.borrow_mut() = slice_buf);
}

/// Packs depth rows `p0..p0 + kc` of B's `panels` (row-major B, `nr` columns each) into `out`,
/// panel after panel (`out[(panel·kc + p)·nr + j]`), zero past n; row by row of B, so each depth
/// row's share is read contiguously.
fn pack_b_slice(
    g: &Gemm<'_>,
    nr: usize,
    panels: std::ops::Range<usize>,
    p0: usize,
    kc: usize,
    out: &mut [f32],
) {
    match nr {
        32 => pack_b_slice_rows::<32>(g, nr, panels, p0, kc, out),
        16 => pack_b_slice_rows::<16>(g, nr, panels, p0, kc, out),
        12 => pack_b_slice_rows::<12>(g, nr, panels, p0, kc, out),
        _ => pack_b_slice_rows::<0>(g, nr, panels, p0, kc, out),
    }
}

/// [`pack_b_slice`] with a full panel row as a fixed-size copy when `NR == nr`.
fn pack_b_slice_rows<const NR: usize>(
    g: &Gemm<'_>,
    nr: usize,
    panels: std::ops::Range<usize>,
    p0: usize,
    kc: usize,
    out: &mut [f32],
) {
    let n = g.n;
    for p in 0..kc {
        let row = &g.b[(p0 + p) * n..(p0 + p + 1) * n];
        for (jj, jp) in panels.clone().enumerate() {
            let j0 = jp * nr;
            let cols = nr.min(n - j0);
            let dst = &mut out[(jj * kc + p) * nr..][..nr];
            if NR == nr && cols == NR {
                let src: &[f32; NR] = row[j0..j0 + NR].try_into().unwrap();
                let dst: &mut [f32; NR] = dst.try_into().unwrap();
                *dst = *src;
            } else {
                dst[..cols].copy_from_slice(&row[j0..j0 + cols]);
                dst[cols..].fill(0.0);
            }
        }
    }
}

/// The cache lines of the depth rows of a row-major B that the next KC slice of a streamed block
/// will pack (its panels' columns), asked for a few at a time into L2 while the current slice
/// computes.
struct Ahead {
    base: *const f32,
    row_stride: usize,
    lines_per_row: usize,
    /// Lines in all; `next` is the first not asked for yet.
    lines: usize,
    next: usize,
}

impl Ahead {
    /// The lines of depth rows from `p_next` (one KC slice) of `panels`; none unless `on`.
    fn new(
        g: &Gemm<'_>,
        nr: usize,
        panels: std::ops::Range<usize>,
        p_next: usize,
        on: bool,
    ) -> Ahead {
        let mut ahead = Ahead {
            base: g.b.as_ptr(),
            row_stride: g.n,
            lines_per_row: 1,
            lines: 0,
            next: 0,
        };
        if on && p_next < g.k {
            let (j0, j1) = (panels.start * nr, (panels.end * nr).min(g.n));
            ahead.base = g.b[p_next * g.n + j0..].as_ptr();
            ahead.lines_per_row = (j1 - j0).div_ceil(LINE);
            ahead.lines = KC.min(g.k - p_next) * ahead.lines_per_row;
        }
        ahead
    }

    /// Asks for the next `count` lines.
    #[inline(always)]
    fn prefetch(&mut self, count: usize) {
        let end = (self.next + count).min(self.lines);
        while self.next < end {
            let (r, l) = (
                self.next / self.lines_per_row,
                self.next % self.lines_per_row,
            );
            // Rows of the next slice of B.
            crate::simd::prefetch_line_l2(self.base.wrapping_add(r * self.row_stride + l * LINE));
            self.next += 1;
        }
    }
}

/// `acc[i - cols.start] += Σ_p a[p·m + i]` for `i` in `cols`, over the depth rows of `a` (`m`
/// floats each), in order of p and in f64: with the KC slices taken in order, each column's sum
/// over all of k in `reduce`'s order (`crate::reduce::sum`). Vectorised across columns, like
/// `reduce`'s column sums.
#[inline(always)]
fn add_depth_rows(a: &[f32], m: usize, cols: std::ops::Range<usize>, acc: &mut [f64]) {
    let acc = &mut acc[..cols.len()];
    for row in a.chunks_exact(m) {
        for (s, &v) in acc.iter_mut().zip(&row[cols.clone()]) {
            *s += v as f64;
        }
    }
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
#[allow(clippy::too_many_arguments)]
unsafe fn micro<V: Vf32, const MR: usize, const NV: usize, const PREFETCH_B: bool>(
    g: &Gemm<'_>,
    kc: usize,
    a: *const f32,
    b: *const f32,
    t: &Tile,
    next_b: *const f32,
    next_kc: usize,
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
        if PREFETCH_B && p < next_kc {
            // One row of the next panel (NR floats = 128 bytes for AVX-512) per k step.
            let row = next_b.add(p * nr);
            for v in (0..nr).step_by(16) {
                V::prefetch_l2(row.add(v));
            }
        }
        let brow = b.add(p * nr);
        let mut bv = [V::zero(); NV];
        for (v, slot) in bv.iter_mut().enumerate() {
            *slot = V::load(brow.add(v * lanes));
        }
        let arow = a.add(p * MR);
        for (r, row) in acc.iter_mut().enumerate() {
            let av = V::splat(*arow.add(r));
            for (v, slot) in row.iter_mut().enumerate() {
                *slot = av.mul_add(bv[v], *slot);
            }
        }
    }
    // Epilogue, in the scalar reference's order: alpha·acc, + beta·C, + bias (first slice), or
    // C + alpha·acc (later slices). The case is chosen once per tile, outside fixed loops over
    // `acc`: tested per vector, LLVM kept a rolled loop over `acc` in memory and zero-filled that
    // copy with a `memset` call on every micro-tile (NOTE [ Accumulators kept in registers ] in
    // docs/PERFORMANCE.md). Edge tiles go through a stack buffer and the same arithmetic.
    if t.rows == MR && t.cols == nr {
        if !t.first {
            store_tile::<V, MR, NV, false, false, false>(g, &acc, t);
        } else {
            match (g.beta != 0.0, g.bias.is_some()) {
                (false, false) => store_tile::<V, MR, NV, true, false, false>(g, &acc, t),
                (false, true) => store_tile::<V, MR, NV, true, false, true>(g, &acc, t),
                (true, false) => store_tile::<V, MR, NV, true, true, false>(g, &acc, t),
                (true, true) => store_tile::<V, MR, NV, true, true, true>(g, &acc, t),
            }
        }
    } else {
        store_edge_tile::<V, MR, NV>(g, acc, t);
    }
}

/// A full tile's accumulators into C: on the first slice (`FIRST`) `alpha·acc`, plus `beta·C`
/// when `BETA`, plus the bias when `BIAS`; on later slices `C + alpha·acc`.
#[inline(always)]
unsafe fn store_tile<
    V: Vf32,
    const MR: usize,
    const NV: usize,
    const FIRST: bool,
    const BETA: bool,
    const BIAS: bool,
>(
    g: &Gemm<'_>,
    acc: &[[V; NV]; MR],
    t: &Tile,
) {
    let lanes = V::LANES;
    let alpha = V::splat(g.alpha);
    let beta = V::splat(g.beta);
    // A loop, not `array::from_fn`: its closure would lose this function's target features.
    let mut bias = [V::zero(); NV];
    if let (true, Some(b)) = (BIAS, g.bias) {
        for (v, slot) in bias.iter_mut().enumerate() {
            *slot = V::load(b.as_ptr().add(t.j + v * lanes));
        }
    }
    for (r, row) in acc.iter().enumerate() {
        let out = t.c.add(r * t.ldc);
        for (v, &sum) in row.iter().enumerate() {
            let ptr = out.add(v * lanes);
            let scaled = sum.mul(alpha);
            let val = if FIRST {
                let mut val = scaled;
                if BETA {
                    val = val.add(V::load(ptr).mul(beta));
                }
                if BIAS {
                    val = val.add(bias[v]);
                }
                val
            } else {
                V::load(ptr).add(scaled)
            };
            val.store(ptr);
        }
    }
}

/// An edge tile (fewer than MR rows or NR columns of C): the accumulators through a stack
/// buffer, element by element, with [`store_tile`]'s arithmetic.
#[inline(always)]
unsafe fn store_edge_tile<V: Vf32, const MR: usize, const NV: usize>(
    g: &Gemm<'_>,
    acc: [[V; NV]; MR],
    t: &Tile,
) {
    let lanes = V::LANES;
    let nr = NV * lanes;
    let alpha = V::splat(g.alpha);
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
