//! One batch·head of attention with SIMD lanes running over the keys. K (and, for the backward,
//! V) is transposed once per head into `[E, S]` panels, so a query's scores for a vector of keys
//! are E multiply-adds of a broadcast query value with a panel row, with no horizontal sums; the
//! backward's dK and dV accumulate transposed the same way (rank-1 updates over key vectors,
//! applied 4 query rows per pass) and are transposed back once. Query rows go 4 at a time, so
//! each loaded key-panel, value or key vector feeds 4 rows' FMAs; their scores live in 4 rows of S
//! floats: the `L × S` matrix is never stored. Causal rows visit only the key vectors up to the
//! block's last query. A row's lanes past its last key are −∞ (probability 0), so the vector
//! loops need no tails over keys.
//!
//! The per-row scheme is the one of `mod.rs` (forward saves the log-sum-exp, backward recomputes
//! the probabilities from it); sums run in a fixed order per head, so results do not depend on
//! the thread count. docs/PERFORMANCE.md, NOTE [ Attention on key lanes ], has the measurements.
use super::{AttentionOptions, Dropout};
use crate::simd::{self, Vf32};
use std::cell::RefCell;

/// One batch·head's operands: rows of q (`L × E`), k (`S × E`) and v (`S × Ev`), each row
/// contiguous and rows `*_stride` floats apart (views of a larger tensor need no copy).
pub(super) struct Head<'a> {
    pub bh: usize,
    pub q: &'a [f32],
    pub q_stride: usize,
    pub k: &'a [f32],
    pub k_stride: usize,
    pub v: &'a [f32],
    pub v_stride: usize,
    /// This head's `[L, S]` layer of the additive mask.
    pub mask: Option<&'a [f32]>,
}

