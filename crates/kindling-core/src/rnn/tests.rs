use super::*;
use crate::test_util::data;

/// A plain f64 loop over steps of one layer-direction: the cell equations as PyTorch's docs write
/// them, with no GEMM and no saved buffers; rows past their length carry their state. Returns
/// every step's h (time order) and the final c.
#[allow(clippy::too_many_arguments)]
fn reference(
    mode: Mode,
    x_proj: &[f64],
    w_hh: &[f64],
    b_hh: Option<&[f64]>,
    w_hr: Option<&[f64]>,
    lengths: Option<&[u32]>,
    state0: &[f64],
    o: &RnnOptions,
) -> (Vec<f64>, Vec<f64>) {
    let (b_n, h_n, g) = (o.batch, o.hidden, mode.gates());
    let r_n = if o.proj > 0 { o.proj } else { h_n };
    let gh = g * h_n;
    let mut h: Vec<f64> = state0[..b_n * r_n].to_vec();
    let mut c: Vec<f64> = if mode == Mode::Lstm {
        state0[b_n * r_n..].to_vec()
    } else {
        vec![]
    };
    let mut out = vec![0.0; o.steps * b_n * r_n];
    let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    for s in 0..o.steps {
        let t = if o.reverse { o.steps - 1 - s } else { s };
        let mut next = h.clone();
        for b in 0..b_n {
            if lengths.is_some_and(|l| t >= l[b] as usize) {
                continue;
            }
            // hh[row] = Σ_k W_hh[row, k]·h[b, k] + b_hh[row]
            let hh: Vec<f64> = (0..gh)
                .map(|row| {
                    (0..r_n)
                        .map(|k| w_hh[row * r_n + k] * h[b * r_n + k])
                        .sum::<f64>()
                        + b_hh.map_or(0.0, |v| v[row])
                })
                .collect();
            let xp = |row: usize| x_proj[(t * b_n + b) * gh + row];
            let mut m = vec![0.0; h_n];
            for j in 0..h_n {
                m[j] = match mode {
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
            for p in 0..r_n {
                next[b * r_n + p] = match w_hr {
                    Some(w) => (0..h_n).map(|j| w[p * h_n + j] * m[j]).sum(),
                    None => m[p],
                };
            }
        }
        out[t * b_n * r_n..][..b_n * r_n].copy_from_slice(&next);
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
    w_hr: Option<Vec<f32>>,
    lengths: Option<Vec<u32>>,
    state0: Vec<f32>,
    g_out: Vec<f32>,
    g_state: Vec<f32>,
}

fn case(code: u32, steps: usize, batch: usize, hidden: usize, reverse: bool, bias: bool) -> Case {
    case_with(code, steps, batch, hidden, reverse, bias, 0, None)
}

#[allow(clippy::too_many_arguments)]
fn case_with(
    code: u32,
    steps: usize,
    batch: usize,
    hidden: usize,
    reverse: bool,
    bias: bool,
    proj: usize,
    lengths: Option<Vec<u32>>,
) -> Case {
    let mode = Mode::from_code(code).unwrap();
    let gh = mode.gates() * hidden;
    let r = if proj > 0 { proj } else { hidden };
    let o = RnnOptions {
        mode: code,
        steps,
        batch,
        hidden,
        reverse,
        proj,
    };
    let state_len = batch * r
        + if mode == Mode::Lstm {
            batch * hidden
        } else {
            0
        };
    Case {
        mode,
        o,
        x_proj: data(steps * batch * gh, 1 + code as u64, -1.5, 1.5),
        w_hh: data(gh * r, 11 + code as u64, -0.6, 0.6),
        b_hh: bias.then(|| data(gh, 21, -0.5, 0.5)),
        w_hr: (proj > 0).then(|| data(r * hidden, 61, -0.7, 0.7)),
        lengths,
        state0: data(state_len, 31, -0.8, 0.8),
        g_out: data(steps * batch * r, 41, -1.0, 1.0),
        g_state: data(state_len, 51, -1.0, 1.0),
    }
}

/// The scalar the backward differentiates: Σ out·g_out + Σ h_n·g_h + Σ c_n·g_c.
fn objective(c: &Case, args: &[Vec<f64>; 5]) -> f64 {
    let b = c.b_hh.as_ref().map(|_| &args[2][..]);
    let w_hr = c.w_hr.as_ref().map(|_| &args[4][..]);
    let (out, cn) = reference(
        c.mode,
        &args[0],
        &args[1],
        b,
        w_hr,
        c.lengths.as_deref(),
        &args[3],
        &c.o,
    );
    let br = c.o.batch * if c.o.proj > 0 { c.o.proj } else { c.o.hidden };
    let last = if c.o.reverse { 0 } else { c.o.steps - 1 };
    let gs = f64s(&c.g_state);
    let mut v: f64 = out.iter().zip(&c.g_out).map(|(a, &g)| a * g as f64).sum();
    v += out[last * br..][..br]
        .iter()
        .zip(&gs)
        .map(|(a, g)| a * g)
        .sum::<f64>();
    v += cn.iter().zip(&gs[br..]).map(|(a, g)| a * g).sum::<f64>();
    v
}

fn args_of(c: &Case) -> [Vec<f64>; 5] {
    [
        f64s(&c.x_proj),
        f64s(&c.w_hh),
        f64s(c.b_hh.as_deref().unwrap_or(&[])),
        f64s(&c.state0),
        f64s(c.w_hr.as_deref().unwrap_or(&[])),
    ]
}

/// Central differences of `objective` with respect to element `i` of one of its inputs
/// (0 x_proj, 1 w_hh, 2 b_hh, 3 state0, 4 w_hr).
fn numeric(c: &Case, which: usize, i: usize) -> f64 {
    let eps = 1e-6;
    let mut args = args_of(c);
    let base = args[which][i];
    args[which][i] = base + eps;
    let plus = objective(c, &args);
    args[which][i] = base - eps;
    let minus = objective(c, &args);
    (plus - minus) / (2.0 * eps)
}

/// The forward's output and saved buffers, then the backward's state, gate, W_hh and b_hh
/// gradients (b_hh's empty without a bias).
#[allow(clippy::type_complexity)]
fn run(c: &Case) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let d = Dims::new("test", &c.o).unwrap();
    let mut out = vec![0.0; c.o.steps * d.br];
    let mut saved = vec![0.0; d.saved_len()];
    rnn_forward(
        &c.x_proj,
        &c.w_hh,
        c.b_hh.as_deref(),
        c.w_hr.as_deref(),
        c.lengths.as_deref(),
        &c.state0,
        &mut out,
        &mut saved,
        &c.o,
    )
    .unwrap();
    let mut g_out = c.g_out.clone();
    // h_n's gradient folded into the last processed step's output gradient, as the TS op does.
    let last = if c.o.reverse { 0 } else { c.o.steps - 1 };
    for (g, &s) in g_out[last * d.br..][..d.br].iter_mut().zip(&c.g_state) {
        *g += s;
    }
    let mut g_state = c.g_state.clone();
    g_state[..d.br].fill(0.0);
    let mut g_gates = vec![0.0; d.grad_gates_len()];
    let mut g_w = vec![f32::NAN; d.gh * d.r];
    let mut g_b = vec![f32::NAN; if c.b_hh.is_some() { d.gh } else { 0 }];
    rnn_backward(
        &c.w_hh,
        c.w_hr.as_deref(),
        c.lengths.as_deref(),
        &c.state0,
        &out,
        &saved,
        &g_out,
        &mut g_state,
        &mut g_gates,
        Some(&mut g_w),
        c.b_hh.is_some().then_some(&mut g_b[..]),
        None,
        &c.o,
    )
    .unwrap();
    (out, saved, g_state, g_gates, g_w, g_b)
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 2e-4 + 2e-4 * want.abs(),
        "{what}: got {got}, expected {want}"
    );
}

/// Checks one case's forward against the reference and every gradient against central
/// differences (W_hh's, b_hh's and W_hr's formed from the kernel's outputs as the TS op does).
fn check_case(c: &Case, what: &str) {
    let (steps, batch, hidden, reverse) = (c.o.steps, c.o.batch, c.o.hidden, c.o.reverse);
    let d = Dims::new("test", &c.o).unwrap();
    let (r, br, bh) = (d.r, d.br, d.bh);
    let (out, saved, g_state, g_gates, g_w, g_b) = run(c);
    let args = args_of(c);
    let (want, cn) = reference(
        c.mode,
        &args[0],
        &args[1],
        c.b_hh.as_ref().map(|_| &args[2][..]),
        c.w_hr.as_ref().map(|_| &args[4][..]),
        c.lengths.as_deref(),
        &args[3],
        &c.o,
    );
    for (i, (&g, &w)) in out.iter().zip(&want).enumerate() {
        close(g as f64, w, &format!("{what}: out[{i}]"));
    }
    let gh = c.mode.gates() * hidden;
    if c.mode == Mode::Lstm {
        let last = if reverse { 0 } else { steps - 1 };
        let cells = &saved[steps * batch * gh..];
        for (j, &w) in cn.iter().enumerate() {
            close(cells[last * bh + j] as f64, w, &format!("{what}: c_n[{j}]"));
        }
    }
    // x_proj's gradient is the first block of the gate gradients.
    for (i, &g) in g_gates[..c.x_proj.len()].iter().enumerate() {
        close(g as f64, numeric(c, 0, i), &format!("{what}: dXProj[{i}]"));
    }
    for (i, &g) in g_state.iter().enumerate() {
        close(g as f64, numeric(c, 3, i), &format!("{what}: dState0[{i}]"));
    }
    // W_hh's and b_hh's gradients from the hidden-side gate gradients, as the TS op forms
    // them: Σ_t dGhᵀ·h_prev and Σ_t dGh.
    let dgh = if c.mode == Mode::Gru {
        &g_gates[steps * batch * gh..]
    } else {
        &g_gates[..steps * batch * gh]
    };
    for row in 0..gh {
        for k in 0..r {
            let mut got = 0.0f64;
            for s in 0..steps {
                let t = if reverse { steps - 1 - s } else { s };
                let prev = if s == 0 {
                    &c.state0[..br]
                } else {
                    let tp = if reverse { steps - s } else { s - 1 };
                    &out[tp * br..][..br]
                };
                for b in 0..batch {
                    got += dgh[(t * batch + b) * gh + row] as f64 * prev[b * r + k] as f64;
                }
            }
            let want = numeric(c, 1, row * r + k);
            close(got, want, &format!("{what}: dWhh[{row},{k}] from dGh"));
            // The kernel's own sum, formed beside the steps.
            close(
                g_w[row * r + k] as f64,
                want,
                &format!("{what}: gradWhh[{row},{k}]"),
            );
        }
        if c.b_hh.is_some() {
            let got: f64 = (0..steps * batch).map(|q| dgh[q * gh + row] as f64).sum();
            let want = numeric(c, 2, row);
            close(got, want, &format!("{what}: dBhh[{row}] from dGh"));
            close(g_b[row] as f64, want, &format!("{what}: gradBhh[{row}]"));
        }
    }
    // W_hr's gradient: Σ_t dh_tᵀ·m_t, m = o·tanh(c) after the cells in `saved`.
    if c.w_hr.is_some() {
        let dh = &g_gates[steps * batch * gh..];
        let m = &saved[steps * batch * gh + steps * bh..];
        for p in 0..r {
            for j in 0..hidden {
                let got: f64 = (0..steps * batch)
                    .map(|q| dh[q * r + p] as f64 * m[q * hidden + j] as f64)
                    .sum();
                close(
                    got,
                    numeric(c, 4, p * hidden + j),
                    &format!("{what}: dWhr[{p},{j}]"),
                );
            }
        }
    }
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
            check_case(&c, &what);
        }
    }
}

