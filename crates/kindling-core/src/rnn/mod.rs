//! The time loop of one recurrent layer in one direction (`nn.RNN`, `nn.LSTM`, `nn.GRU`), forward
//! and backward through time, so a layer costs one native call each way instead of one per step.
//!
//! The caller projects the input of every step at once (`x_proj = x·W_ihᵀ + b_ih`, one GEMM over
//! `steps·batch` rows, outside this module); here each step is one product of the previous hidden
//! state by `W_hh` (plus `b_hh` as the GEMM's bias row; forward on a `W_hh` packed once per call)
//! followed by the gate nonlinearities fused in one pass, batch rows split over the threads. Gate
//! layouts are PyTorch's: LSTM `i, f, g, o`; GRU `r, z, n` with `n = tanh(x_n + r·(W_hn·h +
//! b_hn))` (the hidden bias inside the reset product).
//!
//! LSTM projections (`proj_size` > 0, PyTorch's `weight_hr`): the cell keeps `hidden` units but
//! the hidden state is `h = (o·tanh(c))·W_hrᵀ`, `proj` units, one more `sgemm` per step. The
//! state and output rows are then `proj` wide (`r` below: `proj`, or `hidden` without one).
//!
//! Variable lengths (a `PackedSequence` run padded): with `lengths` (one per batch row), row `b`
//! takes part in step `t` only when `t < lengths[b]`; at other steps its state is carried
//! unchanged and written as that step's output, so the forward direction's last step holds each
//! row's state at its own last valid step and the reverse direction starts each row at its own
//! end from the initial state — PyTorch's packed semantics. The caller ignores the carried
//! outputs (they are not part of the packed result) but the backward passes their gradients
//! through to the carried state.
//!
//! Buffers are time-major (`steps × batch × …`); `reverse` walks the steps from last to first
//! (the backward direction of a bidirectional layer) but keeps every buffer in time order.
//! `saved` holds what the backward reads and the output does not: LSTM the four gate activations
//! then the cell state of every step (`steps·batch·4H`, then `steps·batch·H`), then with a
//! projection `o·tanh(c)` of every step (`steps·batch·H`); GRU the three gate activations then
//! `W_hn·h + b_hn` (`steps·batch·3H`, then `steps·batch·H`); RNN nothing.
//!
//! The backward returns the gradient of each step's gate pre-activations and, when asked, the
//! weight, bias and input gradients formed from them (`W_hh`, `b_hh`, and given the input and
//! `W_ih`: `x`, `W_ih`, `b_ih`): those are products over blocks of finished steps, computed on the
//! second thread while the first walks the steps (the recurrence is a chain of small products
//! that two threads share poorly). For the GRU the `n` gate's pre-activation differs between its
//! input part and its hidden part (the latter is multiplied by `r`), so its gate gradient comes
//! in two blocks: with respect to `x_proj`, then with respect to `h·W_hhᵀ + b_hh`. With a
//! projection a last block holds the gradient of every step's `h` (`steps·batch·proj`), from
//! which the caller forms `W_hr`'s gradient in one GEMM.
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::gemm::{sgemm, sgemm_packed_b, PackedB};
use crate::options::Packed;
use crate::threads::{self, SharedSlice};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

mod gates;
#[cfg(test)]
mod tests;

use gates::{GruRow, LstmBackRow, LstmRow};

/// Which cell: the codes `src/ops/rnn.ts` sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Tanh,
    Relu,
    Lstm,
    Gru,
}

impl Mode {
    fn from_code(code: u32) -> Option<Mode> {
        match code {
            0 => Some(Mode::Tanh),
            1 => Some(Mode::Relu),
            2 => Some(Mode::Lstm),
            3 => Some(Mode::Gru),
            _ => None,
        }
    }

    /// Gates per hidden unit (rows of `W_hh` per hidden unit).
    pub fn gates(self) -> usize {
        match self {
            Mode::Tanh | Mode::Relu => 1,
            Mode::Lstm => 4,
            Mode::Gru => 3,
        }
    }
}

/// Sizes and settings of one layer-direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RnnOptions {
    /// 0 tanh RNN, 1 relu RNN, 2 LSTM, 3 GRU.
    pub mode: u32,
    pub steps: usize,
    pub batch: usize,
    pub hidden: usize,
    /// Walk the steps from last to first.
    pub reverse: bool,
    /// LSTM projection size (`proj_size`); 0 for none.
    pub proj: usize,
}

impl Packed for RnnOptions {
    const OP: &'static str = "rnn";
    const FIELDS: &'static [&'static str] =
        &["mode", "steps", "batch", "hidden", "reverse", "proj"];
    fn from_fields(v: &[f64]) -> Self {
        RnnOptions {
            mode: v[0] as u32,
            steps: v[1] as usize,
            batch: v[2] as usize,
            hidden: v[3] as usize,
            reverse: v[4] != 0.0,
            proj: v[5] as usize,
        }
    }
}

/// The validated sizes every loop uses.
struct Dims {
    mode: Mode,
    steps: usize,
    /// `batch · hidden`: one step of cell state.
    bh: usize,
    /// `batch · r`: one step of output (`r` = proj, or hidden without a projection).
    br: usize,
    /// `gates · hidden`: one row of a step's pre-activations.
    gh: usize,
    batch: usize,
    hidden: usize,
    /// Width of the hidden state and output rows.
    r: usize,
    proj: bool,
    reverse: bool,
    /// The SIMD path of the gate nonlinearities (`gates.rs`).
    simd: Simd,
}

