//! Scaled dot-product attention, fused: for each (batch·head, query) row, the scores against every
//! key, the softmax and the weighted sum of the values in one pass over a row-sized buffer — the
//! `L × S` attention matrix is never stored. Forward saves the row's log-sum-exp; backward
//! recomputes each row's probabilities from it (flash-attention's scheme, one row at a time).
//!
//! Semantics are PyTorch's `scaled_dot_product_attention`: `softmax(q·kᵀ·scale + mask) · v`, with
//! `mask` an additive float bias (a boolean mask arrives as 0 / −∞), `causal` masking keys after
//! the query (`j > i`, top-left aligned as PyTorch's `tril`), and dropout on the probabilities
//! (inverted, keep probability `1 − p`, Philox word 0 of counter `offset + (bh·L + i)·S + j`, as
//! `dropout`). A row whose every key is masked gives zeros and no gradient, as PyTorch's fused
//! CPU kernel does. Rows of different batch·heads are independent tasks; within one, keys and
//! rows are summed in a fixed order, so results do not depend on the thread count.
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::options::Packed;
use crate::philox::Stream;
use crate::random::threshold;
use crate::threads::{self, SharedSlice};
use std::sync::Mutex;

mod head;
pub mod reference;

use head::{Head, HeadGrads};
#[cfg(test)]
mod tests;

/// Where one operand's rows sit in its buffer: row `i` of batch·head `b·heads + h` starts at
/// `offset + b·batch_stride + h·head_stride + i·row_stride`, its elements contiguous. A view
/// such as q of `[B, T, H, D]` transposed to `[B, H, T, D]` is read in place, with no copy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub offset: usize,
    pub batch_stride: usize,
    pub head_stride: usize,
    pub row_stride: usize,
}

impl Layout {
    /// `[batch·heads, rows, cols]` stored contiguously (with `heads` = 1).
    pub fn contiguous(rows: usize, cols: usize) -> Self {
        Layout {
            offset: 0,
            batch_stride: rows * cols,
            head_stride: 0,
            row_stride: cols,
        }
    }

    fn from_fields(v: &[f64]) -> Self {
        Layout {
            offset: v[0] as usize,
            batch_stride: v[1] as usize,
            head_stride: v[2] as usize,
            row_stride: v[3] as usize,
        }
    }

    /// Where batch·head `bh`'s first row starts.
    fn base(&self, bh: usize, heads: usize) -> usize {
        self.offset + bh / heads * self.batch_stride + bh % heads * self.head_stride
    }

    /// One past the last element read for `batch_heads` heads of `rows × cols`, or None on
    /// overflow; 0 when nothing is read.
    fn extent(&self, batch_heads: usize, heads: usize, rows: usize, cols: usize) -> Option<usize> {
        if batch_heads == 0 || rows == 0 || cols == 0 {
            return Some(0);
        }
        let batches = batch_heads / heads;
        (batches - 1)
            .checked_mul(self.batch_stride)?
            .checked_add((heads - 1).checked_mul(self.head_stride)?)?
            .checked_add((rows - 1).checked_mul(self.row_stride)?)?
            .checked_add(self.offset)?
            .checked_add(cols)
    }
}

/// Sizes and settings of one attention call over `batch_heads` independent (q, k, v) triples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AttentionOptions {
    pub batch_heads: usize,
    /// Queries per batch·head (`L`).
    pub q_len: usize,
    /// Keys and values per batch·head (`S`).
    pub kv_len: usize,
    /// Query/key width (`E`).
    pub head_dim: usize,
    /// Value width (`Ev`).
    pub value_dim: usize,
    pub scale: f32,
    pub causal: bool,
    /// Layers of the additive mask: 0 (none), 1 (shared by every batch·head) or `batch_heads`.
    pub mask_layers: usize,
    pub dropout_p: f64,
    pub seed: f64,
    pub offset: f64,
    /// Heads per batch in the layouts below (batch·head `bh` is batch `bh / heads`, head `bh % heads`).
    pub heads: usize,
    pub q_layout: Layout,
    pub k_layout: Layout,
    pub v_layout: Layout,
    /// `out`, `grad_out` and the backward's `grad_q`, `grad_k`, `grad_v` in `[batch, rows,
    /// heads, cols]` order (a position's heads side by side, as PyTorch returns the output for q
    /// of `[B, L, H, E]` memory) instead of `[batch·heads, rows, cols]`: the `transpose(1, 2)`
    /// and `view` around attention then need no copy.
    pub interleaved: bool,
}

