//! The attention maths written out on whole matrices in f64 (scores, softmax, weighted sum, and
//! the textbook gradients), for the tests of the fused kernels.
use super::AttentionOptions;
use crate::philox::Stream;
use crate::random::threshold;

fn factor(o: &AttentionOptions, bh: usize, i: usize, j: usize) -> f64 {
    if o.dropout_p == 0.0 {
        return 1.0;
    }
    let stream = Stream::new(o.seed as u64, o.offset as u64);
    let counter = ((bh * o.q_len + i) * o.kv_len + j) as u64;
    if stream.block(counter)[0] as u64 >= threshold(o.dropout_p) {
        1.0 / (1.0 - o.dropout_p)
    } else {
        0.0
    }
}

/// Probabilities `[BH, L, S]` (0 in fully masked rows).
fn probabilities(q: &[f32], k: &[f32], mask: Option<&[f32]>, o: &AttentionOptions) -> Vec<f64> {
    let (l, s, e) = (o.q_len, o.kv_len, o.head_dim);
    let mut p = vec![0.0f64; o.batch_heads * l * s];
    for bh in 0..o.batch_heads {
        for i in 0..l {
            let row: Vec<f64> = (0..s)
                .map(|j| {
                    let mut v = if o.causal && j > i {
                        f64::NEG_INFINITY
                    } else {
                        (0..e)
                            .map(|d| {
                                q[(bh * l + i) * e + d] as f64 * k[(bh * s + j) * e + d] as f64
                            })
                            .sum::<f64>()
                            * o.scale as f64
                    };
                    if let Some(m) = mask {
                        let layer = if o.mask_layers == 1 { 0 } else { bh };
                        v += m[(layer * l + i) * s + j] as f64;
                    }
                    v
                })
                .collect();
            let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            if max == f64::NEG_INFINITY {
                continue;
            }
            let sum: f64 = row.iter().map(|v| (v - max).exp()).sum();
            for j in 0..s {
                p[(bh * l + i) * s + j] = (row[j] - max).exp() / sum;
            }
        }
    }
    p
}

pub fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    o: &AttentionOptions,
) -> Vec<f64> {
    let (l, s, ev) = (o.q_len, o.kv_len, o.value_dim);
    let p = probabilities(q, k, mask, o);
    let mut out = vec![0.0f64; o.batch_heads * l * ev];
    for bh in 0..o.batch_heads {
        for i in 0..l {
            for j in 0..s {
                let w = p[(bh * l + i) * s + j] * factor(o, bh, i, j);
                for d in 0..ev {
                    out[(bh * l + i) * ev + d] += w * v[(bh * s + j) * ev + d] as f64;
                }
            }
        }
    }
    out
}

/// `(dq, dk, dv)` for upstream gradient `g`.
pub fn attention_backward(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    mask: Option<&[f32]>,
    g: &[f32],
    o: &AttentionOptions,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (l, s, e, ev) = (o.q_len, o.kv_len, o.head_dim, o.value_dim);
    let p = probabilities(q, k, mask, o);
    let (mut dq, mut dk, mut dv) = (vec![0.0; q.len()], vec![0.0; k.len()], vec![0.0; v.len()]);
    for bh in 0..o.batch_heads {
        for i in 0..l {
            // dP' = g·vᵀ; dP = dP'·factor; dS = P ⊙ (dP − Σ P·dP).
            let dp: Vec<f64> = (0..s)
                .map(|j| {
                    factor(o, bh, i, j)
                        * (0..ev)
                            .map(|d| {
                                g[(bh * l + i) * ev + d] as f64 * v[(bh * s + j) * ev + d] as f64
                            })
                            .sum::<f64>()
                })
                .collect();
            let pr = &p[(bh * l + i) * s..][..s];
            let delta: f64 = (0..s).map(|j| pr[j] * dp[j]).sum();
            for j in 0..s {
                let w = pr[j] * factor(o, bh, i, j);
                for d in 0..ev {
                    dv[(bh * s + j) * ev + d] += w * g[(bh * l + i) * ev + d] as f64;
                }
                let ds = pr[j] * (dp[j] - delta) * o.scale as f64;
                for d in 0..e {
                    dq[(bh * l + i) * e + d] += ds * k[(bh * s + j) * e + d] as f64;
                    dk[(bh * s + j) * e + d] += ds * q[(bh * l + i) * e + d] as f64;
                }
            }
        }
    }
    (dq, dk, dv)
}