thread_local! {
    /// Per-thread panels and rows, reused across heads and calls.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// This thread's scratch, at least `len` floats; hand it back with [`return_scratch`]. Taken and
/// returned rather than lent to a closure: a closure is compiled without its caller's target
/// features, so the SIMD loops inside it would call every vector method out of line.
fn take_scratch(len: usize) -> Vec<f32> {
    let mut buf = SCRATCH.with(|cell| cell.take());
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
    buf
}

fn return_scratch(buf: Vec<f32>) {
    SCRATCH.with(|cell| cell.replace(buf));
}

/// `dst[p·sp + j] = src[j·stride + p]` for `j < rows`, `p < cols`; zero in the padding columns.
fn transpose_into(
    src: &[f32],
    rows: usize,
    stride: usize,
    cols: usize,
    sp: usize,
    dst: &mut [f32],
) {
    // Column by column: each destination row is written in order (rows of the source are few
    // lines each and stay in L1 across the columns).
    for (p, d) in dst.chunks_exact_mut(sp).take(cols).enumerate() {
        for (j, x) in d[..rows].iter_mut().enumerate() {
            *x = src[j * stride + p];
        }
        d[rows..].fill(0.0);
    }
}

/// `dst[j·cols + p] = src[p·sp + j]`: the inverse of [`transpose_into`], dropping the padding.
fn transpose_back(src: &[f32], rows: usize, cols: usize, sp: usize, dst: &mut [f32]) {
    for (j, row) in dst.chunks_exact_mut(cols.max(1)).take(rows).enumerate() {
        for (p, x) in row.iter_mut().enumerate() {
            *x = src[p * sp + j];
        }
    }
}

/// [`transpose_into`], 16 × 16 blocks at a time in AVX-512 registers on the 16-lane path.
/// NOTE [ Attention softmax by blocks ] in docs/PERFORMANCE.md
#[inline(always)]
fn transpose_panel<V: Vf32>(
    src: &[f32],
    rows: usize,
    stride: usize,
    cols: usize,
    sp: usize,
    dst: &mut [f32],
) {
    #[cfg(target_arch = "x86_64")]
    if V::LANES == 16 && crate::cpu::Simd::Avx512.is_available() {
        // SAFETY: the CPU has AVX-512F (checked above).
        return unsafe { avx512::transpose_into(src, rows, stride, cols, sp, dst) };
    }
    transpose_into(src, rows, stride, cols, sp, dst)
}

/// [`transpose_back`], 16 × 16 blocks at a time in AVX-512 registers on the 16-lane path.
#[inline(always)]
fn transpose_panel_back<V: Vf32>(
    src: &[f32],
    rows: usize,
    cols: usize,
    sp: usize,
    dst: &mut [f32],
) {
    #[cfg(target_arch = "x86_64")]
    if V::LANES == 16 && crate::cpu::Simd::Avx512.is_available() {
        // SAFETY: the CPU has AVX-512F (checked above).
        return unsafe { avx512::transpose_back(src, rows, cols, sp, dst) };
    }
    transpose_back(src, rows, cols, sp, dst)
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use crate::simd::transpose16::transpose16;
    use std::arch::x86_64::*;

    /// The lanes `< n` set (`n` ≤ 16).
    #[inline(always)]
    fn lanes(n: usize) -> __mmask16 {
        ((1u32 << n) - 1) as __mmask16
    }

    /// `super::transpose_into` by 16 × 16 blocks: rows past `rows` load as zeros (the padding).
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn transpose_into(
        src: &[f32],
        rows: usize,
        stride: usize,
        cols: usize,
        sp: usize,
        dst: &mut [f32],
    ) {
        assert!(sp.is_multiple_of(16) && sp >= rows && dst.len() >= cols * sp);
        assert!(rows == 0 || src.len() >= (rows - 1) * stride + cols);
        let (ps, pd) = (src.as_ptr(), dst.as_mut_ptr());
        for p0 in (0..cols).step_by(16) {
            let w = (cols - p0).min(16);
            for j0 in (0..sp).step_by(16) {
                let mut r = [_mm512_setzero_ps(); 16];
                for (i, r) in r.iter_mut().enumerate().take(rows.saturating_sub(j0)) {
                    *r = _mm512_maskz_loadu_ps(lanes(w), ps.add((j0 + i) * stride + p0));
                }
                for (q, v) in transpose16(&r).into_iter().enumerate().take(w) {
                    _mm512_storeu_ps(pd.add((p0 + q) * sp + j0), v);
                }
            }
        }
    }

    /// `super::transpose_back` by 16 × 16 blocks.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn transpose_back(
        src: &[f32],
        rows: usize,
        cols: usize,
        sp: usize,
        dst: &mut [f32],
    ) {
        assert!(sp.is_multiple_of(16) && sp >= rows && src.len() >= cols * sp);
        assert!(dst.len() >= rows * cols);
        let (ps, pd) = (src.as_ptr(), dst.as_mut_ptr());
        for p0 in (0..cols).step_by(16) {
            let w = (cols - p0).min(16);
            for j0 in (0..rows).step_by(16) {
                let mut r = [_mm512_setzero_ps(); 16];
                for (q, r) in r.iter_mut().enumerate().take(w) {
                    *r = _mm512_loadu_ps(ps.add((p0 + q) * sp + j0));
                }
                for (i, v) in transpose16(&r).into_iter().enumerate().take(rows - j0) {
                    _mm512_mask_storeu_ps(pd.add((j0 + i) * cols + p0), lanes(w), v);
                }
            }
        }
    }
}

/// The keys query `i` may see: all, or up to itself when causal.
#[inline(always)]
fn visible(o: &AttentionOptions, i: usize) -> usize {
    if o.causal {
        (i + 1).min(o.kv_len)
    } else {
        o.kv_len
    }
}

/// `acc[p·sp + j] += x[p]·w[j]` for the first `nv` vectors of keys.
#[inline(always)]
unsafe fn rank1_update<V: Vf32>(acc: &mut [f32], x: &[f32], w: &[f32], sp: usize, nv: usize) {
    let l = V::LANES;
    let (pa, pw) = (acc.as_mut_ptr(), w.as_ptr());
    for c in 0..nv {
        let wv = V::load(pw.add(c * l));
        for (p, &xp) in x.iter().enumerate() {
            let at = pa.add(p * sp + c * l);
            wv.mul_add(V::splat(xp), V::load(at)).store(at);
        }
    }
}

/// Query rows scored together in the forward: each loaded key-panel vector (and value row) feeds
/// this many rows' FMAs instead of one. NOTE [ Attention forward blocks of rows ] in
/// docs/PERFORMANCE.md
const FORWARD_ROWS: usize = 4;