impl AttentionOptions {
    /// Contiguous `[batch·heads, …]` operands.
    pub fn contiguous(mut self) -> Self {
        self.heads = 1;
        self.q_layout = Layout::contiguous(self.q_len, self.head_dim);
        self.k_layout = Layout::contiguous(self.kv_len, self.head_dim);
        self.v_layout = Layout::contiguous(self.kv_len, self.value_dim);
        self.interleaved = false;
        self
    }

    /// Where row `i` of batch·head `bh` of `out` (and `grad_out`) starts.
    fn out_row(&self, bh: usize, i: usize) -> usize {
        self.row_at(bh, i, self.q_len, self.value_dim)
    }

    /// Where row `i` of batch·head `bh` starts in an output of `rows × cols` per head.
    fn row_at(&self, bh: usize, i: usize, rows: usize, cols: usize) -> usize {
        if self.interleaved {
            let (b, h) = (bh / self.heads, bh % self.heads);
            ((b * rows + i) * self.heads + h) * cols
        } else {
            (bh * rows + i) * cols
        }
    }
}

impl Packed for AttentionOptions {
    const OP: &'static str = "attention";
    const FIELDS: &'static [&'static str] = &[
        "batchHeads",
        "qLen",
        "kvLen",
        "headDim",
        "valueDim",
        "scale",
        "causal",
        "maskLayers",
        "dropoutP",
        "seed",
        "offset",
        "heads",
        "qOffset",
        "qBatchStride",
        "qHeadStride",
        "qRowStride",
        "kOffset",
        "kBatchStride",
        "kHeadStride",
        "kRowStride",
        "vOffset",
        "vBatchStride",
        "vHeadStride",
        "vRowStride",
        "interleaved",
    ];
    fn from_fields(v: &[f64]) -> Self {
        let u = |i: usize| v[i] as usize;
        AttentionOptions {
            batch_heads: u(0),
            q_len: u(1),
            kv_len: u(2),
            head_dim: u(3),
            value_dim: u(4),
            scale: v[5] as f32,
            causal: v[6] != 0.0,
            mask_layers: u(7),
            dropout_p: v[8],
            seed: v[9],
            offset: v[10],
            heads: u(11),
            q_layout: Layout::from_fields(&v[12..16]),
            k_layout: Layout::from_fields(&v[16..20]),
            v_layout: Layout::from_fields(&v[20..24]),
            interleaved: v[24] != 0.0,
        }
    }
}

/// What a row needs to know about dropout: the stream and the keep threshold (`None`: no dropout).
#[derive(Clone, Copy)]
struct Dropout {
    stream: Stream,
    threshold: u32,
    scale: f32,
}

impl Dropout {
    /// The factor of probability `(bh, i, j)`: `1/(1 − p)` when kept, 0 when dropped.
    #[inline(always)]
    fn factor(&self, o: &AttentionOptions, bh: usize, i: usize, j: usize) -> f32 {
        let counter = ((bh * o.q_len + i) * o.kv_len + j) as u64;
        if self.stream.block(counter)[0] >= self.threshold {
            self.scale
        } else {
            0.0
        }
    }
}