#[test]
fn lstm_projection_matches_a_reference_loop() {
    for &(steps, batch, hidden, proj, reverse, bias) in &[
        (1, 1, 2, 1, false, true),
        (4, 3, 5, 2, false, true),
        (4, 2, 5, 3, true, false),
    ] {
        let c = case_with(2, steps, batch, hidden, reverse, bias, proj, None);
        check_case(
            &c,
            &format!("proj {proj} steps {steps} batch {batch} hidden {hidden} reverse {reverse}"),
        );
    }
}

#[test]
fn lengths_carry_the_state_past_each_rows_end() {
    for code in 0..4 {
        for &reverse in &[false, true] {
            for proj in [0, 2] {
                if proj > 0 && code != 2 {
                    continue;
                }
                let c = case_with(code, 5, 4, 4, reverse, true, proj, Some(vec![5, 3, 3, 1]));
                check_case(
                    &c,
                    &format!("mode {code} reverse {reverse} proj {proj} lengths"),
                );
            }
        }
    }
}

/// The LSTM forward with its batch rows in groups, one per thread (`lstm_forward_by_rows`: 17
/// rows make two groups at 2 threads), against the reference loop, with and without lengths.
#[test]
fn lstm_row_groups_match_a_reference_loop() {
    for reverse in [false, true] {
        for lengths in [None, Some((0..17).map(|b| 6 - (b % 6) as u32).collect())] {
            let c = case_with(2, 6, 17, 9, reverse, true, 0, lengths.clone());
            let what = format!("row groups reverse {reverse} lengths {}", lengths.is_some());
            crate::test_util::at_1_and_2_threads(|| check_case(&c, &what));
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    for (code, proj) in [(0, 0), (1, 0), (2, 24), (2, 0), (3, 0)] {
        let lengths = (code % 2 == 0).then(|| (0..17).map(|b| 6 - (b % 6) as u32).collect());
        let c = case_with(code, 6, 17, 40, code % 2 == 1, true, proj, lengths);
        let (one, two) = crate::test_util::at_1_and_2_threads(|| run(&c));
        crate::test_util::assert_same(&one.0, &two.0, "out");
        crate::test_util::assert_same(&one.1, &two.1, "saved");
        crate::test_util::assert_same(&one.2, &two.2, "gradState");
        crate::test_util::assert_same(&one.3, &two.3, "gradGates");
        crate::test_util::assert_same(&one.4, &two.4, "gradWhh");
        crate::test_util::assert_same(&one.5, &two.5, "gradBhh");
    }
}

#[test]
fn bad_lengths_and_modes_are_errors_not_panics() {
    let c = case(2, 3, 2, 4, false, true);
    let o = c.o;
    let d = Dims::new("test", &o).unwrap();
    let mut out = vec![0.0; o.steps * d.br];
    let mut saved = vec![0.0; d.saved_len()];
    let e = rnn_forward(
        &c.x_proj[1..],
        &c.w_hh,
        None,
        None,
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
        None,
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
        None,
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
        &c.x_proj, &c.w_hh, None, None, None, &c.state0, &mut out, &mut saved, &bad,
    )
    .unwrap_err();
    assert_eq!(e.kind, crate::ErrorKind::Value);
    let huge = RnnOptions {
        steps: usize::MAX / 2,
        ..o
    };
    assert_eq!(
        rnn_forward(&c.x_proj, &c.w_hh, None, None, None, &c.state0, &mut out, &mut saved, &huge)
            .unwrap_err()
            .kind,
        crate::ErrorKind::Shape
    );
    // The backward's output buffers of the wrong length: gate gradients, then W_hh's and b_hh's.
    let backward_error = |gates: usize, gw: Option<usize>, gb: Option<usize>| {
        let (mut gs, mut gg) = (vec![0.0; 2 * d.bh], vec![0.0; gates]);
        let (mut w, mut b) = (vec![0.0; gw.unwrap_or(0)], vec![0.0; gb.unwrap_or(0)]);
        rnn_backward(
            &c.w_hh,
            None,
            None,
            &c.state0,
            &out,
            &saved,
            &out,
            &mut gs,
            &mut gg,
            gw.map(|_| &mut w[..]),
            gb.map(|_| &mut b[..]),
            None,
            &o,
        )
        .unwrap_err()
        .message
    };
    let full = d.grad_gates_len();
    let m = backward_error(5, None, None);
    assert!(m.starts_with("gradGates has"), "{m}");
    let m = backward_error(full, Some(3), None);
    assert!(m.starts_with("gradWhh has"), "{m}");
    let m = backward_error(full, None, Some(1));
    assert!(m.starts_with("gradBhh has"), "{m}");
}

#[test]
fn bad_projections_and_lengths_are_errors_not_panics() {
    let c = case_with(2, 3, 2, 4, false, true, 2, None);
    let d = Dims::new("test", &c.o).unwrap();
    let mut out = vec![0.0; c.o.steps * d.br];
    let mut saved = vec![0.0; d.saved_len()];
    let mut fwd = |w_hr: Option<&[f32]>, lengths: Option<&[u32]>, o: &RnnOptions| {
        rnn_forward(
            &c.x_proj, &c.w_hh, None, w_hr, lengths, &c.state0, &mut out, &mut saved, o,
        )
    };
    let w = c.w_hr.clone().unwrap();
    assert!(fwd(Some(&w), None, &c.o).is_ok());
    let e = fwd(None, None, &c.o).unwrap_err();
    assert_eq!(e.message, "proj needs wHr");
    let e = fwd(Some(&w[1..]), None, &c.o).unwrap_err();
    assert!(
        e.message.starts_with("wHr has 7 elements, expected 8"),
        "{}",
        e.message
    );
    let e = fwd(Some(&w), Some(&[3, 4]), &c.o).unwrap_err();
    assert_eq!(e.message, "lengths must be at most steps (3), got 4");
    let e = fwd(Some(&w), Some(&[3]), &c.o).unwrap_err();
    assert!(
        e.message.starts_with("lengths has 1 elements, expected 2"),
        "{}",
        e.message
    );
    let gru = RnnOptions { mode: 3, ..c.o };
    let e = fwd(Some(&w), None, &gru).unwrap_err();
    assert_eq!(
        e.message,
        "proj must be 0, or below hidden (4) for an LSTM, got 2"
    );
    let big = RnnOptions { proj: 4, ..c.o };
    assert_eq!(
        fwd(Some(&w), None, &big).unwrap_err().kind,
        crate::ErrorKind::Value
    );
}

/// Every SIMD path's gate rows against the scalar reference (libm), on row lengths around the
/// register widths and pre-activations out to saturation.
#[test]
fn vector_gates_match_the_scalar_reference() {
    use super::gates::{self, GruRow, LstmBackRow, LstmRow};
    use crate::cpu::{available_paths, Simd};
    let near = |a: &[f32], b: &[f32], what: &str| {
        for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= 2e-6 + 2e-6 * y.abs(),
                "{what}[{i}]: {x} vs {y}"
            );
        }
    };
    for simd in available_paths() {
        for hid in [1usize, 7, 16, 37] {
            let what = format!("{simd:?} hidden {hid}");
            let xr = data(4 * hid, 71, -12.0, 12.0);
            let hr = data(4 * hid, 72, -3.0, 3.0);
            let c0 = data(hid, 73, -2.0, 2.0);
            let run_lstm = |path: Simd| {
                let (mut g, mut c, mut cells, mut m) = (
                    vec![0.0; 4 * hid],
                    c0.clone(),
                    vec![0.0; hid],
                    vec![0.0; hid],
                );
                gates::lstm_forward_row(
                    path,
                    LstmRow {
                        xr: &xr,
                        hr: &hr,
                        gates: &mut g,
                        c: &mut c,
                        cells: &mut cells,
                        m: &mut m,
                    },
                );
                (g, c, m)
            };
            let (g0, c0s, m0) = run_lstm(Simd::Scalar);
            let (g1, c1, m1) = run_lstm(simd);
            near(&g1, &g0, &format!("{what} lstm gates"));
            near(&c1, &c0s, &format!("{what} lstm c"));
            near(&m1, &m0, &format!("{what} lstm m"));
            let dm = data(hid, 74, -1.0, 1.0);
            let dc0 = data(hid, 75, -1.0, 1.0);
            let run_back = |path: Simd| {
                let (mut dc, mut dg) = (dc0.clone(), vec![0.0; 4 * hid]);
                gates::lstm_backward_row(
                    path,
                    LstmBackRow {
                        gates: &g0,
                        cells: &c0s,
                        c_prev: &c0,
                        dm: &dm,
                        dc: &mut dc,
                        dgates: &mut dg,
                    },
                );
                (dc, dg)
            };
            let (dc0s, dg0) = run_back(Simd::Scalar);
            let (dc1, dg1) = run_back(simd);
            near(&dc1, &dc0s, &format!("{what} lstm dc"));
            near(&dg1, &dg0, &format!("{what} lstm dgates"));
            let hp = data(hid, 76, -1.0, 1.0);
            let run_gru = |path: Simd| {
                let (mut g, mut hns, mut y) = (vec![0.0; 3 * hid], vec![0.0; hid], vec![0.0; hid]);
                gates::gru_forward_row(
                    path,
                    GruRow {
                        xr: &xr[..3 * hid],
                        hr: &hr[..3 * hid],
                        hp: &hp,
                        gates: &mut g,
                        hns: &mut hns,
                        y: &mut y,
                    },
                );
                (g, hns, y)
            };
            let (a0, b0, y0) = run_gru(Simd::Scalar);
            let (a1, b1, y1) = run_gru(simd);
            near(&a1, &a0, &format!("{what} gru gates"));
            near(&b1, &b0, &format!("{what} gru hns"));
            near(&y1, &y0, &format!("{what} gru y"));
            let (mut t0, mut t1) = (vec![0.0; hid], vec![0.0; hid]);
            gates::tanh_row(Simd::Scalar, &xr[..hid], &hr[..hid], &mut t0);
            gates::tanh_row(simd, &xr[..hid], &hr[..hid], &mut t1);
            near(&t1, &t0, &format!("{what} tanh"));
        }
    }
}

