//! One batch·head of attention with SIMD lanes running over the keys. K (and, for the backward,
//! V) is transposed once per head into `[E, S]` panels, so a query's scores for a vector of keys
//! are E multiply-adds of a broadcast query value with a panel row, with no horizontal sums; the
//! backward's dK and dV accumulate transposed the same way (rank-1 updates over key vectors,
//! applied 4 query rows per pass) and are transposed back once. Scores live in one row of S
//! floats: the `L × S` matrix is never stored. Causal rows visit only the key vectors up to the
//! query. A row's lanes past its last key are −∞ (probability 0), so the vector loops need no
//! tails over keys.
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
    dst.fill(0.0);
    for j in 0..rows {
        for (p, &x) in src[j * stride..][..cols].iter().enumerate() {
            dst[p * sp + j] = x;
        }
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

/// The keys query `i` may see: all, or up to itself when causal.
#[inline(always)]
fn visible(o: &AttentionOptions, i: usize) -> usize {
    if o.causal {
        (i + 1).min(o.kv_len)
    } else {
        o.kv_len
    }
}

/// `Σ_p x[p]·rows[p·stride + col + n·LANES ..]` for `NB` vectors, the products of each `p`
/// summed into `CH` independent chains (one FMA chain would wait on its latency at every step),
/// the chains added in a fixed order at the end.
#[inline(always)]
unsafe fn broadcast_dots<V: Vf32, const NB: usize, const CH: usize>(
    x: &[f32],
    rows: *const f32,
    stride: usize,
    col: usize,
) -> [V; NB] {
    let mut acc = [[V::zero(); NB]; CH];
    let full = x.len() - x.len() % CH;
    let mut p = 0;
    while p < full {
        for (ch, acc) in acc.iter_mut().enumerate() {
            let b = V::splat(x[p + ch]);
            let row = rows.add((p + ch) * stride + col);
            for (n, a) in acc.iter_mut().enumerate() {
                *a = V::load(row.add(n * V::LANES)).mul_add(b, *a);
            }
        }
        p += CH;
    }
    for (p, &xp) in x.iter().enumerate().skip(full) {
        let row = rows.add(p * stride + col);
        for (n, a) in acc[0].iter_mut().enumerate() {
            *a = V::load(row.add(n * V::LANES)).mul_add(V::splat(xp), *a);
        }
    }
    let mut sum = acc[0];
    for chain in &acc[1..] {
        for (s, &a) in sum.iter_mut().zip(chain) {
            *s = s.add(a);
        }
    }
    sum
}

/// `out[j] = scale · Σ_p x[p]·xt[p·sp + j]` for the first `nv` vectors of keys.
#[inline(always)]
unsafe fn panel_dots<V: Vf32>(
    x: &[f32],
    xt: &[f32],
    sp: usize,
    nv: usize,
    scale: f32,
    out: &mut [f32],
) {
    let l = V::LANES;
    let (pt, po) = (xt.as_ptr(), out.as_mut_ptr());
    let s = V::splat(scale);
    let mut c = 0;
    while c + 4 <= nv {
        for (n, a) in broadcast_dots::<V, 4, 2>(x, pt, sp, c * l)
            .into_iter()
            .enumerate()
        {
            a.mul(s).store(po.add((c + n) * l));
        }
        c += 4;
    }
    let rest: &[V] = match nv - c {
        3 => &broadcast_dots::<V, 3, 2>(x, pt, sp, c * l),
        2 => &broadcast_dots::<V, 2, 4>(x, pt, sp, c * l),
        1 => &broadcast_dots::<V, 1, 4>(x, pt, sp, c * l),
        _ => &[],
    };
    for (n, a) in rest.iter().enumerate() {
        a.mul(s).store(po.add((c + n) * l));
    }
}

/// `out[c] = Σ_{j < w.len()} w[j]·rows[j·stride + c]` for `c < width` (overwrites `out`).
#[inline(always)]
unsafe fn weighted_rows<V: Vf32>(
    w: &[f32],
    rows: &[f32],
    stride: usize,
    width: usize,
    out: &mut [f32],
) {
    let l = V::LANES;
    let (pr, po) = (rows.as_ptr(), out.as_mut_ptr());
    let mut c = 0;
    while c + 2 * l <= width {
        let [a0, a1] = broadcast_dots::<V, 2, 4>(w, pr, stride, c);
        a0.store(po.add(c));
        a1.store(po.add(c + l));
        c += 2 * l;
    }
    while c < width {
        // A partial vector at the end of the row: sum it by lanes in a column buffer.
        let n = (width - c).min(l);
        if n == l {
            broadcast_dots::<V, 1, 4>(w, pr, stride, c)[0].store(po.add(c));
        } else {
            let mut acc = V::zero();
            for (j, &wj) in w.iter().enumerate() {
                acc = V::load_partial(pr.add(j * stride + c), n).mul_add(V::splat(wj), acc);
            }
            acc.store_partial(po.add(c), n);
        }
        c += n;
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

/// The scaled, masked scores of query `i` over `nv` key vectors; lanes past the visible keys are
/// −∞. Returns the number of visible keys.
#[inline(always)]
unsafe fn score_row<V: Vf32>(
    o: &AttentionOptions,
    h: &Head<'_>,
    kt: &[f32],
    sp: usize,
    i: usize,
    row: &mut [f32],
) -> (usize, usize) {
    let nk = visible(o, i);
    let nv = nk.div_ceil(V::LANES);
    let e = o.head_dim;
    panel_dots::<V>(&h.q[i * h.q_stride..][..e], kt, sp, nv, o.scale, row);
    row[nk..nv * V::LANES].fill(f32::NEG_INFINITY);
    if let Some(m) = h.mask {
        for (s, &b) in row[..nk].iter_mut().zip(&m[i * o.kv_len..][..nk]) {
            *s += b;
        }
    }
    (nk, nv)
}

/// The horizontal sum of a vector, lanes in order.
#[inline(always)]
unsafe fn lane_sum<V: Vf32>(v: V) -> f32 {
    v.to_array()[..V::LANES].iter().sum()
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
    let mut scratch = take_scratch(e * sp + sp);
    {
        let (kt, row) = scratch.split_at_mut(e * sp);
        transpose_into(h.k, s_len, h.k_stride, e, sp, kt);
        for i in 0..l_len {
            let out_i = &mut out[i * ev..][..ev];
            let (nk, nv) = score_row::<V>(o, h, kt, sp, i, row);
            let max = simd::row_max::<V>(&row[..nv * l]);
            if nk == 0 || max == f32::NEG_INFINITY {
                out_i.fill(0.0);
                lse[i] = f32::NEG_INFINITY;
                continue;
            }
            let m = V::splat(max);
            let mut acc = V::zero();
            for c in 0..nv {
                let at = row.as_mut_ptr().add(c * l);
                let p = simd::exp(V::load(at).sub(m));
                p.store(at);
                acc = acc.add(p);
            }
            let sum = lane_sum(acc);
            lse[i] = max + sum.ln();
            let inv = V::splat(1.0 / sum);
            for c in 0..nv {
                let at = row.as_mut_ptr().add(c * l);
                V::load(at).mul(inv).store(at);
            }
            if let Some(d) = dropout {
                for (j, p) in row[..nk].iter_mut().enumerate() {
                    *p *= d.factor(o, h.bh, i, j);
                }
            }
            weighted_rows::<V>(&row[..nk], h.v, h.v_stride, ev, out_i);
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
    let mut scratch = take_scratch(2 * (e + ev) * sp + (2 * br + 2) * sp);
    {
        let (kt, rest) = scratch.split_at_mut(e * sp);
        let (vt, rest) = rest.split_at_mut(ev * sp);
        let (dkt, rest) = rest.split_at_mut(e * sp);
        let (dvt, rest) = rest.split_at_mut(ev * sp);
        // Per block: each row's probabilities (dropped out, for dV) and its dS, `sp` apart.
        let (pw, rest) = rest.split_at_mut(br * sp);
        let (ds, rest) = rest.split_at_mut(br * sp);
        let (row, dp) = rest.split_at_mut(sp);
        transpose_into(h.k, s_len, h.k_stride, e, sp, kt);
        transpose_into(h.v, s_len, h.v_stride, ev, sp, vt);
        dkt.fill(0.0);
        dvt.fill(0.0);
        let scale = V::splat(o.scale);
        let zero_q = vec![0.0f32; e];
        let zero_do = vec![0.0f32; ev];
        for i0 in (0..l_len).step_by(br) {
            let rows = br.min(l_len - i0);
            let mut xs_q: [&[f32]; BLOCK_ROWS] = [&zero_q; BLOCK_ROWS];
            let mut xs_do: [&[f32]; BLOCK_ROWS] = [&zero_do; BLOCK_ROWS];
            // Key vectors the block touches: those of its last visible row (causal rows grow).
            let mut nv_block = 0;
            for r in 0..rows {
                let i = i0 + r;
                let pw_r = &mut pw[r * sp..(r + 1) * sp];
                let ds_r = &mut ds[r * sp..(r + 1) * sp];
                let gq_i = &mut gq[i * e..][..e];
                let lse_i = g.lse[i];
                if lse_i == f32::NEG_INFINITY {
                    gq_i.fill(0.0);
                    pw_r.fill(0.0);
                    ds_r.fill(0.0);
                    continue;
                }
                let (nk, nv) = score_row::<V>(o, h, kt, sp, i, row);
                nv_block = nv_block.max(nv);
                let m = V::splat(lse_i);
                for c in 0..nv {
                    let at = row.as_mut_ptr().add(c * l);
                    simd::exp(V::load(at).sub(m)).store(at);
                }
                let do_i = &g.grad_out[i * ev..][..ev];
                let delta: f32 = do_i
                    .iter()
                    .zip(&g.out[i * ev..][..ev])
                    .map(|(a, b)| a * b)
                    .sum();
                panel_dots::<V>(do_i, vt, sp, nv, 1.0, dp);
                // Lanes past the row's key vectors stay zero: the block's update spans more.
                pw_r[nv * l..].fill(0.0);
                ds_r[nv * l..].fill(0.0);
                if let Some(d) = dropout {
                    pw_r[..nv * l].fill(0.0);
                    for j in 0..nk {
                        let z = d.factor(o, h.bh, i, j);
                        pw_r[j] = row[j] * z;
                        dp[j] *= z;
                    }
                } else {
                    pw_r[..nv * l].copy_from_slice(&row[..nv * l]);
                }
                // dS = P ⊙ (dP − δ) · scale.
                let delta = V::splat(delta);
                for c in 0..nv {
                    let p = V::load(row.as_ptr().add(c * l));
                    let d = V::load(dp.as_ptr().add(c * l));
                    p.mul(d.sub(delta))
                        .mul(scale)
                        .store(ds_r.as_mut_ptr().add(c * l));
                }
                weighted_rows::<V>(&ds_r[..nk], h.k, h.k_stride, e, gq_i);
                xs_q[r] = &h.q[i * h.q_stride..][..e];
                xs_do[r] = do_i;
            }
            rank_update::<V>(dvt, &xs_do[..rows], pw, sp, nv_block);
            rank_update::<V>(dkt, &xs_q[..rows], ds, sp, nv_block);
        }
        transpose_back(dkt, s_len, e, sp, gk);
        transpose_back(dvt, s_len, ev, sp, gv);
    }
    return_scratch(scratch);
}

simd::kernel! {
    /// Backward of one head: `gq` `[L, E]`, `gk` `[S, E]`, `gv` `[S, Ev]`, all overwritten.
    pub(super) fn backward_head(o: &AttentionOptions, h: &Head<'_>, g: &HeadGrads<'_>, dropout: Option<&Dropout>, gq: &mut [f32], gk: &mut [f32], gv: &mut [f32]) {
        vector: backward_v::<V>(o, h, g, dropout, gq, gk, gv),
    }
}