fn check(
    op: &'static str,
    o: &AttentionOptions,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
) -> KernelResult<Option<Dropout>> {
    let what = || {
        format!(
            "batch·heads {}, L {}, S {}, E {}, Ev {}",
            o.batch_heads, o.q_len, o.kv_len, o.head_dim, o.value_dim
        )
    };
    if o.heads == 0 || o.batch_heads % o.heads != 0 {
        return Err(KernelError::value(
            op,
            format!(
                "heads must divide batch·heads ({}), got {}",
                o.batch_heads, o.heads
            ),
        ));
    }
    for (name, buf, layout, rows, cols) in [
        ("q", q, &o.q_layout, o.q_len, o.head_dim),
        ("k", k, &o.k_layout, o.kv_len, o.head_dim),
        ("v", v, &o.v_layout, o.kv_len, o.value_dim),
    ] {
        match layout.extent(o.batch_heads, o.heads, rows, cols) {
            Some(end) if end <= buf.len() => {}
            _ => {
                return Err(KernelError::length(
                    op,
                    format!(
                        "{name} has {} elements, too few for its layout {layout:?} ({})",
                        buf.len(),
                        what()
                    ),
                ))
            }
        }
    }
    match mask {
        Some(m) => {
            if o.mask_layers != 1 && o.mask_layers != o.batch_heads {
                return Err(KernelError::value(
                    op,
                    format!(
                        "mask layers must be 1 or batch·heads ({}), got {}",
                        o.batch_heads, o.mask_layers
                    ),
                ));
            }
            check_len(
                op,
                "mask",
                m.len(),
                o.mask_layers * o.q_len * o.kv_len,
                &what(),
            )?;
        }
        None if o.mask_layers != 0 => {
            return Err(KernelError::value(op, "mask layers given without a mask"));
        }
        None => {}
    }
    if !(0.0..1.0).contains(&o.dropout_p) {
        return Err(KernelError::value(
            op,
            format!(
                "dropout probability has to be in [0, 1), got {}",
                o.dropout_p
            ),
        ));
    }
    if o.dropout_p == 0.0 {
        return Ok(None);
    }
    Ok(Some(Dropout {
        stream: Stream::from_f64(op, o.seed, o.offset)?,
        threshold: threshold(o.dropout_p) as u32,
        scale: (1.0 / (1.0 - o.dropout_p)) as f32,
    }))
}

/// The lengths of the forward's output (`[BH, L, Ev]`) and log-sum-exp (`[BH, L]`).
fn check_outputs(op: &'static str, o: &AttentionOptions, out: usize, lse: usize) -> KernelResult {
    check_len(
        op,
        "out",
        out,
        o.batch_heads * o.q_len * o.value_dim,
        "[batch·heads, L, Ev]",
    )?;
    check_len(op, "lse", lse, o.batch_heads * o.q_len, "[batch·heads, L]")
}

/// What every backward checks of its inputs: the operands and mask ([`check`]), the forward's
/// outputs and the upstream gradient's length. Returns the dropout, as `check`.
fn check_backward(
    op: &'static str,
    o: &AttentionOptions,
    ops: &Operands<'_>,
) -> KernelResult<Option<Dropout>> {
    let dropout = check(op, o, ops.q, ops.k, ops.v, ops.mask)?;
    check_outputs(op, o, ops.out.len(), ops.lse.len())?;
    check_len(
        op,
        "gradOut",
        ops.grad_out.len(),
        ops.out.len(),
        "[batch·heads, L, Ev]",
    )?;
    Ok(dropout)
}

/// Head `bh`'s operands.
fn head<'a>(
    o: &AttentionOptions,
    q: &'a [f32],
    k: &'a [f32],
    v: &'a [f32],
    mask: Option<&'a [f32]>,
    bh: usize,
) -> Head<'a> {
    let (l_len, s_len, e, ev) = (o.q_len, o.kv_len, o.head_dim, o.value_dim);
    // The rows a head reads (`check` proved them inside the buffers).
    let rows = |buf: &'a [f32], layout: &Layout, n: usize, cols: usize| -> &'a [f32] {
        if n == 0 || cols == 0 {
            return &[];
        }
        &buf[layout.base(bh, o.heads)..][..(n - 1) * layout.row_stride + cols]
    };
    Head {
        bh,
        q: rows(q, &o.q_layout, l_len, e),
        q_stride: o.q_layout.row_stride,
        k: rows(k, &o.k_layout, s_len, e),
        k_stride: o.k_layout.row_stride,
        v: rows(v, &o.v_layout, s_len, ev),
        v_stride: o.v_layout.row_stride,
        mask: mask.map(|m| {
            let layer = if o.mask_layers == 1 { 0 } else { bh };
            &m[layer * l_len * s_len..][..l_len * s_len]
        }),
    }
}