impl Dims {
    fn new(op: &'static str, o: &RnnOptions) -> KernelResult<Dims> {
        let mode = Mode::from_code(o.mode)
            .ok_or_else(|| KernelError::value(op, format!("mode must be 0..=3, got {}", o.mode)))?;
        if o.proj > 0 && (mode != Mode::Lstm || o.proj >= o.hidden) {
            return Err(KernelError::value(
                op,
                format!(
                    "proj must be 0, or below hidden ({}) for an LSTM, got {}",
                    o.hidden, o.proj
                ),
            ));
        }
        let r = if o.proj > 0 { o.proj } else { o.hidden };
        let too_large = || KernelError::shape(op, "sizes are too large".to_string());
        let gh = mode.gates().checked_mul(o.hidden).ok_or_else(too_large)?;
        let bh = o.batch.checked_mul(o.hidden).ok_or_else(too_large)?;
        // Every buffer is at most steps·batch·6·hidden long; checking that bounds all of them.
        o.steps
            .checked_mul(bh)
            .and_then(|v| v.checked_mul(6))
            .ok_or_else(too_large)?;
        Ok(Dims {
            mode,
            steps: o.steps,
            bh,
            br: o.batch * r,
            gh,
            batch: o.batch,
            hidden: o.hidden,
            r,
            proj: o.proj > 0,
            reverse: o.reverse,
            simd: cpu::active(),
        })
    }

    /// The time index of the `s`-th step processed.
    fn time(&self, s: usize) -> usize {
        if self.reverse {
            self.steps - 1 - s
        } else {
            s
        }
    }

    fn state_len(&self) -> usize {
        if self.mode == Mode::Lstm {
            self.br + self.bh
        } else {
            self.br
        }
    }

    /// Length of `saved` (see the module comment).
    pub fn saved_len(&self) -> usize {
        match self.mode {
            Mode::Tanh | Mode::Relu => 0,
            Mode::Lstm => self.steps * self.bh * if self.proj { 6 } else { 5 },
            Mode::Gru => self.steps * self.bh * 4,
        }
    }

