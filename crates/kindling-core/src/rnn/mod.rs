//! The time loop of one recurrent layer in one direction (`nn.RNN`, `nn.LSTM`, `nn.GRU`), forward
//! and backward through time, so a layer costs one native call each way instead of one per step.
//!
//! The caller projects the input of every step at once (`x_proj = x·W_ihᵀ + b_ih`, one GEMM over
//! `steps·batch` rows, outside this module); here each step is one `sgemm` of the previous hidden
//! state by `W_hh` (plus `b_hh` as the GEMM's bias row) followed by the gate nonlinearities fused
//! in one pass. Gate layouts are PyTorch's: LSTM `i, f, g, o`; GRU `r, z, n` with
//! `n = tanh(x_n + r·(W_hn·h + b_hn))` (the hidden bias inside the reset product).
//!
//! Buffers are time-major (`steps × batch × …`); `reverse` walks the steps from last to first
//! (the backward direction of a bidirectional layer) but keeps every buffer in time order.
//! `saved` holds what the backward reads and the output does not: LSTM the four gate activations
//! then the cell state of every step (`steps·batch·4H`, then `steps·batch·H`); GRU the three gate
//! activations then `W_hn·h + b_hn` (`steps·batch·3H`, then `steps·batch·H`); RNN nothing.
//!
//! The backward returns the gradient of each step's gate pre-activations; the caller turns them
//! into the weight, bias and input gradients with one GEMM each over all steps, which is
//! cheaper than accumulating per step here. For the GRU the `n` gate's pre-activation differs
//! between its input part and its hidden part (the latter is multiplied by `r`), so its gate
//! gradient comes in two blocks: with respect to `x_proj`, then with respect to `h·W_hhᵀ + b_hh`.
use crate::error::{check_len, KernelError, KernelResult};
use crate::gemm::sgemm;
use crate::options::Packed;

#[cfg(test)]
mod tests;

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
}

impl Packed for RnnOptions {
    const OP: &'static str = "rnn";
    const FIELDS: &'static [&'static str] = &["mode", "steps", "batch", "hidden", "reverse"];
    fn from_fields(v: &[f64]) -> Self {
        RnnOptions {
            mode: v[0] as u32,
            steps: v[1] as usize,
            batch: v[2] as usize,
            hidden: v[3] as usize,
            reverse: v[4] != 0.0,
        }
    }
}

/// The validated sizes every loop uses.
struct Dims {
    mode: Mode,
    steps: usize,
    /// `batch · hidden`: one step of output.
    bh: usize,
    /// `gates · hidden`: one row of a step's pre-activations.
    gh: usize,
    batch: usize,
    hidden: usize,
    reverse: bool,
}