#[test]
fn weight_gradients_summed_beside_the_steps_match_the_sum_over_all_steps() {
    // 19 steps: a first block of JOB_FIRST_BLOCK_STEPS, two whole blocks of JOB_BLOCK_STEPS and a
    // partial one, both directions.
    for code in 0..4 {
        for reverse in [false, true] {
            let proj = if code == 2 { 6 } else { 0 };
            let lengths = reverse.then(|| (0..5).map(|b| 19 - 3 * b as u32).collect());
            let c = case_with(code, 19, 5, 9, reverse, true, proj, lengths);
            let d = Dims::new("test", &c.o).unwrap();
            let (out, _, _, g_gates, g_w, g_b) = run(&c);
            let rows = c.o.steps * c.o.batch;
            let dgh = if c.mode == Mode::Gru {
                &g_gates[rows * d.gh..][..rows * d.gh]
            } else {
                &g_gates[..rows * d.gh]
            };
            for row in 0..d.gh {
                for k in 0..d.r {
                    let mut want = 0.0f64;
                    for s in 0..c.o.steps {
                        let t = d.time(s);
                        let prev = if s == 0 {
                            &c.state0[..d.br]
                        } else {
                            &out[d.time(s - 1) * d.br..][..d.br]
                        };
                        for b in 0..c.o.batch {
                            want += dgh[(t * c.o.batch + b) * d.gh + row] as f64
                                * prev[b * d.r + k] as f64;
                        }
                    }
                    let got = g_w[row * d.r + k] as f64;
                    assert!(
                        (got - want).abs() <= 1e-5 + 1e-5 * want.abs(),
                        "mode {code} reverse {reverse}: gradWhh[{row},{k}] {got} vs {want}"
                    );
                }
                let want: f64 = (0..rows).map(|q| dgh[q * d.gh + row] as f64).sum();
                let got = g_b[row] as f64;
                assert!(
                    (got - want).abs() <= 1e-5 + 1e-5 * want.abs(),
                    "mode {code} reverse {reverse}: gradBhh[{row}] {got} vs {want}"
                );
            }
        }
    }
}

