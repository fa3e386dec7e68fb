use super::*;
use crate::cpu::{self, available_paths, Simd};
use crate::test_util::{assert_close, at_1_and_2_threads, data};

fn opts(
    bh: usize,
    l: usize,
    s: usize,
    e: usize,
    ev: usize,
    causal: bool,
    mask_layers: usize,
    p: f64,
) -> AttentionOptions {
    AttentionOptions {
        batch_heads: bh,
        q_len: l,
        kv_len: s,
        head_dim: e,
        value_dim: ev,
        scale: 1.0 / (e as f32).sqrt(),
        causal,
        mask_layers,
        dropout_p: p,
        seed: 1234.0,
        offset: 77.0,
        heads: 1,
        q_layout: Layout::contiguous(0, 0),
        k_layout: Layout::contiguous(0, 0),
        v_layout: Layout::contiguous(0, 0),
        interleaved: false,
    }
    .contiguous()
}

/// A mask of 0 / −∞ with a few −∞ per row, and (row 1 of every layer) a fully masked row.
fn mask(o: &AttentionOptions) -> Option<Vec<f32>> {
    if o.mask_layers == 0 {
        return None;
    }
    let mut m = data(o.mask_layers * o.q_len * o.kv_len, 11, -1.0, 1.0);
    for (idx, v) in m.iter_mut().enumerate() {
        let row = idx / o.kv_len % o.q_len;
        *v = if row == 1 || *v < -0.6 {
            f32::NEG_INFINITY
        } else {
            *v * 0.5
        };
    }
    Some(m)
}

fn run(o: &AttentionOptions) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    run_on(cpu::active(), o)
}

#[allow(clippy::type_complexity)]
fn run_on(
    simd: Simd,
    o: &AttentionOptions,
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let q = data(o.batch_heads * o.q_len * o.head_dim, 1, -1.0, 1.0);
    let k = data(o.batch_heads * o.kv_len * o.head_dim, 2, -1.0, 1.0);
    let v = data(o.batch_heads * o.kv_len * o.value_dim, 3, -1.0, 1.0);
    let g = data(o.batch_heads * o.q_len * o.value_dim, 4, -1.0, 1.0);
    let m = mask(o);
    let mut out = vec![f32::NAN; g.len()];
    let mut lse = vec![f32::NAN; o.batch_heads * o.q_len];
    attention_with(simd, &q, &k, &v, m.as_deref(), &mut out, &mut lse, o).unwrap();
    let (mut gq, mut gk, mut gv) = (
        vec![f32::NAN; q.len()],
        vec![f32::NAN; k.len()],
        vec![f32::NAN; v.len()],
    );
    attention_backward_with(
        simd,
        &q,
        &k,
        &v,
        m.as_deref(),
        &out,
        &lse,
        &g,
        &mut gq,
        &mut gk,
        &mut gv,
        o,
    )
    .unwrap();
    (out, lse, gq, gk, gv, g)
}

fn cases() -> Vec<AttentionOptions> {
    vec![
        opts(3, 5, 7, 4, 6, false, 0, 0.0),
        opts(2, 6, 6, 8, 8, true, 0, 0.0),
        opts(2, 4, 9, 16, 5, true, 0, 0.0),
        opts(4, 5, 5, 3, 2, false, 1, 0.0),
        opts(3, 4, 6, 9, 7, false, 3, 0.0),
        opts(2, 7, 7, 32, 32, true, 2, 0.0),
        opts(2, 5, 6, 4, 3, false, 0, 0.3),
        opts(3, 6, 6, 5, 4, true, 3, 0.5),
        opts(1, 1, 1, 1, 1, false, 0, 0.0),
        // Key counts around the vector widths, a GPT head, and a cross-attention shape.
        opts(2, 64, 64, 32, 32, true, 0, 0.0),
        opts(2, 33, 40, 24, 40, false, 2, 0.0),
        opts(1, 20, 17, 16, 33, true, 1, 0.2),
        opts(1, 3, 130, 8, 8, false, 0, 0.0),
        // The backward's blocks of query rows: a fully masked row inside a full block, dropout,
        // and a last block of one row.
        opts(3, 9, 12, 8, 8, false, 3, 0.3),
    ]
}

