//! The activation epilogue of a fused `Linear → Dropout → ReLU` block (the seed MLP's hidden
//! layers), applied in place on the linear output, and its backward.
//!
//! The point is fewer passes, buffers and native calls per step — not different maths: forward
//! gives bit for bit what `dropout::dropout` followed by `elementwise` relu give, and backward what
//! relu's `threshold_backward` on the block output followed by `dropout::dropout_backward` give
//! (same Philox words, same products in the same order). Either stage may be off: `p == 0` skips
//! dropout (no counters drawn, as `F.dropout` skips it), `relu == false` skips the relu.
use crate::cpu::{self, Simd};
use crate::elementwise::math;
use crate::error::{check_len, KernelError, KernelResult};
use crate::philox::Stream;
use crate::random::{for_each_batch, threshold};
use crate::simd;

/// `buf = relu(dropout(buf, p))` in place; returns the counters consumed (`buf.len()` when
/// 0 < p < 1, else 0 — exactly what `dropout::dropout` reports for the same call).
pub fn dropout_relu_inplace(
    buf: &mut [f32],
    p: f64,
    seed: f64,
    offset: f64,
    relu: bool,
) -> KernelResult<u64> {
    dropout_relu_inplace_with(buf, p, seed, offset, relu, cpu::active())
}

pub fn dropout_relu_inplace_with(
    buf: &mut [f32],
    p: f64,
    seed: f64,
    offset: f64,
    relu: bool,
    simd: Simd,
) -> KernelResult<u64> {
    const OP: &str = "dropout_relu";
    check_probability(OP, p)?;
    let stream = Stream::from_f64(OP, seed, offset)?;
    if p == 0.0 || p == 1.0 {
        // No draw; p = 1 multiplies by a zero scalar like dropout (NaN and ±inf give NaN).
        let keep = if p == 0.0 { 1.0 } else { 0.0 };
        for v in buf.iter_mut() {
            let d = if p == 0.0 { *v } else { *v * keep };
            *v = if relu { math::relu(d) } else { d };
        }
        return Ok(0);
    }
    let t = threshold(p) as u32;
    let scale = 1.0f32 / (1.0 - p) as f32;
    for_each_batch(buf, stream, simd, |words, _, batch| {
        forward_batch(simd, words, batch, t, scale, relu)
    });
    Ok(buf.len() as u64)
}

/// The gradient of the block's linear output from the gradient `grad_out` of its output `out`:
/// relu's backward on `out` (zero where `out <= 0`), then dropout's (times the regenerated noise).
pub fn dropout_relu_backward(
    grad_out: &[f32],
    out: &[f32],
    grad_in: &mut [f32],
    p: f64,
    seed: f64,
    offset: f64,
    relu: bool,
) -> KernelResult<u64> {
    dropout_relu_backward_with(grad_out, out, grad_in, p, seed, offset, relu, cpu::active())
}

#[allow(clippy::too_many_arguments)]
pub fn dropout_relu_backward_with(
    grad_out: &[f32],
    out: &[f32],
    grad_in: &mut [f32],
    p: f64,
    seed: f64,
    offset: f64,
    relu: bool,
    simd: Simd,
) -> KernelResult<u64> {
    const OP: &str = "dropout_relu_backward";
    check_len(OP, "out", out.len(), grad_out.len(), "must match gradOut")?;
    check_len(
        OP,
        "gradIn",
        grad_in.len(),
        grad_out.len(),
        "must match gradOut",
    )?;
    check_probability(OP, p)?;
    let stream = Stream::from_f64(OP, seed, offset)?;
    if p == 0.0 || p == 1.0 {
        for ((gi, &g), &y) in grad_in.iter_mut().zip(grad_out).zip(out) {
            let r = if relu { relu_grad(g, y) } else { g };
            *gi = if p == 0.0 { r } else { r * 0.0 };
        }
        return Ok(0);
    }
    let t = threshold(p) as u32;
    let scale = 1.0f32 / (1.0 - p) as f32;
    for_each_batch(grad_in, stream, simd, |words, first, batch| {
        let n = batch.len();
        backward_batch(
            simd,
            words,
            &grad_out[first..first + n],
            &out[first..first + n],
            batch,
            t,
            scale,
            relu,
        )
    });
    Ok(grad_out.len() as u64)
}

fn check_probability(op: &'static str, p: f64) -> KernelResult<()> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(KernelError::value(
            op,
            format!("dropout probability has to be between 0 and 1, but got {p}"),
        ))
    }
}

/// relu's `threshold_backward(grad, result, 0)`, as `elementwise` computes it.
#[inline(always)]
fn relu_grad(g: f32, y: f32) -> f32 {
    if y <= 0.0 {
        0.0
    } else {
        g
    }
}

simd::kernel! {
    /// One batch of the forward: the element loop vectorised for the path.
    fn forward_batch(words: &[u32], batch: &mut [f32], t: u32, scale: f32, relu: bool) {
        vector: forward_elements(words, batch, t, scale, relu),
    }
}

#[inline(always)]
fn forward_elements(words: &[u32], batch: &mut [f32], t: u32, scale: f32, relu: bool) {
    let words = &words[..batch.len()];
    if relu {
        for (v, &w) in batch.iter_mut().zip(words) {
            *v = math::relu(*v * if w >= t { scale } else { 0.0 });
        }
    } else {
        for (v, &w) in batch.iter_mut().zip(words) {
            *v *= if w >= t { scale } else { 0.0 };
        }
    }
}