    fn grad_gates_len(&self) -> usize {
        let one = self.steps * self.batch * self.gh;
        match self.mode {
            Mode::Gru => 2 * one,
            Mode::Lstm if self.proj => one + self.steps * self.br,
            _ => one,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_common(
        &self,
        op: &'static str,
        w_hh: &[f32],
        w_hr: Option<&[f32]>,
        lengths: Option<&[u32]>,
        state0: &[f32],
        out: &[f32],
        saved: &[f32],
    ) -> KernelResult {
        let sizes = || {
            format!(
                "steps {}, batch {}, hidden {}, proj {}, {} gate(s)",
                self.steps,
                self.batch,
                self.hidden,
                if self.proj { self.r } else { 0 },
                self.mode.gates()
            )
        };
        check_len(op, "wHh", w_hh.len(), self.gh * self.r, &sizes())?;
        match (w_hr, self.proj) {
            (Some(w), true) => check_len(op, "wHr", w.len(), self.r * self.hidden, &sizes())?,
            (None, false) => {}
            (Some(_), false) => {
                return Err(KernelError::value(op, "wHr given without proj".to_string()))
            }
            (None, true) => return Err(KernelError::value(op, "proj needs wHr".to_string())),
        }
        if let Some(l) = lengths {
            check_len(op, "lengths", l.len(), self.batch, &sizes())?;
            if let Some(&bad) = l.iter().find(|&&v| v as usize > self.steps) {
                return Err(KernelError::value(
                    op,
                    format!("lengths must be at most steps ({}), got {bad}", self.steps),
                ));
            }
        }
        check_len(op, "state0", state0.len(), self.state_len(), &sizes())?;
        check_len(op, "out", out.len(), self.steps * self.br, &sizes())?;
        check_len(op, "saved", saved.len(), self.saved_len(), &sizes())?;
        Ok(())
    }
}

/// Whether batch row `b` takes part in time step `t`.
#[inline(always)]
fn valid(lengths: Option<&[u32]>, t: usize, b: usize) -> bool {
    lengths.is_none_or(|l| t < l[b] as usize)
}

/// Splits a step's batch rows into tasks for the thread pool: the gate nonlinearities of one step
/// (an `exp` per gate and unit) are worth a region of their own once the batch has a few rows;
/// rows are independent, so the result is the same on any thread count.
fn row_tasks(d: &Dims) -> (usize, usize) {
    let tasks = threads::num_threads().min(d.batch).max(1);
    (tasks, d.batch * d.gh * GATE_WORK)
}

/// The work estimate of one gate value (an `exp` and a few FMAs), in `run_tasks` units.
const GATE_WORK: usize = 16;

/// Rows `task · batch / tasks ..` of `tasks`.
fn task_rows(task: usize, tasks: usize, batch: usize) -> std::ops::Range<usize> {
    task * batch / tasks..(task + 1) * batch / tasks
}

/// One LSTM step's gates and cells for every batch row, rows split over the thread pool: `m`
/// gets `o·tanh(c)`; a carried row gets zero gates, its cell copied, and `m` = `carry`'s row (its
/// hidden state, when `m` is the output) or zero (when a projection follows).
#[allow(clippy::too_many_arguments)]
fn lstm_cells(
    d: &Dims,
    lengths: Option<&[u32]>,
    t: usize,
    xp: &[f32],
    hh: &[f32],
    gates: &mut [f32],
    c: &mut [f32],
    cells: &mut [f32],
    m: &mut [f32],
    carry: Option<&[f32]>,
) {
    let (gh, hid) = (d.gh, d.hidden);
    let (gates, c, cells, m) = (
        SharedSlice::new(gates),
        SharedSlice::new(c),
        SharedSlice::new(cells),
        SharedSlice::new(m),
    );
    let (tasks, work) = row_tasks(d);
    threads::run_tasks(tasks, work, |task| {
        for b in task_rows(task, tasks, d.batch) {
            // SAFETY: each batch row belongs to one task, and these are that row's parts.
            let (gr, cr, cells_r, mr) = unsafe {
                (
                    gates.part(b * gh, gh),
                    c.part(b * hid, hid),
                    cells.part(b * hid, hid),
                    m.part(b * hid, hid),
                )
            };
            let row = LstmRow {
                xr: &xp[b * gh..][..gh],
                hr: &hh[b * gh..][..gh],
                gates: gr,
                c: cr,
                cells: cells_r,
                m: mr,
            };
            lstm_step_row(
                d,
                valid(lengths, t, b),
                row,
                carry.map(|h| &h[b * hid..][..hid]),
            );
        }
    });
}

/// One batch row's LSTM step: inside its length the gates, cell and output of `row`; past it the
/// row carries its state — zero gates, the cell kept, and `m` the carried output (`carry`) or
/// zeros (see the module comment).
#[inline(always)]
fn lstm_step_row(d: &Dims, valid: bool, row: LstmRow<'_>, carry: Option<&[f32]>) {
    if valid {
        return gates::lstm_forward_row(d.simd, row);
    }
    row.gates.fill(0.0);
    row.cells.copy_from_slice(row.c);
    match carry {
        Some(h) => row.m.copy_from_slice(h),
        None => row.m.fill(0.0),
    }
}

/// Runs one layer-direction: `out` gets the hidden state of every step (in time order), `saved`
/// what the backward needs. The final hidden state is `out`'s last processed step; the LSTM's
/// final cell state is `saved`'s cell of that step.
#[allow(clippy::too_many_arguments)]
pub fn rnn_forward(
    x_proj: &[f32],
    w_hh: &[f32],
    b_hh: Option<&[f32]>,
    w_hr: Option<&[f32]>,
    lengths: Option<&[u32]>,
    state0: &[f32],
    out: &mut [f32],
    saved: &mut [f32],
    o: &RnnOptions,
) -> KernelResult {
    const OP: &str = "rnn_forward";
    let d = Dims::new(OP, o)?;
    d.check_common(OP, w_hh, w_hr, lengths, state0, out, saved)?;
    check_len(
        OP,
        "xProj",
        x_proj.len(),
        d.steps * d.batch * d.gh,
        "steps·batch·gates·hidden",
    )?;
    if let Some(b) = b_hh {
        check_len(OP, "bHh", b.len(), d.gh, "gates·hidden")?;
    }
    let (bh, br, gh, hid, r) = (d.bh, d.br, d.gh, d.hidden, d.r);
    // The running state, copied rather than borrowed from `out` so `out` can be written.
    let mut h = state0[..br].to_vec();
    let mut c = if d.mode == Mode::Lstm {
        state0[br..].to_vec()
    } else {
        Vec::new()
    };
    let mut hh = vec![0.0f32; d.batch * gh];
    // W_hhᵀ packed once for all steps (NOTE [ RNN steps on a packed W_hh ] in
    // docs/PERFORMANCE.md).
    let w_packed = PackedB::new(true, r, gh, w_hh)?;
    let (gate_part, rest_part) = saved.split_at_mut(
        d.steps * d.batch * gh * usize::from(d.mode == Mode::Lstm || d.mode == Mode::Gru),
    );
    let m_at = if d.proj {
        d.steps * bh
    } else {
        rest_part.len()
    };
    let (rest_part, m_part) = rest_part.split_at_mut(m_at);
    let groups = row_groups(&d);
    if d.mode == Mode::Lstm && !d.proj && groups > 1 {
        return lstm_forward_by_rows(
            &d, x_proj, &w_packed, b_hh, lengths, state0, out, gate_part, rest_part, groups,
        );
    }
    for s in 0..d.steps {
        let t = d.time(s);
        sgemm_packed_b(d.batch, 1.0, &h, &w_packed, 0.0, &mut hh, b_hh)?;
        let xp = &x_proj[t * d.batch * gh..][..d.batch * gh];
        let y = &mut out[t * br..][..br];
        match d.mode {
            Mode::Tanh | Mode::Relu => {
                let relu = d.mode == Mode::Relu;
                for b in 0..d.batch {
                    let yr = &mut y[b * hid..][..hid];
                    if !valid(lengths, t, b) {
                        yr.copy_from_slice(&h[b * hid..][..hid]);
                        continue;
                    }
                    let (xr, hr) = (&xp[b * gh..][..gh], &hh[b * gh..][..gh]);
                    if relu {
                        for ((y, &a), &bb) in yr.iter_mut().zip(xr).zip(hr) {
                            *y = (a + bb).max(0.0);
                        }
                    } else {
                        gates::tanh_row(d.simd, xr, hr, yr);
                    }
                }
            }
            Mode::Lstm => {
                let gates = &mut gate_part[t * d.batch * gh..][..d.batch * gh];
                let cells = &mut rest_part[t * bh..][..bh];
                if let Some(w) = w_hr {
                    let m = &mut m_part[t * bh..][..bh];
                    lstm_cells(&d, lengths, t, xp, &hh, gates, &mut c, cells, m, None);
                    // h = m·W_hrᵀ: (batch × hidden)·(hidden × proj); carried rows keep their state.
                    sgemm(false, true, d.batch, r, hid, 1.0, m, w, 0.0, y, None)?;
                    for b in 0..d.batch {
                        if !valid(lengths, t, b) {
                            y[b * r..][..r].copy_from_slice(&h[b * r..][..r]);
                        }
                    }
                } else {
                    // Without a projection `o·tanh(c)` is the output itself.
                    lstm_cells(&d, lengths, t, xp, &hh, gates, &mut c, cells, y, Some(&h));
                }
            }
            Mode::Gru => {
                let gates = &mut gate_part[t * d.batch * gh..][..d.batch * gh];
                let hns = &mut rest_part[t * bh..][..bh];
                for b in 0..d.batch {
                    let gr = &mut gates[b * gh..][..gh];
                    let yr = &mut y[b * hid..][..hid];
                    let hp = &h[b * hid..][..hid];
                    if !valid(lengths, t, b) {
                        gr.fill(0.0);
                        hns[b * hid..][..hid].fill(0.0);
                        yr.copy_from_slice(hp);
                        continue;
                    }
                    gates::gru_forward_row(
                        d.simd,
                        GruRow {
                            xr: &xp[b * gh..][..gh],
                            hr: &hh[b * gh..][..gh],
                            hp,
                            gates: gr,
                            hns: &mut hns[b * hid..][..hid],
                            y: yr,
                        },
                    );
                }
            }
        }
        h.copy_from_slice(y);
    }
    Ok(())
}

/// Batch rows per thread below which the LSTM forward keeps every thread on every step.
const ROW_GROUP_MIN: usize = 8;

/// How many independent groups of batch rows the LSTM forward runs (one per thread), or 1.
fn row_groups(d: &Dims) -> usize {
    threads::num_threads().min(d.batch / ROW_GROUP_MIN).max(1)
}

/// The LSTM forward (no projection) with the batch rows split into `groups` runs of the whole time
/// loop, one per thread: a row's recurrence never reads another row's, so the runs wait on each
/// other at no step, and each keeps its rows' gates and state in its own core's cache. Every row
/// computes exactly what it does in the shared loop (a product's element sums do not depend on
/// the rows beside it), so results do not depend on the thread count. NOTE [ LSTM rows on their
/// own threads ] in docs/PERFORMANCE.md.
#[allow(clippy::too_many_arguments)]
fn lstm_forward_by_rows(
    d: &Dims,
    x_proj: &[f32],
    w: &PackedB,
    b_hh: Option<&[f32]>,
    lengths: Option<&[u32]>,
    state0: &[f32],
    out: &mut [f32],
    gate_part: &mut [f32],
    cell_part: &mut [f32],
    groups: usize,
) -> KernelResult {
    let (gh, hid, batch, bh) = (d.gh, d.hidden, d.batch, d.bh);
    let (out_s, gates_s, cells_s) = (
        SharedSlice::new(out),
        SharedSlice::new(gate_part),
        SharedSlice::new(cell_part),
    );
    let failure = Mutex::new(None);
    threads::run_tasks(groups, usize::MAX, |g| {
        let rows = task_rows(g, groups, batch);
        let n = rows.len();
        let mut h = state0[rows.start * hid..rows.end * hid].to_vec();
        let mut c = state0[bh + rows.start * hid..bh + rows.end * hid].to_vec();
        let mut hh = vec![0.0f32; n * gh];
        for s in 0..d.steps {
            let t = d.time(s);
            // A nested region runs inline: this product stays on this thread.
            if let Err(e) = sgemm_packed_b(n, 1.0, &h, w, 0.0, &mut hh, b_hh) {
                *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                return;
            }
            for (li, b) in rows.clone().enumerate() {
                // SAFETY: batch row `b` of step `t` belongs to this group alone, and these are
                // that row's parts of the three outputs.
                let (gr, cells_r, yr) = unsafe {
                    (
                        gates_s.part((t * batch + b) * gh, gh),
                        cells_s.part(t * bh + b * hid, hid),
                        out_s.part(t * bh + b * hid, hid),
                    )
                };
                let (cr, hr) = (&mut c[li * hid..][..hid], &mut h[li * hid..][..hid]);
                let row = LstmRow {
                    xr: &x_proj[(t * batch + b) * gh..][..gh],
                    hr: &hh[li * gh..][..gh],
                    gates: gr,
                    c: cr,
                    cells: cells_r,
                    m: &mut *yr,
                };
                lstm_step_row(d, valid(lengths, t, b), row, Some(hr));
                hr.copy_from_slice(yr);
            }
        }
    });
    match failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The input side of a layer-direction for [`rnn_backward`]: its input `x` (`steps·batch ×
/// input`, time-major) and `W_ih` (`gates·hidden × input`), and the gradients wanted of them
/// (each overwritten): `x`'s (`dGx·W_ih`), `W_ih`'s (`Σ_t dGx_tᵀ·x_t`) and `b_ih`'s (`Σ_t dGx_t`).
pub struct InputGrads<'a> {
    pub x: &'a [f32],
    pub w_ih: &'a [f32],
    pub grad_x: Option<&'a mut [f32]>,
    pub grad_w_ih: Option<&'a mut [f32]>,
    pub grad_b_ih: Option<&'a mut [f32]>,
}

impl<'a> InputGrads<'a> {
    /// The input side from optional parts, as a binding receives them: none when neither `x` nor
    /// `w_ih` is given (and no gradient of them is asked for), else both are needed.
    pub fn from_parts(
        x: Option<&'a [f32]>,
        w_ih: Option<&'a [f32]>,
        grad_x: Option<&'a mut [f32]>,
        grad_w_ih: Option<&'a mut [f32]>,
        grad_b_ih: Option<&'a mut [f32]>,
    ) -> KernelResult<Option<Self>> {
        match (x, w_ih) {
            (Some(x), Some(w_ih)) => Ok(Some(InputGrads {
                x,
                w_ih,
                grad_x,
                grad_w_ih,
                grad_b_ih,
            })),
            (None, None) if grad_x.is_none() && grad_w_ih.is_none() && grad_b_ih.is_none() => {
                Ok(None)
            }
            _ => Err(KernelError::value(
                "rnn_backward",
                "the input side needs both x and wIh (and neither without its gradients)",
            )),
        }
    }
}

/// Back-propagation through time of one layer-direction run by [`rnn_forward`] (same buffers).
/// `grad_out` is the gradient of every step's output; `grad_state` comes in as the gradient of
/// the final state (`h_n`, then `c_n` for the LSTM; `h_n`'s may also be folded into `grad_out`)
/// and is overwritten with the gradient of `state0`. `grad_gates` (overwritten) gets the gradient
/// of each step's gate pre-activations (two blocks for the GRU; with a projection, then every
/// step's `h` gradient; see the module comment). `grad_w_hh` (`gates·hidden × r`) and
/// `grad_b_hh` (`gates·hidden`), when given, are overwritten with `Σ_t dGhᵀ·h_prev` and `Σ_t dGh`;
/// `input`, when given, asks for the input side's gradients too.
///
/// Those gradients are formed while the steps run: one task walks the steps (its products and
/// gate loops then run on its own thread) while the other folds each finished block of steps
/// into them, and joins it when the steps are done. NOTE [ Weight gradients beside the
/// recurrence ] in docs/PERFORMANCE.md
#[allow(clippy::too_many_arguments)]
pub fn rnn_backward(
    w_hh: &[f32],
    w_hr: Option<&[f32]>,
    lengths: Option<&[u32]>,
    state0: &[f32],
    out: &[f32],
    saved: &[f32],
    grad_out: &[f32],
    grad_state: &mut [f32],
    grad_gates: &mut [f32],
    grad_w_hh: Option<&mut [f32]>,
    grad_b_hh: Option<&mut [f32]>,
    input: Option<InputGrads<'_>>,
    o: &RnnOptions,
) -> KernelResult {
    const OP: &str = "rnn_backward";
    let d = Dims::new(OP, o)?;
    d.check_common(OP, w_hh, w_hr, lengths, state0, out, saved)?;
    check_len(OP, "gradOut", grad_out.len(), out.len(), "out's")?;
    check_len(OP, "gradState", grad_state.len(), d.state_len(), "state0's")?;
    check_len(
        OP,
        "gradGates",
        grad_gates.len(),
        d.grad_gates_len(),
        "steps·batch·gates·hidden (twice for the GRU; then steps·batch·proj with a projection)",
    )?;
    if let Some(g) = &grad_w_hh {
        check_len(OP, "gradWhh", g.len(), d.gh * d.r, "W_hh's")?;
    }
    if let Some(g) = &grad_b_hh {
        check_len(OP, "gradBhh", g.len(), d.gh, "b_hh's")?;
    }
    let rows = d.steps * d.batch;
    let input_size = match &input {
        Some(i) => {
            if d.gh == 0 || i.w_ih.len() % d.gh != 0 {
                return Err(KernelError::shape(
                    OP,
                    format!(
                        "wIh has {} elements, not a multiple of gates·hidden = {}",
                        i.w_ih.len(),
                        d.gh
                    ),
                ));
            }
            let n = i.w_ih.len() / d.gh;
            check_len(
                OP,
                "x",
                i.x.len(),
                rows * n,
                "steps·batch·input (input from wIh)",
            )?;
            if let Some(g) = &i.grad_x {
                check_len(OP, "gradX", g.len(), rows * n, "x's")?;
            }
            if let Some(g) = &i.grad_w_ih {
                check_len(OP, "gradWih", g.len(), d.gh * n, "W_ih's")?;
            }
            if let Some(g) = &i.grad_b_ih {
                check_len(OP, "gradBih", g.len(), d.gh, "b_ih's")?;
            }
            n
        }
        None => 0,
    };
    let gates = SharedSlice::new(grad_gates);
    let steps = StepArgs {
        d: &d,
        w_hh,
        w_hr,
        lengths,
        state0,
        out,
        saved,
        grad_out,
        gates: &gates,
    };
    let (x, w_ih, grad_x, grad_w_ih, grad_b_ih) = match input {
        Some(i) => (i.x, i.w_ih, i.grad_x, i.grad_w_ih, i.grad_b_ih),
        None => (&[][..], &[][..], None, None, None),
    };
    // Without the GRU's separate hidden block, b_ih's gradient is b_hh's: summed once.
    let shared_bias = d.mode != Mode::Gru && grad_b_hh.is_some() && grad_b_ih.is_some();
    let (bias_ih, bias_ih_copy) = if shared_bias {
        (None, grad_b_ih)
    } else {
        (grad_b_ih, None)
    };
    let mut jobs = Vec::new();
    if grad_w_hh.is_some() || grad_b_hh.is_some() {
        jobs.push(Job::new(
            JobKind::Hidden,
            grad_w_hh,
            grad_b_hh,
            bias_ih_copy,
            &d,
        ));
    }
    if grad_w_ih.is_some() || bias_ih.is_some() {
        jobs.push(Job::new(JobKind::Input, grad_w_ih, bias_ih, None, &d));
    }
    if grad_x.is_some() {
        jobs.push(Job::new(JobKind::GradX, grad_x, None, None, &d));
    }
    if jobs.is_empty() {
        return backward_steps(&steps, grad_state, &|_| {});
    }
    let ctx = JobContext {
        steps: &steps,
        x,
        w_ih,
        input: input_size,
        h_prev: OnceLock::new(),
        w_ih_packed: OnceLock::new(),
    };
    // Steps finished by the step task; `FAILED` tells the other task to stop waiting.
    let done = AtomicUsize::new(0);
    let steps_result = Mutex::new(Ok(()));
    let jobs_result = Mutex::new(Ok(()));
    let grad_state = Mutex::new(grad_state);
    // Two tasks whatever the thread count: on one thread they run in order (the steps, then
    // every job), and each job folds its blocks in the same order on either thread, so every sum
    // is formed the same way.
    threads::run_tasks(2, usize::MAX, |task| {
        if task == 0 {
            let mut gs = grad_state.lock().unwrap_or_else(|e| e.into_inner());
            let r = backward_steps(&steps, &mut gs, &|n| done.store(n, Ordering::Release));
            if r.is_err() {
                done.store(FAILED, Ordering::Release);
            }
            *steps_result.lock().unwrap_or_else(|e| e.into_inner()) = r;
        }
        let r = run_jobs(&ctx, &jobs, &done);
        if r.is_err() {
            *jobs_result.lock().unwrap_or_else(|e| e.into_inner()) = r;
        }
    });
    steps_result
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())?;
    jobs_result
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())?;
    drop(jobs);
    Ok(())
}