#[test]
fn matches_the_reference_forward_and_backward() {
    for o in cases() {
        let q = data(o.batch_heads * o.q_len * o.head_dim, 1, -1.0, 1.0);
        let k = data(o.batch_heads * o.kv_len * o.head_dim, 2, -1.0, 1.0);
        let v = data(o.batch_heads * o.kv_len * o.value_dim, 3, -1.0, 1.0);
        let m = mask(&o);
        let want = reference::attention(&q, &k, &v, m.as_deref(), &o);
        let w32: Vec<f32> = want.iter().map(|&x| x as f32).collect();
        for simd in available_paths() {
            let (out, _, gq, gk, gv, g) = run_on(simd, &o);
            assert_close(&out, &w32, 1e-5, 1e-5, &format!("out {simd:?} {o:?}"));
            let (dq, dk, dv) = reference::attention_backward(&q, &k, &v, m.as_deref(), &g, &o);
            for (name, got, want) in [("dq", &gq, dq), ("dk", &gk, dk), ("dv", &gv, dv)] {
                let w32: Vec<f32> = want.iter().map(|&x| x as f32).collect();
                assert_close(got, &w32, 1e-4, 1e-5, &format!("{name} {simd:?} {o:?}"));
            }
        }
    }
}

#[test]
fn fully_masked_rows_give_zeros_and_no_gradient() {
    let o = opts(2, 4, 5, 3, 3, false, 1, 0.0);
    let (out, lse, gq, _, _, _) = run(&o);
    for bh in 0..2 {
        assert_eq!(lse[bh * 4 + 1], f32::NEG_INFINITY);
        assert!(out[(bh * 4 + 1) * 3..][..3].iter().all(|&x| x == 0.0));
        assert!(gq[(bh * 4 + 1) * 3..][..3].iter().all(|&x| x == 0.0));
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    for o in cases() {
        let (a, b) = at_1_and_2_threads(|| run(&o));
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{o:?}");
    }
}

#[test]
fn bad_sizes_and_settings_are_errors_not_panics() {
    let o = opts(2, 3, 4, 5, 6, false, 0, 0.0);
    let (q, k, v) = (vec![0.0; 30], vec![0.0; 40], vec![0.0; 48]);
    let (mut out, mut lse) = (vec![0.0; 36], vec![0.0; 6]);
    assert!(attention(&q[..29], &k, &v, None, &mut out, &mut lse, &o).is_err());
    assert!(attention(&q, &k, &v, None, &mut out[..35], &mut lse, &o).is_err());
    let masked = AttentionOptions {
        mask_layers: 2,
        ..o
    };
    assert!(attention(&q, &k, &v, None, &mut out, &mut lse, &masked).is_err());
    assert!(attention(&q, &k, &v, Some(&[0.0; 12]), &mut out, &mut lse, &masked).is_err());
    let bad_layers = AttentionOptions {
        mask_layers: 3,
        ..o
    };
    assert!(attention(
        &q,
        &k,
        &v,
        Some(&[0.0; 36]),
        &mut out,
        &mut lse,
        &bad_layers
    )
    .is_err());
    let bad_p = AttentionOptions {
        dropout_p: 1.0,
        ..o
    };
    assert!(attention(&q, &k, &v, None, &mut out, &mut lse, &bad_p).is_err());
    assert!(attention(&q, &k, &v, None, &mut out, &mut lse, &o).is_ok());
}

/// q, k, v read in place from a `[B, T, 3·H·D]` buffer (as a GPT's c_attn output split and
/// transposed to `[B, H, T, D]`) give the same results as their contiguous copies.
#[test]
fn strided_layouts_read_views_in_place() {
    let (b, h, t, d) = (2, 3, 5, 4);
    let c = h * d;
    let packed = data(b * t * 3 * c, 9, -1.0, 1.0);
    // The contiguous [B·H, T, D] copy of part `part` (0 = q, 1 = k, 2 = v).
    let copy = |part: usize| -> Vec<f32> {
        let mut out = Vec::with_capacity(b * h * t * d);
        for bi in 0..b {
            for hi in 0..h {
                for ti in 0..t {
                    let at = (bi * t + ti) * 3 * c + part * c + hi * d;
                    out.extend_from_slice(&packed[at..at + d]);
                }
            }
        }
        out
    };
    for causal in [false, true] {
        let base = opts(b * h, t, t, d, d, causal, 0, 0.0);
        let (q, k, v) = (copy(0), copy(1), copy(2));
        let mut want = vec![0f32; b * h * t * d];
        let mut want_lse = vec![0f32; b * h * t];
        attention(&q, &k, &v, None, &mut want, &mut want_lse, &base).unwrap();
        let layout = |part: usize| Layout {
            offset: part * c,
            batch_stride: t * 3 * c,
            head_stride: d,
            row_stride: 3 * c,
        };
        let strided = AttentionOptions {
            heads: h,
            q_layout: layout(0),
            k_layout: layout(1),
            v_layout: layout(2),
            ..base
        };
        let mut got = vec![0f32; want.len()];
        let mut got_lse = vec![0f32; want_lse.len()];
        attention(
            &packed,
            &packed,
            &packed,
            None,
            &mut got,
            &mut got_lse,
            &strided,
        )
        .unwrap();
        assert_eq!(got, want);
        assert_eq!(got_lse, want_lse);
        let g = data(want.len(), 10, -1.0, 1.0);
        let grads = |o: &AttentionOptions, q: &[f32], k: &[f32], v: &[f32]| {
            let (mut gq, mut gk, mut gv) = (
                vec![0f32; want.len()],
                vec![0f32; want.len()],
                vec![0f32; want.len()],
            );
            attention_backward(
                q, k, v, None, &want, &want_lse, &g, &mut gq, &mut gk, &mut gv, o,
            )
            .unwrap();
            (gq, gk, gv)
        };
        assert_eq!(
            grads(&strided, &packed, &packed, &packed),
            grads(&base, &q, &k, &v)
        );
        // The output, its gradient and q, k and v's in [B, T, H, D] order: the same rows, interleaved
        // by head.
        let interleave = |x: &[f32]| {
            let mut y = vec![0f32; x.len()];
            for (bh, rows) in x.chunks_exact(t * d).enumerate() {
                for (i, row) in rows.chunks_exact(d).enumerate() {
                    let at = ((bh / h * t + i) * h + bh % h) * d;
                    y[at..at + d].copy_from_slice(row);
                }
            }
            y
        };
        let inter = AttentionOptions {
            interleaved: true,
            ..strided
        };
        let mut got_i = vec![0f32; want.len()];
        attention(
            &packed,
            &packed,
            &packed,
            None,
            &mut got_i,
            &mut got_lse,
            &inter,
        )
        .unwrap();
        assert_eq!(got_i, interleave(&want));
        assert_eq!(got_lse, want_lse);
        let (mut gq, mut gk, mut gv) = (
            vec![0f32; want.len()],
            vec![0f32; want.len()],
            vec![0f32; want.len()],
        );
        attention_backward(
            &packed,
            &packed,
            &packed,
            None,
            &got_i,
            &want_lse,
            &interleave(&g),
            &mut gq,
            &mut gk,
            &mut gv,
            &inter,
        )
        .unwrap();
        let (wq, wk, wv) = grads(&base, &q, &k, &v);
        assert_eq!(
            (gq, gk, gv),
            (interleave(&wq), interleave(&wk), interleave(&wv))
        );
        // A layout reaching past the buffer is an error, not a read out of bounds; so is a head
        // count that does not divide batch·heads.
        let message = |o: &AttentionOptions| {
            let (mut out, mut lse) = (got.clone(), got_lse.clone());
            attention(&packed, &packed, &packed, None, &mut out, &mut lse, o)
                .unwrap_err()
                .to_string()
        };
        let mut bad = strided;
        bad.v_layout.offset = 3 * c;
        let text = message(&bad);
        assert!(
            text.starts_with(&format!(
                "attention: v has {} elements, too few for its layout Layout {{ offset: {}",
                packed.len(),
                3 * c
            )),
            "{text}"
        );
        bad = strided;
        bad.heads = 4;
        assert_eq!(
            message(&bad),
            format!(
                "attention: heads must divide batch·heads ({}), got 4",
                b * h
            )
        );
    }
}

/// The gradients written into the projection's storage are, element for element, the interleaved
/// backward's gq, gk and gv at the places q, k and v occupy; overlapping or non-interleaved
/// layouts are refused (the heads write from several threads).
#[test]
fn backward_into_storage_places_the_three_gradients() {
    let (b, h, t, d) = (2, 3, 5, 4);
    let c = h * d;
    let packed = data(b * t * 3 * c, 9, -1.0, 1.0);
    let layout = |part: usize| Layout {
        offset: part * c,
        batch_stride: t * 3 * c,
        head_stride: d,
        row_stride: 3 * c,
    };
    for causal in [false, true] {
        let o = AttentionOptions {
            heads: h,
            q_layout: layout(0),
            k_layout: layout(1),
            v_layout: layout(2),
            interleaved: true,
            ..opts(b * h, t, t, d, d, causal, 0, 0.0)
        };
        let n = b * h * t * d;
        let (mut out, mut lse) = (vec![0f32; n], vec![0f32; b * h * t]);
        attention(&packed, &packed, &packed, None, &mut out, &mut lse, &o).unwrap();
        let g = data(n, 10, -1.0, 1.0);
        let (mut gq, mut gk, mut gv) = (vec![0f32; n], vec![0f32; n], vec![0f32; n]);
        attention_backward(
            &packed, &packed, &packed, None, &out, &lse, &g, &mut gq, &mut gk, &mut gv, &o,
        )
        .unwrap();
        at_1_and_2_threads(|| {
            let mut grad = vec![f32::NAN; packed.len()];
            attention_backward_into_storage(
                &packed, &packed, &packed, None, &out, &lse, &g, &mut grad, &o,
            )
            .unwrap();
            // Interleaved gq is [B, T, H, D]: row (b, t) of it is q's part of the storage's row.
            for row in 0..b * t {
                for (part, src) in [&gq, &gk, &gv].into_iter().enumerate() {
                    let got = &grad[row * 3 * c + part * c..][..c];
                    let want = &src[row * c..][..c];
                    assert!(
                        got.iter()
                            .zip(want)
                            .all(|(x, y)| x.to_bits() == y.to_bits()),
                        "row {row} part {part}"
                    );
                }
            }
        });
        let refuse = |bad: &AttentionOptions| {
            let mut grad = vec![0f32; packed.len()];
            attention_backward_into_storage(
                &packed, &packed, &packed, None, &out, &lse, &g, &mut grad, bad,
            )
            .unwrap_err()
            .to_string()
        };
        let mut overlap = o;
        overlap.k_layout.offset = 2;
        assert!(
            refuse(&overlap).starts_with("attention_backward_into_storage: q, k and v must be interleaved views of disjoint elements"),
            "{}",
            refuse(&overlap)
        );
        let flat = AttentionOptions {
            interleaved: false,
            ..o
        };
        assert!(refuse(&flat).contains("must be interleaved views of disjoint elements"));
        let mut short = vec![0f32; packed.len() - 1];
        let e = attention_backward_into_storage(
            &packed, &packed, &packed, None, &out, &lse, &g, &mut short, &o,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("attention_backward_into_storage: grad"),
            "{e}"
        );
        let mut grad = vec![0f32; packed.len()];
        let longer = [&packed[..], &[0.0]].concat();
        let e = attention_backward_into_storage(
            &packed, &longer, &packed, None, &out, &lse, &g, &mut grad, &o,
        )
        .unwrap_err()
        .to_string();
        let len = packed.len();
        let want = format!(
            "attention_backward_into_storage: q, k and v must be one storage, got {len}, {} and {len} elements",
            len + 1
        );
        assert!(e.starts_with(&want), "{e}");
    }
}
