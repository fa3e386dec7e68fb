use super::*;
use crate::test_util::data;

/// A plain f64 loop over steps of one layer-direction: the cell equations as PyTorch's docs write
/// them, with no GEMM and no saved buffers. Returns every step's h (time order) and the final c.
fn reference(
    mode: Mode,
    x_proj: &[f64],
    w_hh: &[f64],
    b_hh: Option<&[f64]>,
    state0: &[f64],
    o: &RnnOptions,
) -> (Vec<f64>, Vec<f64>) {
    let (b_n, h_n, g) = (o.batch, o.hidden, mode.gates());
    let gh = g * h_n;
    let mut h: Vec<f64> = state0[..b_n * h_n].to_vec();
    let mut c: Vec<f64> = if mode == Mode::Lstm {
        state0[b_n * h_n..].to_vec()
    } else {
        vec![]
    };
    let mut out = vec![0.0; o.steps * b_n * h_n];
    let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    for s in 0..o.steps {
        let t = if o.reverse { o.steps - 1 - s } else { s };
        let mut next = vec![0.0; b_n * h_n];
        for b in 0..b_n {
            // hh[row] = Σ_k W_hh[row, k]·h[b, k] + b_hh[row]
            let hh: Vec<f64> = (0..gh)
                .map(|row| {
                    (0..h_n)
                        .map(|k| w_hh[row * h_n + k] * h[b * h_n + k])
                        .sum::<f64>()
                        + b_hh.map_or(0.0, |v| v[row])
                })
                .collect();
            let xp = |row: usize| x_proj[(t * b_n + b) * gh + row];
            for j in 0..h_n {
                next[b * h_n + j] = match mode {
                    Mode::Tanh => (xp(j) + hh[j]).tanh(),
                    Mode::Relu => (xp(j) + hh[j]).max(0.0),
                    Mode::Lstm => {
                        let i = sig(xp(j) + hh[j]);
                        let f = sig(xp(h_n + j) + hh[h_n + j]);
                        let gg = (xp(2 * h_n + j) + hh[2 * h_n + j]).tanh();
                        let og = sig(xp(3 * h_n + j) + hh[3 * h_n + j]);
                        c[b * h_n + j] = f * c[b * h_n + j] + i * gg;
                        og * c[b * h_n + j].tanh()
                    }
                    Mode::Gru => {
                        let r = sig(xp(j) + hh[j]);
                        let z = sig(xp(h_n + j) + hh[h_n + j]);
                        let n = (xp(2 * h_n + j) + r * hh[2 * h_n + j]).tanh();
                        (1.0 - z) * n + z * h[b * h_n + j]
                    }
                };
            }
        }
        out[t * b_n * h_n..][..b_n * h_n].copy_from_slice(&next);
        h = next;
    }
    (out, c)
}