/// `done`'s value when the step task failed.
const FAILED: usize = usize::MAX;

/// What the step task and the jobs of [`rnn_backward`] read.
struct StepArgs<'a, 'g> {
    d: &'a Dims,
    w_hh: &'a [f32],
    w_hr: Option<&'a [f32]>,
    lengths: Option<&'a [u32]>,
    state0: &'a [f32],
    out: &'a [f32],
    saved: &'a [f32],
    grad_out: &'a [f32],
    /// `grad_gates`: the step task writes each step's parts; the jobs read finished ones.
    gates: &'a SharedSlice<'g, f32>,
}

/// Processed steps a job folds in at a time (`steps·batch` rows of gate gradients per product).
const JOB_BLOCK_STEPS: usize = 8;
/// The first block (the last processed steps, the first the step task finishes) is shorter, so
/// the jobs start while the step task is still near the start rather than a whole block in
/// (NOTE [ Weight gradients beside the recurrence ] in docs/PERFORMANCE.md).
const JOB_FIRST_BLOCK_STEPS: usize = 2;

/// The first processed step of the job block that ends before processed step `hi`: block sizes
/// depend only on `steps`, so every job folds the same blocks on any thread count.
fn block_start(hi: usize, steps: usize) -> usize {
    hi.saturating_sub(if hi == steps {
        JOB_FIRST_BLOCK_STEPS
    } else {
        JOB_BLOCK_STEPS
    })
}