simd::kernel! {
    /// One batch of the backward: the element loop vectorised for the path.
    fn backward_batch(
        words: &[u32],
        g: &[f32],
        y: &[f32],
        gi: &mut [f32],
        t: u32,
        scale: f32,
        relu: bool,
    ) {
        vector: backward_elements(words, g, y, gi, t, scale, relu),
    }
}

#[inline(always)]
fn backward_elements(
    words: &[u32],
    g: &[f32],
    y: &[f32],
    gi: &mut [f32],
    t: u32,
    scale: f32,
    relu: bool,
) {
    let n = gi.len();
    let (words, g, y) = (&words[..n], &g[..n], &y[..n]);
    if relu {
        for k in 0..n {
            gi[k] = relu_grad(g[k], y[k]) * if words[k] >= t { scale } else { 0.0 };
        }
    } else {
        for k in 0..n {
            gi[k] = g[k] * if words[k] >= t { scale } else { 0.0 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::UnaryOp;
    use crate::dropout::{dropout_backward, dropout_with};
    use crate::elementwise::{unary, unary_backward};
    use crate::threads::{set_num_threads, TEST_LOCK};

    /// Values of both signs, zeros of both signs, NaN and infinities.
    fn mixed(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| match i % 13 {
                0 => 0.0,
                1 => -0.0,
                2 => f32::NAN,
                3 => f32::INFINITY,
                4 => f32::NEG_INFINITY,
                _ => ((i * 7919) % 1000) as f32 / 250.0 - 2.0,
            })
            .collect()
    }

    fn same_bits(a: &[f32], b: &[f32], what: &str) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                x.to_bits() == y.to_bits(),
                "{what}: element {i}: {x} vs {y}"
            );
        }
    }

    /// Runs `f(path, threads)` on every SIMD path at 1 and 2 threads (then back to 1 thread).
    fn on_every_path_and_thread_count(mut f: impl FnMut(Simd, usize)) {
        for threads in [1, 2] {
            set_num_threads(threads).unwrap();
            for path in cpu::available_paths() {
                f(path, threads);
            }
        }
        set_num_threads(1).unwrap();
    }

    /// The unfused reference: dropout, then relu (each as its own kernel).
    fn unfused_forward(x: &[f32], p: f64, seed: f64, offset: f64, relu: bool) -> (Vec<f32>, u64) {
        let mut d = vec![0f32; x.len()];
        let used = dropout_with("dropout", x, &mut d, p, seed, offset, Simd::Scalar).unwrap();
        if !relu {
            return (d, used);
        }
        let mut r = vec![0f32; x.len()];
        unary(UnaryOp::Relu as u32, &d, &mut r, 0.0).unwrap();
        (r, used)
    }

    #[test]
    fn forward_is_dropout_then_relu_bit_for_bit_on_every_path_and_thread_count() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for n in [0, 1, 15, 640, 70_001] {
            let x = mixed(n);
            for p in [0.0, 0.3, 0.5, 1.0] {
                for relu in [false, true] {
                    let (want, want_used) = unfused_forward(&x, p, 42.0, 1000.0, relu);
                    on_every_path_and_thread_count(|path, threads| {
                        let mut got = x.clone();
                        let used = dropout_relu_inplace_with(&mut got, p, 42.0, 1000.0, relu, path)
                            .unwrap();
                        assert_eq!(used, want_used, "n={n} p={p}");
                        let what = format!("n={n} p={p} relu={relu} {path:?} {threads}t");
                        same_bits(&got, &want, &what);
                    });
                }
            }
        }
    }

    #[test]
    fn backward_is_relu_backward_then_dropout_backward_bit_for_bit() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for n in [1, 17, 640, 70_001] {
            let x = mixed(n);
            let g: Vec<f32> = mixed(n + 5)[5..].to_vec();
            for p in [0.0, 0.4, 1.0] {
                for relu in [false, true] {
                    let (y, _) = unfused_forward(&x, p, 7.0, 3.0, relu);
                    // Reference: relu's backward on the block output, then dropout's backward.
                    let mut r = g.clone();
                    if relu {
                        unary_backward(UnaryOp::Relu as u32, &g, &[], &y, &mut r, 0.0).unwrap();
                    }
                    let mut want = vec![0f32; n];
                    if p == 0.0 {
                        want.copy_from_slice(&r);
                    } else {
                        dropout_backward(&r, &mut want, p, 7.0, 3.0).unwrap();
                    }
                    on_every_path_and_thread_count(|path, threads| {
                        let mut got = vec![9f32; n];
                        dropout_relu_backward_with(&g, &y, &mut got, p, 7.0, 3.0, relu, path)
                            .unwrap();
                        let what = format!("n={n} p={p} relu={relu} {path:?} {threads}t");
                        same_bits(&got, &want, &what);
                    });
                }
            }
        }
    }

    #[test]
    fn bad_arguments_are_errors_not_panics() {
        let mut buf = vec![1f32; 4];
        let err = dropout_relu_inplace(&mut buf, 1.5, 0.0, 0.0, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dropout_relu: dropout probability has to be between 0 and 1, but got 1.5"
        );
        let err = dropout_relu_inplace(&mut buf, 0.5, -1.0, 0.0, true).unwrap_err();
        assert!(err.to_string().starts_with("dropout_relu: "), "{err}");
        let mut gi = vec![0f32; 3];
        let err = dropout_relu_backward(&buf, &buf, &mut gi, 0.5, 0.0, 0.0, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dropout_relu_backward: gradIn has 3 elements, expected 4 (must match gradOut)"
        );
        let err = dropout_relu_backward(&buf, &buf[..2], &mut gi, 0.5, 0.0, 0.0, true).unwrap_err();
        assert!(
            err.to_string().contains("out has 2 elements, expected 4"),
            "{err}"
        );
    }
}