/// `out = softmax(q·kᵀ·scale + mask)·v` per batch·head (`out`: `[BH, L, Ev]`), and the log-sum-exp
/// of each row (`lse`: `[BH, L]`, −∞ for a fully masked row). Returns the Philox counters used.
pub fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    out: &mut [f32],
    lse: &mut [f32],
    o: &AttentionOptions,
) -> KernelResult<u64> {
    attention_with(cpu::active(), q, k, v, mask, out, lse, o)
}

/// [`attention`] on an explicit SIMD path (tests walk every path the CPU has).
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention_with(
    simd: Simd,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    out: &mut [f32],
    lse: &mut [f32],
    o: &AttentionOptions,
) -> KernelResult<u64> {
    const OP: &str = "attention";
    let dropout = check(OP, o, q, k, v, mask)?;
    check_outputs(OP, o, out.len(), lse.len())?;
    let (l_len, s_len, e, ev) = (o.q_len, o.kv_len, o.head_dim, o.value_dim);
    let block = (l_len * ev).max(1);
    if out.is_empty() {
        lse.fill(f32::NEG_INFINITY);
        return Ok(0);
    }
    let lse_chunks: Vec<Mutex<&mut [f32]>> = lse.chunks_mut(l_len.max(1)).map(Mutex::new).collect();
    let work = o.batch_heads * l_len * s_len * (e + ev);
    if o.interleaved {
        // Each head's rows are computed together, then written to their interleaved places.
        let shared = SharedSlice::new(out);
        threads::run_tasks(o.batch_heads, work, |bh| {
            fetch_head_rows(o, [q, k, v], None, bh + FETCH_AHEAD);
            let mut lse = lse_chunks[bh].lock().unwrap_or_else(|e| e.into_inner());
            let h = head(o, q, k, v, mask, bh);
            let mut rows = take_rows(block);
            head::forward_head(simd, o, &h, dropout.as_ref(), &mut rows[..block], &mut lse);
            for (i, row) in rows[..block].chunks_exact(ev.max(1)).enumerate() {
                // SAFETY: the rows of different (batch·head, query) pairs are disjoint.
                unsafe { shared.part(o.out_row(bh, i), ev) }.copy_from_slice(row);
            }
            return_rows(rows);
        });
    } else {
        threads::par_chunks_mut(out, block, work, |start, out| {
            let bh = start / block;
            let mut lse = lse_chunks[bh].lock().unwrap_or_else(|e| e.into_inner());
            let h = head(o, q, k, v, mask, bh);
            head::forward_head(simd, o, &h, dropout.as_ref(), out, &mut lse);
        });
    }
    Ok(if dropout.is_some() {
        (o.batch_heads * l_len * s_len) as u64
    } else {
        0
    })
}

/// The gradients of [`attention`] with respect to q, k and v (overwritten), from the forward's
/// output and log-sum-exp and the upstream gradient.
#[allow(clippy::too_many_arguments)]
pub fn attention_backward(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    out: &[f32],
    lse: &[f32],
    grad_out: &[f32],
    grad_q: &mut [f32],
    grad_k: &mut [f32],
    grad_v: &mut [f32],
    o: &AttentionOptions,
) -> KernelResult {
    let simd = cpu::active();
    attention_backward_with(
        simd, q, k, v, mask, out, lse, grad_out, grad_q, grad_k, grad_v, o,
    )
}