/// `rows[r·sp + j] = scale · Σ_p q_r[p]·kt[p·sp + j]` for the `R` query rows starting at `q` (rows
/// `q_stride` apart) over the first `nv` key vectors, `NB` vectors at a time.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block_scores<V: Vf32, const R: usize>(
    q: *const f32,
    q_stride: usize,
    e: usize,
    kt: &[f32],
    sp: usize,
    nv: usize,
    scale: f32,
    rows: &mut [f32],
) {
    let mut c = 0;
    while c < nv {
        match nv - c {
            1 => block_score_vectors::<V, R, 1>(q, q_stride, e, kt, sp, c, scale, rows),
            2 => block_score_vectors::<V, R, 2>(q, q_stride, e, kt, sp, c, scale, rows),
            3 => block_score_vectors::<V, R, 3>(q, q_stride, e, kt, sp, c, scale, rows),
            _ => block_score_vectors::<V, R, 4>(q, q_stride, e, kt, sp, c, scale, rows),
        }
        c += (nv - c).min(4);
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block_score_vectors<V: Vf32, const R: usize, const NB: usize>(
    q: *const f32,
    q_stride: usize,
    e: usize,
    kt: &[f32],
    sp: usize,
    first: usize,
    scale: f32,
    rows: &mut [f32],
) {
    let l = V::LANES;
    let (pk, pr) = (kt.as_ptr().add(first * l), rows.as_mut_ptr().add(first * l));
    let mut acc = [[V::zero(); NB]; R];
    for p in 0..e {
        let mut k = [V::zero(); NB];
        for (n, kv) in k.iter_mut().enumerate() {
            *kv = V::load(pk.add(p * sp + n * l));
        }
        for (r, acc) in acc.iter_mut().enumerate() {
            let b = V::splat(*q.add(r * q_stride + p));
            for (a, &kv) in acc.iter_mut().zip(&k) {
                *a = kv.mul_add(b, *a);
            }
        }
    }
    let s = V::splat(scale);
    for (r, acc) in acc.iter().enumerate() {
        for (n, a) in acc.iter().enumerate() {
            a.mul(s).store(pr.add(r * sp + n * l));
        }
    }
}

/// `out_r[c] = row_scale[r] · Σ_{j < nk} p[r·sp + j]·v[j·v_stride + c]` for the `R` rows (`out_r`
/// at `out + r·ev`), `c < ev`: each value row is loaded once for the block.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block_weighted<V: Vf32, const R: usize>(
    p: &[f32],
    sp: usize,
    nk: usize,
    v: &[f32],
    v_stride: usize,
    ev: usize,
    row_scale: &[f32; R],
    out: *mut f32,
) {
    let l = V::LANES;
    let (pp, pv) = (p.as_ptr(), v.as_ptr());
    let mut c = 0;
    while c < ev {
        let n = (ev - c).min(2 * l);
        if n == 2 * l {
            let mut acc = [[V::zero(); 2]; R];
            for j in 0..nk {
                let row = pv.add(j * v_stride + c);
                let (v0, v1) = (V::load(row), V::load(row.add(l)));
                for (r, a) in acc.iter_mut().enumerate() {
                    let b = V::splat(*pp.add(r * sp + j));
                    a[0] = v0.mul_add(b, a[0]);
                    a[1] = v1.mul_add(b, a[1]);
                }
            }
            for (r, a) in acc.iter().enumerate() {
                let s = V::splat(row_scale[r]);
                a[0].mul(s).store(out.add(r * ev + c));
                a[1].mul(s).store(out.add(r * ev + c + l));
            }
        } else {
            // The last one or two (partial) vectors of the row, one at a time.
            let w = n.min(l);
            let mut acc = [V::zero(); R];
            for j in 0..nk {
                let vv = V::load_partial(pv.add(j * v_stride + c), w);
                for (r, a) in acc.iter_mut().enumerate() {
                    *a = vv.mul_add(V::splat(*pp.add(r * sp + j)), *a);
                }
            }
            for (r, a) in acc.iter().enumerate() {
                a.mul(V::splat(row_scale[r]))
                    .store_partial(out.add(r * ev + c), w);
            }
            c += w;
            continue;
        }
        c += n;
    }
}

/// The horizontal sums of up to 4 vectors (`R` ≤ 4), in [`Vf32::hsum4`]'s fixed order.
#[inline(always)]
unsafe fn block_sums<V: Vf32, const R: usize>(v: &[V; R]) -> [f32; R] {
    let at = |r: usize| if r < R { v[r] } else { V::zero() };
    let s = V::hsum4(at(0), at(1), at(2), at(3));
    let mut out = [0.0; R];
    out.copy_from_slice(&s[..R]);
    out
}

/// The scores of `R` query rows from `i0` turned into their unnormalised probabilities
/// `exp(s − max)` in place (rows `sp` apart; lanes past a row's visible keys 0), dropout applied,
/// the log-sum-exp of each into `lse` and `1 / Σ` of each into `inv` (0 for a row with no
/// visible key). The rows' maxima, exps and sums run interleaved, so their latency chains
/// overlap. Returns the most keys any of the rows sees. NOTE [ Attention softmax by blocks ] in
/// docs/PERFORMANCE.md
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block_softmax<V: Vf32, const R: usize>(
    o: &AttentionOptions,
    h: &Head<'_>,
    dropout: Option<&Dropout>,
    kt: &[f32],
    sp: usize,
    i0: usize,
    rows: &mut [f32],
    lse: &mut [f32],
    inv: &mut [f32; R],
) -> usize {
    let l = V::LANES;
    let nk_max = visible(o, i0 + R - 1);
    let nv = nk_max.div_ceil(l);
    block_scores::<V, R>(
        h.q.as_ptr().add(i0 * h.q_stride),
        h.q_stride,
        o.head_dim,
        kt,
        sp,
        nv,
        o.scale,
        rows,
    );
    let mut max = [f32::NEG_INFINITY; R];
    for (r, max) in max.iter_mut().enumerate() {
        let i = i0 + r;
        let nk = visible(o, i);
        let row = &mut rows[r * sp..(r + 1) * sp];
        row[nk..nv * l].fill(f32::NEG_INFINITY);
        if let Some(m) = h.mask {
            for (s, &b) in row[..nk].iter_mut().zip(&m[i * o.kv_len..][..nk]) {
                *s += b;
            }
        }
        *max = simd::row_max::<V>(&row[..nv * l]);
    }
    // A row whose every key is masked (max −∞) gets exp(−∞ − 0) = 0 in every lane.
    let mut shift = [V::zero(); R];
    for (s, &m) in shift.iter_mut().zip(&max) {
        if m != f32::NEG_INFINITY {
            *s = V::splat(m);
        }
    }
    let mut acc = [V::zero(); R];
    let pr = rows.as_mut_ptr();
    for c in 0..nv {
        for (r, a) in acc.iter_mut().enumerate() {
            let at = pr.add(r * sp + c * l);
            let p = simd::exp(V::load(at).sub(shift[r]));
            p.store(at);
            *a = a.add(p);
        }
    }
    let sums = block_sums::<V, R>(&acc);
    for r in 0..R {
        let i = i0 + r;
        if visible(o, i) == 0 || max[r] == f32::NEG_INFINITY {
            lse[i] = f32::NEG_INFINITY;
            inv[r] = 0.0;
            continue;
        }
        lse[i] = max[r] + sums[r].ln();
        inv[r] = 1.0 / sums[r];
        if let Some(d) = dropout {
            for (j, p) in rows[r * sp..][..visible(o, i)].iter_mut().enumerate() {
                *p *= d.factor(o, h.bh, i, j);
            }
        }
    }
    nk_max
}

#[inline(always)]
unsafe fn forward_v<V: Vf32>(
    o: &AttentionOptions,
    h: &Head<'_>,
    dropout: Option<&Dropout>,
    out: &mut [f32],
    lse: &mut [f32],
) {
    let (l_len, s_len, e, ev) = (o.q_len, o.kv_len, o.head_dim, o.value_dim);
    let l = V::LANES;
    let sp = s_len.div_ceil(l) * l;
    let br = FORWARD_ROWS;
    let mut scratch = take_scratch(e * sp + br * sp);
    {
        let (kt, rows) = scratch.split_at_mut(e * sp);
        transpose_panel::<V>(h.k, s_len, h.k_stride, e, sp, kt);
        let mut i0 = 0;
        while i0 < l_len {
            let n = br.min(l_len - i0);
            let po = out.as_mut_ptr().add(i0 * ev);
            macro_rules! block {
                ($r:literal) => {{
                    let mut inv = [0.0; $r];
                    let nk = block_softmax::<V, $r>(o, h, dropout, kt, sp, i0, rows, lse, &mut inv);
                    block_weighted::<V, $r>(rows, sp, nk, h.v, h.v_stride, ev, &inv, po);
                }};
            }
            match n {
                1 => block!(1),
                2 => block!(2),
                3 => block!(3),
                _ => block!(4),
            }
            i0 += n;
        }
    }
    return_scratch(scratch);
}

simd::kernel! {
    /// Forward of one head: `out` `[L, Ev]` and `lse` `[L]`.
    pub(super) fn forward_head(o: &AttentionOptions, h: &Head<'_>, dropout: Option<&Dropout>, out: &mut [f32], lse: &mut [f32]) {
        vector: forward_v::<V>(o, h, dropout, out, lse),
    }
}

/// What the backward of one head reads besides the operands.
pub(super) struct HeadGrads<'a> {
    /// The forward's `[L, Ev]` output, `[L]` log-sum-exp and the upstream `[L, Ev]` gradient.
    pub out: &'a [f32],
    pub lse: &'a [f32],
    pub grad_out: &'a [f32],
}