/// The backward with the input side: `(gradGates, gradX, gradWih, gradBih, gradWhh, gradBhh)`.
#[allow(clippy::type_complexity)]
fn run_with_input(
    c: &Case,
    x: &[f32],
    w_ih: &[f32],
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let d = Dims::new("test", &c.o).unwrap();
    let (mut out, mut saved) = (vec![0.0; c.o.steps * d.br], vec![0.0; d.saved_len()]);
    rnn_forward(
        &c.x_proj,
        &c.w_hh,
        c.b_hh.as_deref(),
        c.w_hr.as_deref(),
        c.lengths.as_deref(),
        &c.state0,
        &mut out,
        &mut saved,
        &c.o,
    )
    .unwrap();
    let mut g_state = c.g_state.clone();
    let mut g_gates = vec![0.0; d.grad_gates_len()];
    let mut g_x = vec![f32::NAN; x.len()];
    let mut g_wih = vec![f32::NAN; w_ih.len()];
    let mut g_bih = vec![f32::NAN; d.gh];
    let mut g_whh = vec![f32::NAN; d.gh * d.r];
    let mut g_bhh = vec![f32::NAN; d.gh];
    rnn_backward(
        &c.w_hh,
        c.w_hr.as_deref(),
        c.lengths.as_deref(),
        &c.state0,
        &out,
        &saved,
        &c.g_out,
        &mut g_state,
        &mut g_gates,
        Some(&mut g_whh),
        Some(&mut g_bhh),
        Some(InputGrads {
            x,
            w_ih,
            grad_x: Some(&mut g_x),
            grad_w_ih: Some(&mut g_wih),
            grad_b_ih: Some(&mut g_bih),
        }),
        &c.o,
    )
    .unwrap();
    (g_gates, g_x, g_wih, g_bih, g_whh, g_bhh)
}