/// [`attention_backward`] on an explicit SIMD path.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention_backward_with(
    simd: Simd,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    out: &[f32],
    lse: &[f32],
    grad_out: &[f32],
    grad_q: &mut [f32],
    grad_k: &mut [f32],
    grad_v: &mut [f32],
    o: &AttentionOptions,
) -> KernelResult {
    const OP: &str = "attention_backward";
    let ops = Operands {
        q,
        k,
        v,
        mask,
        out,
        lse,
        grad_out,
    };
    let dropout = check_backward(OP, o, &ops)?;
    let (l_len, s_len, e, ev) = (o.q_len, o.kv_len, o.head_dim, o.value_dim);
    let bh = o.batch_heads;
    check_len(
        OP,
        "gradQ",
        grad_q.len(),
        bh * l_len * e,
        "[batch·heads, L, E]",
    )?;
    check_len(
        OP,
        "gradK",
        grad_k.len(),
        bh * s_len * e,
        "[batch·heads, S, E]",
    )?;
    check_len(
        OP,
        "gradV",
        grad_v.len(),
        bh * s_len * ev,
        "[batch·heads, S, Ev]",
    )?;
    if grad_q.is_empty() {
        grad_k.fill(0.0);
        grad_v.fill(0.0);
        return Ok(());
    }
    if o.interleaved {
        let work = o.batch_heads * l_len * s_len * (2 * e + 2 * ev);
        let (sq, sk, sv) = (
            SharedSlice::new(grad_q),
            SharedSlice::new(grad_k),
            SharedSlice::new(grad_v),
        );
        threads::run_tasks(o.batch_heads, work, |bh| {
            backward_interleaved_head(simd, o, &ops, dropout.as_ref(), bh, |part, i, row| {
                let (shared, rows) = [(&sq, l_len), (&sk, s_len), (&sv, s_len)][part];
                // SAFETY: the rows of different (batch·head, position) pairs are disjoint.
                unsafe { shared.part(o.row_at(bh, i, rows, row.len()), row.len()) }
                    .copy_from_slice(row);
            });
        });
        return Ok(());
    }
    // Heads write their whole chunks, except where S·E or S·Ev is 0 (no chunk at all).
    grad_k.fill(0.0);
    grad_v.fill(0.0);
    let gk_chunks: Vec<Mutex<&mut [f32]>> = grad_k
        .chunks_mut((s_len * e).max(1))
        .map(Mutex::new)
        .collect();
    let gv_chunks: Vec<Mutex<&mut [f32]>> = grad_v
        .chunks_mut((s_len * ev).max(1))
        .map(Mutex::new)
        .collect();
    let block = (l_len * e).max(1);
    let work = o.batch_heads * l_len * s_len * (2 * e + 2 * ev);
    threads::par_chunks_mut(grad_q, block, work, |start, gq| {
        let bh = start / block;
        let mut gk = gk_chunks
            .get(bh)
            .map(|m| m.lock().unwrap_or_else(|e| e.into_inner()));
        let mut gv = gv_chunks
            .get(bh)
            .map(|m| m.lock().unwrap_or_else(|e| e.into_inner()));
        let h = head(o, q, k, v, mask, bh);
        let rows = bh * l_len..(bh + 1) * l_len;
        let (out_h, grad_h) = (
            &out[rows.start * ev..rows.end * ev],
            &grad_out[rows.start * ev..rows.end * ev],
        );
        let g = HeadGrads {
            out: out_h,
            lse: &lse[rows.clone()],
            grad_out: grad_h,
        };
        // No chunk exists when S·E or S·Ev is 0: the head then has nothing to write there.
        let (mut no_k, mut no_v): ([f32; 0], [f32; 0]) = ([], []);
        let gk: &mut [f32] = gk.as_deref_mut().map_or(&mut no_k[..], |s| &mut s[..]);
        let gv: &mut [f32] = gv.as_deref_mut().map_or(&mut no_v[..], |s| &mut s[..]);
        head::backward_head(simd, o, &h, &g, dropout.as_ref(), gq, gk, gv);
    });
    Ok(())
}