/// What a job computes from each finished block of steps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JobKind {
    /// `W_hh`'s gradient `Σ dGhᵀ·h_prev` and `b_hh`'s `Σ dGh` (and `b_ih`'s when it is the same).
    Hidden,
    /// `W_ih`'s gradient `Σ dGxᵀ·x` and (GRU) `b_ih`'s `Σ dGx`.
    Input,
    /// The input's gradient `dGx·W_ih`, the block's own rows.
    GradX,
}

/// One job's output buffers and how far it has come; either task may take it (one at a time).
struct Job<'o> {
    state: Mutex<JobState<'o>>,
}

struct JobState<'o> {
    kind: JobKind,
    /// The weight gradient (or the input's gradient for `GradX`).
    out: Option<&'o mut [f32]>,
    bias: Option<&'o mut [f32]>,
    /// A second bias gradient with the same value (`b_ih`'s, when it is `b_hh`'s).
    bias_copy: Option<&'o mut [f32]>,
    bias_sum: Vec<f64>,
    /// Processed steps below which blocks remain (blocks run from the last processed step down).
    hi: usize,
}

impl<'o> Job<'o> {
    fn new(
        kind: JobKind,
        out: Option<&'o mut [f32]>,
        bias: Option<&'o mut [f32]>,
        bias_copy: Option<&'o mut [f32]>,
        d: &Dims,
    ) -> Self {
        let mut out = out;
        if kind != JobKind::GradX {
            if let Some(o) = out.as_deref_mut() {
                o.fill(0.0);
            }
        }
        let bias_sum = vec![0.0f64; if bias.is_some() { d.gh } else { 0 }];
        Job {
            state: Mutex::new(JobState {
                kind,
                out,
                bias,
                bias_copy,
                bias_sum,
                hi: d.steps,
            }),
        }
    }
}