#[test]
fn input_side_gradients_match_the_sums_over_all_steps_at_any_thread_count() {
    for code in 0..4 {
        for reverse in [false, true] {
            let proj = if code == 2 { 6 } else { 0 };
            let lengths = reverse.then(|| (0..5).map(|b| 19 - 3 * b as u32).collect());
            let c = case_with(code, 19, 5, 9, reverse, true, proj, lengths);
            let d = Dims::new("test", &c.o).unwrap();
            let input = 7;
            let rows = c.o.steps * c.o.batch;
            let x = data(rows * input, 91, -1.0, 1.0);
            let w_ih = data(d.gh * input, 92, -0.5, 0.5);
            let (one, two) = crate::test_util::at_1_and_2_threads(|| run_with_input(&c, &x, &w_ih));
            for (i, (p, q)) in [
                (&one.0, &two.0),
                (&one.1, &two.1),
                (&one.2, &two.2),
                (&one.3, &two.3),
                (&one.4, &two.4),
                (&one.5, &two.5),
            ]
            .into_iter()
            .enumerate()
            {
                crate::test_util::assert_same(p, q, &format!("mode {code} output {i}"));
            }
            let (g_gates, g_x, g_wih, g_bih, _, g_bhh) = one;
            let dgx = &g_gates[..rows * d.gh];
            let near = |got: f32, want: f64, what: &str| {
                assert!(
                    (got as f64 - want).abs() <= 1e-5 + 1e-5 * want.abs(),
                    "mode {code} reverse {reverse}: {what} {got} vs {want}"
                )
            };
            for q in 0..rows {
                for k in 0..input {
                    let want: f64 = (0..d.gh)
                        .map(|g| dgx[q * d.gh + g] as f64 * w_ih[g * input + k] as f64)
                        .sum();
                    near(g_x[q * input + k], want, &format!("gradX[{q},{k}]"));
                }
            }
            for g in 0..d.gh {
                for k in 0..input {
                    let want: f64 = (0..rows)
                        .map(|q| dgx[q * d.gh + g] as f64 * x[q * input + k] as f64)
                        .sum();
                    near(g_wih[g * input + k], want, &format!("gradWih[{g},{k}]"));
                }
                let want: f64 = (0..rows).map(|q| dgx[q * d.gh + g] as f64).sum();
                near(g_bih[g], want, &format!("gradBih[{g}]"));
                if code != 3 {
                    // Without the GRU's hidden block the two bias gradients are one sum.
                    assert_eq!(g_bih[g].to_bits(), g_bhh[g].to_bits());
                }
            }
        }
    }
}