fn f64s(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

struct Case {
    mode: Mode,
    o: RnnOptions,
    x_proj: Vec<f32>,
    w_hh: Vec<f32>,
    b_hh: Option<Vec<f32>>,
    state0: Vec<f32>,
    g_out: Vec<f32>,
    g_state: Vec<f32>,
}

fn case(code: u32, steps: usize, batch: usize, hidden: usize, reverse: bool, bias: bool) -> Case {
    let mode = Mode::from_code(code).unwrap();
    let gh = mode.gates() * hidden;
    let o = RnnOptions {
        mode: code,
        steps,
        batch,
        hidden,
        reverse,
    };
    let state_len = if mode == Mode::Lstm { 2 } else { 1 } * batch * hidden;
    Case {
        mode,
        o,
        x_proj: data(steps * batch * gh, 1 + code as u64, -1.5, 1.5),
        w_hh: data(gh * hidden, 11 + code as u64, -0.6, 0.6),
        b_hh: bias.then(|| data(gh, 21, -0.5, 0.5)),
        state0: data(state_len, 31, -0.8, 0.8),
        g_out: data(steps * batch * hidden, 41, -1.0, 1.0),
        g_state: data(state_len, 51, -1.0, 1.0),
    }
}

/// The scalar the backward differentiates: Σ out·g_out + Σ h_n·g_h + Σ c_n·g_c.
fn objective(c: &Case, x_proj: &[f64], w_hh: &[f64], b_hh: Option<&[f64]>, state0: &[f64]) -> f64 {
    let (out, cn) = reference(c.mode, x_proj, w_hh, b_hh, state0, &c.o);
    let bh = c.o.batch * c.o.hidden;
    let last = if c.o.reverse { 0 } else { c.o.steps - 1 };
    let gs = f64s(&c.g_state);
    let mut v: f64 = out.iter().zip(&c.g_out).map(|(a, &g)| a * g as f64).sum();
    v += out[last * bh..][..bh]
        .iter()
        .zip(&gs)
        .map(|(a, g)| a * g)
        .sum::<f64>();
    v += cn.iter().zip(&gs[bh..]).map(|(a, g)| a * g).sum::<f64>();
    v
}

/// Central differences of `objective` with respect to element `i` of one of its inputs.
fn numeric(c: &Case, which: usize, i: usize) -> f64 {
    let eps = 1e-6;
    let mut args = [
        f64s(&c.x_proj),
        f64s(&c.w_hh),
        f64s(c.b_hh.as_deref().unwrap_or(&[])),
        f64s(&c.state0),
    ];
    let base = args[which][i];
    let mut at = |v: f64| {
        args[which][i] = v;
        let b = c.b_hh.as_ref().map(|_| &args[2][..]);
        objective(c, &args[0], &args[1], b, &args[3])
    };
    (at(base + eps) - at(base - eps)) / (2.0 * eps)
}

fn run(c: &Case) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let d = Dims::new("test", &c.o).unwrap();
    let mut out = vec![0.0; c.o.steps * d.bh];
    let mut saved = vec![0.0; d.saved_len()];
    rnn_forward(
        &c.x_proj,
        &c.w_hh,
        c.b_hh.as_deref(),
        &c.state0,
        &mut out,
        &mut saved,
        &c.o,
    )
    .unwrap();
    let mut g_out = c.g_out.clone();
    // h_n's gradient folded into the last processed step's output gradient, as the TS op does.
    let last = if c.o.reverse { 0 } else { c.o.steps - 1 };
    for (g, &s) in g_out[last * d.bh..][..d.bh].iter_mut().zip(&c.g_state) {
        *g += s;
    }
    let mut g_state = c.g_state.clone();
    g_state[..d.bh].fill(0.0);
    let mut g_gates = vec![0.0; d.grad_gates_len()];
    rnn_backward(
        &c.w_hh,
        &c.state0,
        &out,
        &saved,
        &g_out,
        &mut g_state,
        &mut g_gates,
        &c.o,
    )
    .unwrap();
    (out, saved, g_state, g_gates)
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 2e-4 + 2e-4 * want.abs(),
        "{what}: got {got}, expected {want}"
    );
}