/// [`attention_backward`] for q, k and v that are views of one storage (a projection split into
/// three): the three gradients are written into `grad` (that storage's length) at the positions q,
/// k and v occupy in it, so the caller gets the gradient of the whole storage without a
/// zero-filled buffer and three strided adds (NOTE [ Attention gradients in the projection's
/// layout ] in docs/PERFORMANCE.md). `out` and `grad_out` are interleaved (`o.interleaved`). The
/// layouts must address pairwise disjoint elements ([`disjoint_in_storage`]): the heads write
/// them from several threads. Elements that none of them addresses are left as they were.
#[allow(clippy::too_many_arguments)]
pub fn attention_backward_into_storage(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    out: &[f32],
    lse: &[f32],
    grad_out: &[f32],
    grad: &mut [f32],
    o: &AttentionOptions,
) -> KernelResult {
    const OP: &str = "attention_backward_into_storage";
    let simd = cpu::active();
    let ops = Operands {
        q,
        k,
        v,
        mask,
        out,
        lse,
        grad_out,
    };
    let dropout = check_backward(OP, o, &ops)?;
    let (l_len, s_len, e, ev) = (o.q_len, o.kv_len, o.head_dim, o.value_dim);
    check_len(OP, "grad", grad.len(), q.len(), "q's storage")?;
    if k.len() != q.len() || v.len() != q.len() {
        return Err(KernelError::length(
            OP,
            format!(
                "q, k and v must be one storage, got {}, {} and {} elements",
                q.len(),
                k.len(),
                v.len()
            ),
        ));
    }
    if !o.interleaved || !disjoint_in_storage(o) {
        return Err(KernelError::value(
            OP,
            format!(
                "q, k and v must be interleaved views of disjoint elements, got {:?}, {:?}, {:?}",
                o.q_layout, o.k_layout, o.v_layout
            ),
        ));
    }
    if o.batch_heads == 0 || l_len == 0 || s_len == 0 {
        // No head reads or writes anything; a row of q with no key gets no gradient.
        for (layout, rows, cols) in [
            (&o.q_layout, l_len, e),
            (&o.k_layout, s_len, e),
            (&o.v_layout, s_len, ev),
        ] {
            for bh in 0..o.batch_heads {
                for i in 0..rows {
                    let at = layout.base(bh, o.heads) + i * layout.row_stride;
                    grad[at..at + cols].fill(0.0);
                }
            }
        }
        return Ok(());
    }
    let work = o.batch_heads * l_len * s_len * (2 * e + 2 * ev);
    let shared = SharedSlice::new(grad);
    let layouts = [&o.q_layout, &o.k_layout, &o.v_layout];
    threads::run_tasks(o.batch_heads, work, |bh| {
        backward_interleaved_head(simd, o, &ops, dropout.as_ref(), bh, |part, i, row| {
            let layout = layouts[part];
            let at = layout.base(bh, o.heads) + i * layout.row_stride;
            // SAFETY: `disjoint_in_storage` proved every (operand, batch·head, row) its own
            // elements, and `check` proved them inside the storage, which `grad` matches.
            unsafe { shared.part(at, row.len()) }.copy_from_slice(row);
        });
    });
    Ok(())
}

/// Whether q, k and v address pairwise disjoint elements of their storage: each one's heads side
/// by side in a row (`head_stride` = its width), the three with one `row_stride` and one
/// `batch_stride`, their `[offset, offset + heads·width)` segments disjoint inside one row
/// period, and each one's rows inside one batch period. (Sufficient, not necessary: the layout
/// of a projection split into q, k and v and viewed as heads.)
fn disjoint_in_storage(o: &AttentionOptions) -> bool {
    let ops = [
        (&o.q_layout, o.q_len, o.head_dim),
        (&o.k_layout, o.kv_len, o.head_dim),
        (&o.v_layout, o.kv_len, o.value_dim),
    ];
    let (rs, bs) = (o.q_layout.row_stride, o.q_layout.batch_stride);
    let mut segments = Vec::with_capacity(3);
    for (layout, rows, cols) in ops {
        let width = o.heads.checked_mul(cols);
        let fits = width.zip(rows.checked_mul(rs)).is_some_and(|(w, span)| {
            layout.offset.checked_add(w).is_some_and(|end| end <= rs) && span <= bs
        });
        if layout.row_stride != rs
            || layout.batch_stride != bs
            || (o.heads > 1 && layout.head_stride != cols)
            || !fits
        {
            return false;
        }
        segments.push((layout.offset, layout.offset + o.heads * cols));
    }
    segments.sort_unstable();
    segments.windows(2).all(|w| w[0].1 <= w[1].0)
}

/// The buffers a backward reads besides the gradients it writes.
struct Operands<'a> {
    q: &'a [f32],
    k: &'a [f32],
    v: &'a [f32],
    mask: Option<&'a [f32]>,
    out: &'a [f32],
    lse: &'a [f32],
    grad_out: &'a [f32],
}