/// Query rows whose dK and dV updates are applied together (see [`rank_update`]).
const BLOCK_ROWS: usize = 4;

/// `acc[p·sp + j] += Σ_r x_r[p]·w_r[j]` for the first `nv` vectors of keys: the rank-1 updates of
/// up to [`BLOCK_ROWS`] query rows in one pass, so each accumulator vector is loaded and stored
/// once per block rather than once per row. `w_r` must be zero past its row's visible keys.
/// NOTE [ Attention backward blocks of rows ] in docs/PERFORMANCE.md
#[inline(always)]
unsafe fn rank_update<V: Vf32>(acc: &mut [f32], x: &[&[f32]], w: &[f32], sp: usize, nv: usize) {
    let l = V::LANES;
    let (pa, pw) = (acc.as_mut_ptr(), w.as_ptr());
    let width = x.first().map_or(0, |r| r.len());
    debug_assert!(x.iter().all(|r| r.len() == width) && w.len() >= x.len() * sp);
    match x.len() {
        BLOCK_ROWS => {
            let px = [x[0].as_ptr(), x[1].as_ptr(), x[2].as_ptr(), x[3].as_ptr()];
            for c in 0..nv {
                // No closure (`array::from_fn`): it would lose this function's target features.
                let w0 = V::load(pw.add(c * l));
                let w1 = V::load(pw.add(sp + c * l));
                let w2 = V::load(pw.add(2 * sp + c * l));
                let w3 = V::load(pw.add(3 * sp + c * l));
                for p in 0..width {
                    let at = pa.add(p * sp + c * l);
                    let a = w0.mul_add(V::splat(*px[0].add(p)), V::load(at));
                    let a = w1.mul_add(V::splat(*px[1].add(p)), a);
                    let a = w2.mul_add(V::splat(*px[2].add(p)), a);
                    w3.mul_add(V::splat(*px[3].add(p)), a).store(at);
                }
            }
        }
        rows => {
            for r in 0..rows {
                rank1_update::<V>(acc, x[r], &w[r * sp..(r + 1) * sp], sp, nv);
            }
        }
    }
}

