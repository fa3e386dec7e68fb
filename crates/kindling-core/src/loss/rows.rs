//! Per-row pieces of the fused losses, with SIMD paths: log-sum-exp, and the cross-entropy
//! gradient of a row. The scalar functions are the reference; the vector ones differ only
//! through the vectorised `exp` and the f32 lane sums of `exp` (tested to 1e-6 relative).
use crate::simd::{self, Vf32};
use crate::softmax::row::row_max;

/// `(max, log Σ exp(z − max))` of a row; `z_j − max − lse` is `log_softmax(z)_j`.
pub(crate) fn log_sum_exp_reference(z: &[f32]) -> (f32, f32) {
    let m = row_max(z);
    let s = z.iter().fold(0f64, |s, &v| s + (v - m).exp() as f64);
    (m, (s as f32).ln())
}

#[inline(always)]
unsafe fn log_sum_exp_vector<V: Vf32>(z: &[f32]) -> (f32, f32) {
    let m = simd::row_max::<V>(z);
    (m, simd::sum_exp::<V>(z, m, None).ln())
}

simd::kernel! {
    /// `(max, lse)` of one row of logits.
    pub(crate) fn log_sum_exp(z: &[f32]) -> (f32, f32) {
        vector: log_sum_exp_vector::<V>(z),
        scalar: log_sum_exp_reference(z),
    }
}

/// How a row's gradient is formed from `p = softmax(z)`:
/// `g_j = (hard·(p_j − [j = t]) + soft·(p_j·weight_total − w_j))·scale` (the `soft` term only
/// with label smoothing).
#[derive(Clone, Copy)]
pub(crate) struct RowGrad<'a> {
    pub target: usize,
    pub hard: f32,
    pub soft: f32,
    pub weight_total: f32,
    pub weight: Option<&'a [f32]>,
    pub scale: f32,
}

#[inline(always)]
fn grad_element(k: &RowGrad, j: usize, p: f32) -> f32 {
    let onehot = if j == k.target { 1.0 } else { 0.0 };
    let mut d = k.hard * (p - onehot);
    if k.soft != 0.0 {
        d += k.soft * (p * k.weight_total - k.weight.map_or(1.0, |w| w[j]));
    }
    d * k.scale
}

/// Writes the cross-entropy gradient of row `z` (shifted by `shift = max + lse`) into `g`.
pub(crate) fn cross_entropy_grad_reference(z: &[f32], shift: f32, k: RowGrad, g: &mut [f32]) {
    for (j, (o, &v)) in g.iter_mut().zip(z).enumerate() {
        *o = grad_element(&k, j, (v - shift).exp());
    }
}

#[inline(always)]
unsafe fn cross_entropy_grad_vector<V: Vf32>(z: &[f32], shift: f32, k: RowGrad, g: &mut [f32]) {
    let n = g.len().min(z.len());
    let full = n - n % V::LANES;
    let (hard, soft, total, scale, s) = (
        V::splat(k.hard),
        V::splat(k.soft),
        V::splat(k.weight_total),
        V::splat(k.scale),
        V::splat(shift),
    );
    let mut i = 0;
    while i < full {
        let p = simd::exp(V::load(z.as_ptr().add(i)).sub(s));
        let mut d = hard.mul(p);
        if k.soft != 0.0 {
            let w = match k.weight {
                Some(w) => V::load(w.as_ptr().add(i)),
                None => V::splat(1.0),
            };
            d = d.add(soft.mul(p.mul(total).sub(w)));
        }
        d.mul(scale).store(g.as_mut_ptr().add(i));
        i += V::LANES;
    }
    for j in full..n {
        g[j] = grad_element(&k, j, (z[j] - shift).exp());
    }
    // The target's one-hot term, from the same p the vector loop used.
    let t = k.target;
    if t < full {
        let p = simd::exp(V::splat(z[t] - shift)).to_array()[0];
        g[t] = grad_element(&k, t, p);
    }
}

simd::kernel! {
    /// The cross-entropy gradient of one row.
    pub(crate) fn cross_entropy_grad(z: &[f32], shift: f32, k: RowGrad, g: &mut [f32]) {
        vector: cross_entropy_grad_vector::<V>(z, shift, k, g),
        scalar: cross_entropy_grad_reference(z, shift, k, g),
    }
}