/// The backward of batch·head `bh` with `out` and `grad_out` interleaved: the head's rows are
/// gathered, its gradients computed into this thread's scratch, and each row handed to
/// `write(operand, row index, row)` (operand 0 q, 1 k, 2 v) to place where the caller keeps it.
fn backward_interleaved_head(
    simd: Simd,
    o: &AttentionOptions,
    ops: &Operands<'_>,
    dropout: Option<&Dropout>,
    bh: usize,
    mut write: impl FnMut(usize, usize, &[f32]),
) {
    let (l_len, s_len, e, ev) = (o.q_len, o.kv_len, o.head_dim, o.value_dim);
    fetch_head_rows(
        o,
        [ops.q, ops.k, ops.v],
        Some([ops.out, ops.grad_out]),
        bh + FETCH_AHEAD,
    );
    let h = head(o, ops.q, ops.k, ops.v, ops.mask, bh);
    let (lq, lk, lv, lo) = (l_len * e, s_len * e, s_len * ev, l_len * ev);
    let mut buf = take_rows(lq + lk + lv + 2 * lo);
    let (gq, rest) = buf.split_at_mut(lq);
    let (gk, rest) = rest.split_at_mut(lk);
    let (gv, rest) = rest.split_at_mut(lv);
    let (out_h, grad_h) = rest[..2 * lo].split_at_mut(lo);
    for i in 0..l_len {
        let at = o.out_row(bh, i);
        out_h[i * ev..][..ev].copy_from_slice(&ops.out[at..at + ev]);
        grad_h[i * ev..][..ev].copy_from_slice(&ops.grad_out[at..at + ev]);
    }
    let g = HeadGrads {
        out: out_h,
        lse: &ops.lse[bh * l_len..(bh + 1) * l_len],
        grad_out: grad_h,
    };
    head::backward_head(simd, o, &h, &g, dropout, gq, gk, gv);
    for (part, (rows, cols, src)) in [(l_len, e, &*gq), (s_len, e, &*gk), (s_len, ev, &*gv)]
        .into_iter()
        .enumerate()
    {
        for (i, row) in src.chunks_exact(cols.max(1)).take(rows).enumerate() {
            write(part, i, &row[..cols]);
        }
    }
    return_rows(buf);
}

/// How many batch·heads ahead a head task asks for the rows it will read: with two threads taking
/// heads in turn, the thread's next head (NOTE [ Attention rows fetched ahead ] in
/// docs/PERFORMANCE.md).
const FETCH_AHEAD: usize = 2;

/// Asks for batch·head `bh`'s rows of q, k and v (`qkv`) and, in the interleaved backward, of
/// `out` and `grad_out` (`outs`), into L2; nothing past the last head. Their rows sit a projection's
/// or an output's width apart, a stride the hardware prefetcher does not follow across a head's
/// 64 rows before they are needed.
fn fetch_head_rows(o: &AttentionOptions, qkv: [&[f32]; 3], outs: Option<[&[f32]; 2]>, bh: usize) {
    if bh >= o.batch_heads {
        return;
    }
    let fetch = |buf: &[f32], at: usize, cols: usize| {
        // One request per 64-byte line (16 floats).
        for c in (0..cols).step_by(16) {
            crate::simd::prefetch_line_l2(buf.as_ptr().wrapping_add(at + c));
        }
    };
    let layouts = [
        (&o.q_layout, o.q_len, o.head_dim),
        (&o.k_layout, o.kv_len, o.head_dim),
        (&o.v_layout, o.kv_len, o.value_dim),
    ];
    for (buf, (layout, rows, cols)) in qkv.into_iter().zip(layouts) {
        let base = layout.base(bh, o.heads);
        for i in 0..rows {
            fetch(buf, base + i * layout.row_stride, cols);
        }
    }
    if let Some(outs) = outs {
        for i in 0..o.q_len {
            let at = o.out_row(bh, i);
            for buf in outs {
                fetch(buf, at, o.value_dim);
            }
        }
    }
}

thread_local! {
    /// Per-thread rows of one head (`out` in interleaved order), reused across calls.
    static ROWS: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// This thread's row buffer, at least `len` floats; hand it back with [`return_rows`].
fn take_rows(len: usize) -> Vec<f32> {
    let mut buf = ROWS.with(|cell| cell.take());
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
    buf
}

fn return_rows(buf: Vec<f32>) {
    if buf.capacity() > 0 {
        ROWS.with(|cell| cell.replace(buf));
    }
}