/// What the jobs read besides the step buffers.
struct JobContext<'a, 'g> {
    steps: &'a StepArgs<'a, 'g>,
    x: &'a [f32],
    w_ih: &'a [f32],
    input: usize,
    /// Every step's previous hidden state in time order, built by the first block that needs it.
    h_prev: OnceLock<Vec<f32>>,
    /// `W_ih` packed once for every block's `dGx·W_ih`, by the first block that needs it.
    w_ih_packed: OnceLock<KernelResult<PackedB>>,
}

impl JobContext<'_, '_> {
    fn h_prev(&self) -> &[f32] {
        self.h_prev.get_or_init(|| {
            let a = self.steps;
            let (d, br) = (a.d, a.d.br);
            let mut h = vec![0.0f32; d.steps * br];
            for s in 0..d.steps {
                let src = if s == 0 {
                    &a.state0[..br]
                } else {
                    &a.out[d.time(s - 1) * br..][..br]
                };
                h[d.time(s) * br..][..br].copy_from_slice(src);
            }
            h
        })
    }
}

/// Takes whichever job has a finished block waiting, until every job is done. A job's blocks run
/// in one fixed order (from the last processed step down) whichever task takes them.
fn run_jobs(ctx: &JobContext<'_, '_>, jobs: &[Job<'_>], done: &AtomicUsize) -> KernelResult {
    let steps = ctx.steps.d.steps;
    let mut idle = 0u32;
    loop {
        let finished = done.load(Ordering::Acquire);
        if finished == FAILED {
            return Ok(());
        }
        let mut pending = false;
        let mut progressed = false;
        for job in jobs {
            let Ok(mut st) = job.state.try_lock() else {
                pending = true;
                continue;
            };
            if st.hi == 0 {
                let JobState {
                    bias,
                    bias_copy,
                    bias_sum,
                    ..
                } = &mut *st;
                for out in [bias.take(), bias_copy.take()].into_iter().flatten() {
                    for (o, &v) in out.iter_mut().zip(bias_sum.iter()) {
                        *o = v as f32;
                    }
                }
                continue;
            }
            pending = true;
            let lo = block_start(st.hi, steps);
            if finished < steps - lo {
                continue;
            }
            let r = fold_block(ctx, &mut st, lo);
            if r.is_err() {
                done.store(FAILED, Ordering::Release);
                return r;
            }
            st.hi = lo;
            progressed = true;
        }
        if !pending {
            return Ok(());
        }
        if progressed {
            idle = 0;
        } else {
            idle += 1;
            if idle < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// One job's work for the finished processed steps `lo..st.hi`.
fn fold_block(ctx: &JobContext<'_, '_>, st: &mut JobState<'_>, lo: usize) -> KernelResult {
    let a = ctx.steps;
    let d = a.d;
    let (gh, batch) = (d.gh, d.batch);
    let t0 = d.time(lo).min(d.time(st.hi - 1));
    let rows = (st.hi - lo) * batch;
    let hidden_block = st.kind == JobKind::Hidden && d.mode == Mode::Gru;
    let at = if hidden_block {
        d.steps * batch * gh
    } else {
        0
    };
    // SAFETY: steps lo..hi are finished, and the step task no longer touches their parts.
    let dg: &[f32] = unsafe { a.gates.part(at + t0 * batch * gh, rows * gh) };
    match st.kind {
        JobKind::Hidden => {
            if let Some(g) = st.out.as_deref_mut() {
                let hp = &ctx.h_prev()[t0 * d.br..][..rows * d.r];
                sgemm(true, false, gh, d.r, rows, 1.0, dg, hp, 1.0, g, None)?;
            }
        }
        JobKind::Input => {
            if let Some(g) = st.out.as_deref_mut() {
                let n = ctx.input;
                let xb = &ctx.x[t0 * batch * n..][..rows * n];
                sgemm(true, false, gh, n, rows, 1.0, dg, xb, 1.0, g, None)?;
            }
        }
        JobKind::GradX => {
            if let Some(g) = st.out.as_deref_mut() {
                let n = ctx.input;
                let gx = &mut g[t0 * batch * n..][..rows * n];
                let w = ctx
                    .w_ih_packed
                    .get_or_init(|| PackedB::new(false, gh, n, ctx.w_ih));
                let w = w.as_ref().map_err(Clone::clone)?;
                sgemm_packed_b(rows, 1.0, dg, w, 0.0, gx, None)?;
            }
        }
    }
    if !st.bias_sum.is_empty() {
        for row in dg.chunks_exact(gh) {
            for (acc, &v) in st.bias_sum.iter_mut().zip(row) {
                *acc += v as f64;
            }
        }
    }
    Ok(())
}

/// The step task: the steps from last to first; `finished(n)` after each (n steps done).
fn backward_steps(
    a: &StepArgs<'_, '_>,
    grad_state: &mut [f32],
    finished: &dyn Fn(usize),
) -> KernelResult {
    let (d, w_hh, w_hr, lengths) = (a.d, a.w_hh, a.w_hr, a.lengths);
    let (state0, out, saved, grad_out) = (a.state0, a.out, a.saved, a.grad_out);
    let (bh, br, gh, hid, r, batch) = (d.bh, d.br, d.gh, d.hidden, d.r, d.batch);
    let step_g = batch * gh;
    let lstm = d.mode == Mode::Lstm;
    let (gate_part, rest_part) =
        saved.split_at(d.steps * step_g * usize::from(lstm || d.mode == Mode::Gru));
    let cell_part = &rest_part[..if d.proj {
        d.steps * bh
    } else {
        rest_part.len()
    }];
    // Parts of `grad_gates`: each step's x-side gate gradients, the GRU's hidden-side ones, and
    // with a projection each step's `h` gradient. SAFETY (every `part` below): a step only
    // touches its own parts, and the weight task reads only finished steps'.
    let rest_at = d.steps * step_g;
    let gx_of = |t: usize| unsafe { a.gates.part(t * step_g, step_g) };
    let gh_of = |t: usize| unsafe { a.gates.part(rest_at + t * step_g, step_g) };
    let dh_of = |t: usize| unsafe { a.gates.part(rest_at + t * br, br) };
    // The gradient flowing into the previous step's hidden (and cell) state.
    let mut dh_carry = grad_state[..br].to_vec();
    let mut dc_carry = if lstm {
        grad_state[br..].to_vec()
    } else {
        Vec::new()
    };
    let mut dh = vec![0.0f32; br];
    // The gradient of `o·tanh(c)` with a projection (`dh·W_hr`).
    let mut dm = vec![0.0f32; if d.proj { bh } else { 0 }];
    for s in (0..d.steps).rev() {
        let t = d.time(s);
        // The cell state this step started from: the previous processed step's, or the initial.
        let c_prev: &[f32] = if !lstm {
            &[]
        } else if s == 0 {
            &state0[br..]
        } else {
            &cell_part[d.time(s - 1) * bh..][..bh]
        };
        let h_prev: &[f32] = if s == 0 {
            &state0[..br]
        } else {
            &out[d.time(s - 1) * br..][..br]
        };
        for ((v, &g), &c) in dh.iter_mut().zip(&grad_out[t * br..][..br]).zip(&dh_carry) {
            *v = g + c;
        }
        // What reaches h_prev other than through W_hh: a carried row's whole gradient, the GRU's
        // direct path through z; the GEMM below adds the W_hh path.
        for b in 0..batch {
            let keep = !valid(lengths, t, b);
            let (dst, src) = (&mut dh_carry[b * r..][..r], &dh[b * r..][..r]);
            if keep {
                dst.copy_from_slice(src);
            } else {
                dst.fill(0.0);
            }
        }
        let y = &out[t * br..][..br];
        let gx = gx_of(t);
        match d.mode {
            Mode::Tanh | Mode::Relu => {
                let relu = d.mode == Mode::Relu;
                for b in 0..batch {
                    let gr = &mut gx[b * gh..][..gh];
                    if !valid(lengths, t, b) {
                        gr.fill(0.0);
                        continue;
                    }
                    for ((g, &dy), &y) in gr
                        .iter_mut()
                        .zip(&dh[b * hid..][..hid])
                        .zip(&y[b * hid..][..hid])
                    {
                        *g = if relu {
                            if y > 0.0 {
                                dy
                            } else {
                                0.0
                            }
                        } else {
                            dy * (1.0 - y * y)
                        };
                    }
                }
            }
            Mode::Lstm => {
                let gates = &gate_part[t * step_g..][..step_g];
                let cells = &cell_part[t * bh..][..bh];
                let dm: &[f32] = if let Some(w) = w_hr {
                    let dh_t = dh_of(t);
                    dh_t.copy_from_slice(&dh);
                    for b in 0..batch {
                        if !valid(lengths, t, b) {
                            dh_t[b * r..][..r].fill(0.0);
                        }
                    }
                    // dm = dh·W_hr: (batch × proj)·(proj × hidden).
                    sgemm(
                        false, false, batch, hid, r, 1.0, dh_t, w, 0.0, &mut dm, None,
                    )?;
                    &dm
                } else {
                    &dh
                };
                let (gx, dc) = (SharedSlice::new(gx), SharedSlice::new(&mut dc_carry));
                let (tasks, work) = row_tasks(d);
                threads::run_tasks(tasks, work, |task| {
                    for b in task_rows(task, tasks, batch) {
                        // SAFETY: each batch row belongs to one task, and these are its parts.
                        let (gg, dcr) = unsafe { (gx.part(b * gh, gh), dc.part(b * hid, hid)) };
                        if !valid(lengths, t, b) {
                            gg.fill(0.0);
                            continue;
                        }
                        gates::lstm_backward_row(
                            d.simd,
                            LstmBackRow {
                                gates: &gates[b * gh..][..gh],
                                cells: &cells[b * hid..][..hid],
                                c_prev: &c_prev[b * hid..][..hid],
                                dm: &dm[b * hid..][..hid],
                                dc: dcr,
                                dgates: gg,
                            },
                        );
                    }
                });
            }
            Mode::Gru => {
                let gates = &gate_part[t * step_g..][..step_g];
                let hns = &cell_part[t * bh..][..bh];
                let gh_step = gh_of(t);
                for b in 0..batch {
                    let (gxr, ghr) = (&mut gx[b * gh..][..gh], &mut gh_step[b * gh..][..gh]);
                    if !valid(lengths, t, b) {
                        gxr.fill(0.0);
                        ghr.fill(0.0);
                        continue;
                    }
                    let gr = &gates[b * gh..][..gh];
                    for j in 0..hid {
                        let k = b * hid + j;
                        let (r, z, n) = (gr[j], gr[hid + j], gr[2 * hid + j]);
                        let dn = dh[k] * (1.0 - z) * (1.0 - n * n);
                        let dz = dh[k] * (h_prev[k] - n) * z * (1.0 - z);
                        let dr = dn * hns[k] * r * (1.0 - r);
                        gxr[j] = dr;
                        gxr[hid + j] = dz;
                        gxr[2 * hid + j] = dn;
                        ghr[j] = dr;
                        ghr[hid + j] = dz;
                        ghr[2 * hid + j] = dn * r;
                        // The direct path h_prev → h through z.
                        dh_carry[k] = dh[k] * z;
                    }
                }
            }
        }
        // dh_prev += dGates_hh · W_hh: (batch × gh)·(gh × r).
        let dg: &[f32] = if d.mode == Mode::Gru {
            gh_of(t)
        } else {
            gx_of(t)
        };
        sgemm(
            false,
            false,
            batch,
            r,
            gh,
            1.0,
            dg,
            w_hh,
            1.0,
            &mut dh_carry,
            None,
        )?;
        finished(d.steps - s);
    }
    grad_state[..br].copy_from_slice(&dh_carry);
    if lstm {
        grad_state[br..].copy_from_slice(&dc_carry);
    }
    Ok(())
}