#[inline(always)]
unsafe fn backward_v<V: Vf32>(
    o: &AttentionOptions,
    h: &Head<'_>,
    g: &HeadGrads<'_>,
    dropout: Option<&Dropout>,
    gq: &mut [f32],
    gk: &mut [f32],
    gv: &mut [f32],
) {
    let (l_len, s_len, e, ev) = (o.q_len, o.kv_len, o.head_dim, o.value_dim);
    let l = V::LANES;
    let sp = s_len.div_ceil(l) * l;
    let br = BLOCK_ROWS;
    let mut scratch = take_scratch(2 * (e + ev) * sp + 4 * br * sp);
    {
        let (kt, rest) = scratch.split_at_mut(e * sp);
        let (vt, rest) = rest.split_at_mut(ev * sp);
        let (dkt, rest) = rest.split_at_mut(e * sp);
        let (dvt, rest) = rest.split_at_mut(ev * sp);
        // Per block: each row's probabilities, its dP, the probabilities dV sees (dropped out)
        // and its dS, `sp` apart.
        let (prob, rest) = rest.split_at_mut(br * sp);
        let (dp, rest) = rest.split_at_mut(br * sp);
        let (pw, ds) = rest.split_at_mut(br * sp);
        transpose_panel::<V>(h.k, s_len, h.k_stride, e, sp, kt);
        transpose_panel::<V>(h.v, s_len, h.v_stride, ev, sp, vt);
        dkt.fill(0.0);
        dvt.fill(0.0);
        let zero_q = vec![0.0f32; e];
        let zero_do = vec![0.0f32; ev];
        let mut i0 = 0;
        while i0 < l_len {
            let rows = br.min(l_len - i0);
            macro_rules! block {
                ($r:literal) => {
                    backward_block::<V, $r>(
                        o, h, g, dropout, kt, vt, sp, i0, prob, dp, pw, ds, &zero_q, &zero_do, gq,
                        dkt, dvt,
                    )
                };
            }
            match rows {
                1 => block!(1),
                2 => block!(2),
                3 => block!(3),
                _ => block!(4),
            }
            i0 += rows;
        }
        transpose_panel_back::<V>(dkt, s_len, e, sp, gk);
        transpose_panel_back::<V>(dvt, s_len, ev, sp, gv);
    }
    return_scratch(scratch);
}