#[test]
fn forward_and_backward_match_a_reference_loop() {
    for code in 0..4 {
        for &(steps, batch, hidden, reverse, bias) in &[
            (1, 1, 1, false, true),
            (4, 3, 5, false, true),
            (4, 3, 5, true, true),
            (3, 2, 4, false, false),
            (5, 1, 3, true, false),
        ] {
            let c = case(code, steps, batch, hidden, reverse, bias);
            let what = format!("mode {code} steps {steps} batch {batch} hidden {hidden} reverse {reverse} bias {bias}");
            let (out, saved, g_state, g_gates) = run(&c);
            let b64 = c.b_hh.as_ref().map(|b| f64s(b));
            let (want, cn) = reference(
                c.mode,
                &f64s(&c.x_proj),
                &f64s(&c.w_hh),
                b64.as_deref(),
                &f64s(&c.state0),
                &c.o,
            );
            for (i, (&g, &w)) in out.iter().zip(&want).enumerate() {
                close(g as f64, w, &format!("{what}: out[{i}]"));
            }
            if c.mode == Mode::Lstm {
                let bh = batch * hidden;
                let last = if reverse { 0 } else { steps - 1 };
                let cells = &saved[steps * batch * 4 * hidden..];
                for (j, &w) in cn.iter().enumerate() {
                    close(cells[last * bh + j] as f64, w, &format!("{what}: c_n[{j}]"));
                }
            }
            // x_proj's gradient is the first block of the gate gradients.
            let gh = c.mode.gates() * hidden;
            for (i, &g) in g_gates[..c.x_proj.len()].iter().enumerate() {
                close(
                    g as f64,
                    numeric(&c, 0, i),
                    &format!("{what}: dXProj[{i}]"),
                );
            }
            for (i, &g) in g_state.iter().enumerate() {
                close(
                    g as f64,
                    numeric(&c, 3, i),
                    &format!("{what}: dState0[{i}]"),
                );
            }
            // W_hh's and b_hh's gradients from the hidden-side gate gradients, as the TS op forms
            // them: Σ_t dGhᵀ·h_prev and Σ_t dGh.
            let dgh = if c.mode == Mode::Gru {
                &g_gates[steps * batch * gh..]
            } else {
                &g_gates[..]
            };
            let bh = batch * hidden;
            for row in 0..gh {
                for k in 0..hidden {
                    let mut got = 0.0f64;
                    for s in 0..steps {
                        let t = if reverse { steps - 1 - s } else { s };
                        let prev = if s == 0 {
                            &c.state0[..bh]
                        } else {
                            let tp = if reverse { steps - s } else { s - 1 };
                            &out[tp * bh..][..bh]
                        };
                        for b in 0..batch {
                            got += dgh[(t * batch + b) * gh + row] as f64
                                * prev[b * hidden + k] as f64;
                        }
                    }
                    close(
                        got,
                        numeric(&c, 1, row * hidden + k),
                        &format!("{what}: dWhh[{row},{k}]"),
                    );
                }
                if bias {
                    let got: f64 = (0..steps * batch).map(|r| dgh[r * gh + row] as f64).sum();
                    close(got, numeric(&c, 2, row), &format!("{what}: dBhh[{row}]"));
                }
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    for code in 0..4 {
        let c = case(code, 6, 17, 40, code % 2 == 1, true);
        let (one, two) = crate::test_util::at_1_and_2_threads(|| run(&c));
        crate::test_util::assert_same(&one.0, &two.0, "out");
        crate::test_util::assert_same(&one.1, &two.1, "saved");
        crate::test_util::assert_same(&one.2, &two.2, "gradState");
        crate::test_util::assert_same(&one.3, &two.3, "gradGates");
    }
}

#[test]
fn bad_lengths_and_modes_are_errors_not_panics() {
    let c = case(2, 3, 2, 4, false, true);
    let o = c.o;
    let d = Dims::new("test", &o).unwrap();
    let mut out = vec![0.0; o.steps * d.bh];
    let mut saved = vec![0.0; d.saved_len()];
    let e = rnn_forward(
        &c.x_proj[1..],
        &c.w_hh,
        None,
        &c.state0,
        &mut out,
        &mut saved,
        &o,
    )
    .unwrap_err();
    assert_eq!(e.kind, crate::ErrorKind::Length);
    assert!(e.message.starts_with("xProj has"), "{}", e.message);
    let e = rnn_forward(
        &c.x_proj,
        &c.w_hh,
        None,
        &c.state0[1..],
        &mut out,
        &mut saved,
        &o,
    )
    .unwrap_err();
    assert!(e.message.starts_with("state0 has"), "{}", e.message);
    let e = rnn_forward(
        &c.x_proj,
        &c.w_hh,
        None,
        &c.state0,
        &mut out,
        &mut saved[1..],
        &o,
    )
    .unwrap_err();
    assert!(e.message.starts_with("saved has"), "{}", e.message);
    let bad = RnnOptions { mode: 7, ..o };
    let e = rnn_forward(
        &c.x_proj, &c.w_hh, None, &c.state0, &mut out, &mut saved, &bad,
    )
    .unwrap_err();
    assert_eq!(e.kind, crate::ErrorKind::Value);
    let huge = RnnOptions {
        steps: usize::MAX / 2,
        ..o
    };
    assert_eq!(
        rnn_forward(&c.x_proj, &c.w_hh, None, &c.state0, &mut out, &mut saved, &huge)
            .unwrap_err()
            .kind,
        crate::ErrorKind::Shape
    );
    let mut gs = vec![0.0; 2 * d.bh];
    let mut gg = vec![0.0; 5];
    let e = rnn_backward(
        &c.w_hh,
        &c.state0,
        &out,
        &saved,
        &out.clone(),
        &mut gs,
        &mut gg,
        &o,
    )
    .unwrap_err();
    assert!(e.message.starts_with("gradGates has"), "{}", e.message);
}