impl Dims {
    fn new(op: &'static str, o: &RnnOptions) -> KernelResult<Dims> {
        let mode = Mode::from_code(o.mode)
            .ok_or_else(|| KernelError::value(op, format!("mode must be 0..=3, got {}", o.mode)))?;
        let too_large = || KernelError::shape(op, "sizes are too large".to_string());
        let gh = mode.gates().checked_mul(o.hidden).ok_or_else(too_large)?;
        let bh = o.batch.checked_mul(o.hidden).ok_or_else(too_large)?;
        // Every buffer is at most steps·batch·5·hidden long; checking that bounds all of them.
        o.steps
            .checked_mul(bh)
            .and_then(|v| v.checked_mul(5))
            .ok_or_else(too_large)?;
        Ok(Dims {
            mode,
            steps: o.steps,
            bh,
            gh,
            batch: o.batch,
            hidden: o.hidden,
            reverse: o.reverse,
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
            2 * self.bh
        } else {
            self.bh
        }
    }

    /// Length of `saved` (see the module comment).
    pub fn saved_len(&self) -> usize {
        match self.mode {
            Mode::Tanh | Mode::Relu => 0,
            Mode::Lstm => self.steps * self.bh * 5,
            Mode::Gru => self.steps * self.bh * 4,
        }
    }

    fn grad_gates_len(&self) -> usize {
        let one = self.steps * self.batch * self.gh;
        if self.mode == Mode::Gru {
            2 * one
        } else {
            one
        }
    }

    fn check_common(
        &self,
        op: &'static str,
        w_hh: &[f32],
        state0: &[f32],
        out: &[f32],
        saved: &[f32],
    ) -> KernelResult {
        let sizes = format!(
            "steps {}, batch {}, hidden {}, {} gate(s)",
            self.steps,
            self.batch,
            self.hidden,
            self.mode.gates()
        );
        check_len(op, "wHh", w_hh.len(), self.gh * self.hidden, &sizes)?;
        check_len(op, "state0", state0.len(), self.state_len(), &sizes)?;
        check_len(op, "out", out.len(), self.steps * self.bh, &sizes)?;
        check_len(op, "saved", saved.len(), self.saved_len(), &sizes)?;
        Ok(())
    }
}

#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Runs one layer-direction: `out` gets the hidden state of every step (in time order), `saved`
/// what the backward needs. The final hidden state is `out`'s last processed step; the LSTM's
/// final cell state is `saved`'s cell of that step.
#[allow(clippy::too_many_arguments)]
pub fn rnn_forward(
    x_proj: &[f32],
    w_hh: &[f32],
    b_hh: Option<&[f32]>,
    state0: &[f32],
    out: &mut [f32],
    saved: &mut [f32],
    o: &RnnOptions,
) -> KernelResult {
    const OP: &str = "rnn_forward";
    let d = Dims::new(OP, o)?;
    d.check_common(OP, w_hh, state0, out, saved)?;
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
    let (bh, gh, hid) = (d.bh, d.gh, d.hidden);
    // The running state, copied rather than borrowed from `out` so `out` can be written.
    let mut h = state0[..bh].to_vec();
    let mut c = if d.mode == Mode::Lstm {
        state0[bh..].to_vec()
    } else {
        Vec::new()
    };
    let mut hh = vec![0.0f32; d.batch * gh];
    let (gate_part, rest_part) = saved.split_at_mut(
        d.steps * d.batch * gh * usize::from(d.mode == Mode::Lstm || d.mode == Mode::Gru),
    );
    for s in 0..d.steps {
        let t = d.time(s);
        sgemm(
            false, true, d.batch, gh, hid, 1.0, &h, w_hh, 0.0, &mut hh, b_hh,
        )?;
        let xp = &x_proj[t * d.batch * gh..][..d.batch * gh];
        let y = &mut out[t * bh..][..bh];
        match d.mode {
            Mode::Tanh | Mode::Relu => {
                let relu = d.mode == Mode::Relu;
                for ((y, &a), &b) in y.iter_mut().zip(xp).zip(&hh) {
                    let v = a + b;
                    *y = if relu { v.max(0.0) } else { v.tanh() };
                }
            }
            Mode::Lstm => {
                let gates = &mut gate_part[t * d.batch * gh..][..d.batch * gh];
                let cells = &mut rest_part[t * bh..][..bh];
                for b in 0..d.batch {
                    let (xr, hr) = (&xp[b * gh..][..gh], &hh[b * gh..][..gh]);
                    let gr = &mut gates[b * gh..][..gh];
                    for j in 0..hid {
                        let i = sigmoid(xr[j] + hr[j]);
                        let f = sigmoid(xr[hid + j] + hr[hid + j]);
                        let g = (xr[2 * hid + j] + hr[2 * hid + j]).tanh();
                        let og = sigmoid(xr[3 * hid + j] + hr[3 * hid + j]);
                        let cn = f * c[b * hid + j] + i * g;
                        c[b * hid + j] = cn;
                        cells[b * hid + j] = cn;
                        y[b * hid + j] = og * cn.tanh();
                        gr[j] = i;
                        gr[hid + j] = f;
                        gr[2 * hid + j] = g;
                        gr[3 * hid + j] = og;
                    }
                }
            }
            Mode::Gru => {
                let gates = &mut gate_part[t * d.batch * gh..][..d.batch * gh];
                let hns = &mut rest_part[t * bh..][..bh];
                for b in 0..d.batch {
                    let (xr, hr) = (&xp[b * gh..][..gh], &hh[b * gh..][..gh]);
                    let gr = &mut gates[b * gh..][..gh];
                    for j in 0..hid {
                        let r = sigmoid(xr[j] + hr[j]);
                        let z = sigmoid(xr[hid + j] + hr[hid + j]);
                        let hn = hr[2 * hid + j];
                        let n = (xr[2 * hid + j] + r * hn).tanh();
                        let hp = h[b * hid + j];
                        y[b * hid + j] = (1.0 - z) * n + z * hp;
                        gr[j] = r;
                        gr[hid + j] = z;
                        gr[2 * hid + j] = n;
                        hns[b * hid + j] = hn;
                    }
                }
            }
        }
        h.copy_from_slice(y);
    }
    Ok(())
}

/// Back-propagation through time of one layer-direction run by [`rnn_forward`] (same buffers).
/// `grad_out` is the gradient of every step's output; `grad_state` comes in as the gradient of
/// the final state (`h_n`, then `c_n` for the LSTM; `h_n`'s may also be folded into `grad_out`)
/// and is overwritten with the gradient of `state0`. `grad_gates` (overwritten) gets the gradient
/// of each step's gate pre-activations (two blocks for the GRU; see the module comment).
#[allow(clippy::too_many_arguments)]
pub fn rnn_backward(
    w_hh: &[f32],
    state0: &[f32],
    out: &[f32],
    saved: &[f32],
    grad_out: &[f32],
    grad_state: &mut [f32],
    grad_gates: &mut [f32],
    o: &RnnOptions,
) -> KernelResult {
    const OP: &str = "rnn_backward";
    let d = Dims::new(OP, o)?;
    d.check_common(OP, w_hh, state0, out, saved)?;
    check_len(OP, "gradOut", grad_out.len(), out.len(), "out's")?;
    check_len(OP, "gradState", grad_state.len(), d.state_len(), "state0's")?;
    check_len(
        OP,
        "gradGates",
        grad_gates.len(),
        d.grad_gates_len(),
        "steps·batch·gates·hidden (twice for the GRU)",
    )?;
    let (bh, gh, hid, batch) = (d.bh, d.gh, d.hidden, d.batch);
    let step_g = batch * gh;
    let (gate_part, rest_part) =
        saved.split_at(d.steps * step_g * usize::from(d.mode == Mode::Lstm || d.mode == Mode::Gru));
    let (gx_all, gh_all) = grad_gates.split_at_mut(d.steps * step_g);
    // The gradient flowing into the previous step's hidden (and cell) state.
    let mut dh_carry = grad_state[..bh].to_vec();
    let mut dc_carry = if d.mode == Mode::Lstm {
        grad_state[bh..].to_vec()
    } else {
        Vec::new()
    };
    let mut dh = vec![0.0f32; bh];
    for s in (0..d.steps).rev() {
        let t = d.time(s);
        // The state this step started from: the previous processed step's, or the initial one.
        let (h_prev, c_prev): (&[f32], &[f32]) = if s == 0 {
            (
                &state0[..bh],
                if d.mode == Mode::Lstm {
                    &state0[bh..]
                } else {
                    &[]
                },
            )
        } else {
            let tp = d.time(s - 1);
            (
                &out[tp * bh..][..bh],
                if d.mode == Mode::Lstm {
                    &rest_part[tp * bh..][..bh]
                } else {
                    &[]
                },
            )
        };
        for ((v, &g), &c) in dh.iter_mut().zip(&grad_out[t * bh..][..bh]).zip(&dh_carry) {
            *v = g + c;
        }
        let y = &out[t * bh..][..bh];
        let gx = &mut gx_all[t * step_g..][..step_g];
        match d.mode {
            Mode::Tanh | Mode::Relu => {
                let relu = d.mode == Mode::Relu;
                for ((g, &dy), &y) in gx.iter_mut().zip(&dh).zip(y) {
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
            Mode::Lstm => {
                let gates = &gate_part[t * step_g..][..step_g];
                let cells = &rest_part[t * bh..][..bh];
                for b in 0..batch {
                    let gr = &gates[b * gh..][..gh];
                    let gg = &mut gx[b * gh..][..gh];
                    for j in 0..hid {
                        let k = b * hid + j;
                        let (i, f, g, og) = (gr[j], gr[hid + j], gr[2 * hid + j], gr[3 * hid + j]);
                        let tc = cells[k].tanh();
                        let dc = dc_carry[k] + dh[k] * og * (1.0 - tc * tc);
                        gg[j] = dc * g * i * (1.0 - i);
                        gg[hid + j] = dc * c_prev[k] * f * (1.0 - f);
                        gg[2 * hid + j] = dc * i * (1.0 - g * g);
                        gg[3 * hid + j] = dh[k] * tc * og * (1.0 - og);
                        dc_carry[k] = dc * f;
                    }
                }
            }
            Mode::Gru => {
                let gates = &gate_part[t * step_g..][..step_g];
                let hns = &rest_part[t * bh..][..bh];
                let gh_step = &mut gh_all[t * step_g..][..step_g];
                for b in 0..batch {
                    let gr = &gates[b * gh..][..gh];
                    let (gxr, ghr) = (&mut gx[b * gh..][..gh], &mut gh_step[b * gh..][..gh]);
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
        // dh_prev (+)= dGates_hh · W_hh: (batch × gh)·(gh × hidden).
        let (dg, beta) = if d.mode == Mode::Gru {
            (&gh_all[t * step_g..][..step_g], 1.0)
        } else {
            (&gx_all[t * step_g..][..step_g], 0.0)
        };
        sgemm(
            false,
            false,
            batch,
            hid,
            gh,
            1.0,
            dg,
            w_hh,
            beta,
            &mut dh_carry,
            None,
        )?;
    }
    grad_state[..bh].copy_from_slice(&dh_carry);
    if d.mode == Mode::Lstm {
        grad_state[bh..].copy_from_slice(&dc_carry);
    }
    Ok(())
}