/// The backward of `R` query rows from `i0`: their dQ rows, and their updates of the transposed
/// dK and dV panels. Each loaded key and value vector feeds the block's rows together (as in the
/// forward); the FMAs of every accumulator run in the same order as one row at a time would
/// not, but in one fixed order per head. NOTE [ Attention forward blocks of rows ] in
/// docs/PERFORMANCE.md
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn backward_block<V: Vf32, const R: usize>(
    o: &AttentionOptions,
    h: &Head<'_>,
    g: &HeadGrads<'_>,
    dropout: Option<&Dropout>,
    kt: &[f32],
    vt: &[f32],
    sp: usize,
    i0: usize,
    prob: &mut [f32],
    dp: &mut [f32],
    pw: &mut [f32],
    ds: &mut [f32],
    zero_q: &[f32],
    zero_do: &[f32],
    gq: &mut [f32],
    dkt: &mut [f32],
    dvt: &mut [f32],
) {
    let (e, ev) = (o.head_dim, o.value_dim);
    let l = V::LANES;
    let nk_max = visible(o, i0 + R - 1);
    let nv = nk_max.div_ceil(l);
    block_scores::<V, R>(
        h.q.as_ptr().add(i0 * h.q_stride),
        h.q_stride,
        e,
        kt,
        sp,
        nv,
        o.scale,
        prob,
    );
    block_scores::<V, R>(
        g.grad_out.as_ptr().add(i0 * ev),
        ev,
        ev,
        vt,
        sp,
        nv,
        1.0,
        dp,
    );
    let scale = V::splat(o.scale);
    let mut xs_q: [&[f32]; R] = [zero_q; R];
    let mut xs_do: [&[f32]; R] = [zero_do; R];
    // Each row's probabilities from its log-sum-exp (a row with none gets exp(−∞ − 0) = 0),
    // the rows' exps interleaved so their latency chains overlap.
    let mut shift = [V::zero(); R];
    for (r, shift) in shift.iter_mut().enumerate() {
        let i = i0 + r;
        let nk = visible(o, i);
        let p_r = &mut prob[r * sp..(r + 1) * sp];
        let lse_i = g.lse[i];
        if lse_i == f32::NEG_INFINITY {
            p_r[..nv * l].fill(f32::NEG_INFINITY);
            continue;
        }
        *shift = V::splat(lse_i);
        p_r[nk..nv * l].fill(f32::NEG_INFINITY);
        if let Some(m) = h.mask {
            for (s, &b) in p_r[..nk].iter_mut().zip(&m[i * o.kv_len..][..nk]) {
                *s += b;
            }
        }
    }
    let pp = prob.as_mut_ptr();
    for c in 0..nv {
        for (r, shift) in shift.iter().enumerate() {
            let at = pp.add(r * sp + c * l);
            simd::exp(V::load(at).sub(*shift)).store(at);
        }
    }
    // δ_r = dO_r · O_r, in vectors of the row (the last one partial).
    let mut dacc = [V::zero(); R];
    let mut c = 0;
    while c < ev {
        let w = (ev - c).min(l);
        for (r, a) in dacc.iter_mut().enumerate() {
            let at = (i0 + r) * ev + c;
            let (x, y) = if w == l {
                (
                    V::load(g.grad_out.as_ptr().add(at)),
                    V::load(g.out.as_ptr().add(at)),
                )
            } else {
                (
                    V::load_partial(g.grad_out.as_ptr().add(at), w),
                    V::load_partial(g.out.as_ptr().add(at), w),
                )
            };
            *a = x.mul_add(y, *a);
        }
        c += w;
    }
    let deltas = block_sums::<V, R>(&dacc);
    for r in 0..R {
        let i = i0 + r;
        let nk = visible(o, i);
        let (p_r, dp_r) = (
            &mut prob[r * sp..(r + 1) * sp],
            &mut dp[r * sp..(r + 1) * sp],
        );
        let (pw_r, ds_r) = (&mut pw[r * sp..(r + 1) * sp], &mut ds[r * sp..(r + 1) * sp]);
        if g.lse[i] == f32::NEG_INFINITY {
            // Its probabilities are 0 already (dV reads them when there is no dropout).
            pw_r[..nv * l].fill(0.0);
            ds_r[..nv * l].fill(0.0);
            continue;
        }
        if let Some(d) = dropout {
            pw_r[..nv * l].fill(0.0);
            for j in 0..nk {
                let z = d.factor(o, h.bh, i, j);
                pw_r[j] = p_r[j] * z;
                dp_r[j] *= z;
            }
        }
        // dS = P ⊙ (dP − δ) · scale (0 past the row's keys, where P is).
        let delta = V::splat(deltas[r]);
        for c in 0..nv {
            let p = V::load(p_r.as_ptr().add(c * l));
            let d = V::load(dp_r.as_ptr().add(c * l));
            p.mul(d.sub(delta))
                .mul(scale)
                .store(ds_r.as_mut_ptr().add(c * l));
        }
        xs_q[r] = &h.q[i * h.q_stride..][..e];
        xs_do[r] = &g.grad_out[i * ev..][..ev];
    }
    // dQ rows = dS·K for the block.
    block_weighted::<V, R>(
        ds,
        sp,
        nk_max,
        h.k,
        h.k_stride,
        e,
        &[1.0; R],
        gq.as_mut_ptr().add(i0 * e),
    );
    // The probabilities dV sees: dropped out, or P itself.
    let pv = if dropout.is_some() { &*pw } else { &*prob };
    rank_update::<V>(dvt, &xs_do, pv, sp, nv);
    rank_update::<V>(dkt, &xs_q, ds, sp, nv);
}