#[test]
fn input_side_buffers_of_the_wrong_length_are_errors_not_panics() {
    let c = case(2, 3, 2, 4, false, true);
    let d = Dims::new("test", &c.o).unwrap();
    let (out, saved) = (vec![0.0; c.o.steps * d.br], vec![0.0; d.saved_len()]);
    let rows = c.o.steps * c.o.batch;
    let message = |x_len: usize, w_len: usize, gx_len: usize, gw_len: usize, gb_len: usize| {
        let (x, w) = (vec![0.0; x_len], vec![0.0; w_len]);
        let (mut gx, mut gw, mut gb) = (vec![0.0; gx_len], vec![0.0; gw_len], vec![0.0; gb_len]);
        let (mut gs, mut gg) = (vec![0.0; d.state_len()], vec![0.0; d.grad_gates_len()]);
        rnn_backward(
            &c.w_hh,
            None,
            None,
            &c.state0,
            &out,
            &saved,
            &out,
            &mut gs,
            &mut gg,
            None,
            None,
            Some(InputGrads {
                x: &x,
                w_ih: &w,
                grad_x: Some(&mut gx),
                grad_w_ih: Some(&mut gw),
                grad_b_ih: Some(&mut gb),
            }),
            &c.o,
        )
        .err()
        .map(|e| e.message)
    };
    let (gh, n) = (d.gh, 3);
    assert_eq!(message(rows * n, gh * n, rows * n, gh * n, gh), None);
    assert!(message(rows * n, gh * n + 1, rows * n, gh * n, gh)
        .unwrap()
        .starts_with("wIh has"));
    assert!(message(rows * n + 1, gh * n, rows * n, gh * n, gh)
        .unwrap()
        .starts_with("x has"));
    assert!(message(rows * n, gh * n, rows * n - 1, gh * n, gh)
        .unwrap()
        .starts_with("gradX has"));
    assert!(message(rows * n, gh * n, rows * n, gh, gh)
        .unwrap()
        .starts_with("gradWih has"));
    assert!(message(rows * n, gh * n, rows * n, gh * n, gh + 2)
        .unwrap()
        .starts_with("gradBih has"));
}