simd::kernel! {
    /// Backward of one head: `gq` `[L, E]`, `gk` `[S, E]`, `gv` `[S, Ev]`, all overwritten.
    pub(super) fn backward_head(o: &AttentionOptions, h: &Head<'_>, g: &HeadGrads<'_>, dropout: Option<&Dropout>, gq: &mut [f32], gk: &mut [f32], gv: &mut [f32]) {
        vector: backward_v::<V>(o, h, g, dropout, gq, gk, gv),
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    /// The AVX-512 transposes equal the scalar ones, padding and tails (rows and columns not
    /// multiples of 16) included.
    #[test]
    fn avx512_transposes_match_the_scalar_ones() {
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return;
        }
        for (rows, cols, stride) in [
            (1usize, 1usize, 1usize),
            (5, 3, 7),
            (16, 16, 16),
            (17, 33, 40),
            (64, 32, 384),
            (130, 8, 9),
        ] {
            let sp = rows.div_ceil(16) * 16;
            let src: Vec<f32> = (0..(rows - 1) * stride + cols)
                .map(|x| x as f32 + 0.5)
                .collect();
            let (mut want, mut got) = (vec![f32::NAN; cols * sp], vec![f32::NAN; cols * sp]);
            super::transpose_into(&src, rows, stride, cols, sp, &mut want);
            unsafe { super::avx512::transpose_into(&src, rows, stride, cols, sp, &mut got) };
            assert_eq!(got, want, "into {rows}×{cols}, stride {stride}");
            let (mut want_back, mut got_back) =
                (vec![f32::NAN; rows * cols], vec![f32::NAN; rows * cols]);
            super::transpose_back(&want, rows, cols, sp, &mut want_back);
            unsafe { super::avx512::transpose_back(&want, rows, cols, sp, &mut got_back) };
            assert_eq!(got_back, want_back, "back {rows}×{cols}");
            for j in 0..rows {
                assert_eq!(&got_back[j * cols..][..cols], &src[j * stride..][..cols]);
            }
        }
    }
}
