//! Inverted dropout: `out = x · noise` with `noise = 1/(1 − p)` where element `i` is kept and `0`
//! where it is dropped, as PyTorch's `_dropout_impl` computes it (`noise.bernoulli_(1 − p)
//! .div_(1 − p)`, then `input * noise`, so a dropped NaN stays NaN). Element `i` is kept when word 0
//! of Philox counter `offset + i` is at least `p·2^32`; the mask is never stored — backward
//! regenerates it from the same (seed, offset), and the backward is the same product on `gradOut`.
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::philox::Stream;
use crate::random::{for_each_batch, threshold};
use crate::simd;

/// `out = dropout(x, p)`; returns the counters consumed (`x.len()`, or 0 when p is 0 or 1, which
/// draw nothing — as in PyTorch).
pub fn dropout(x: &[f32], out: &mut [f32], p: f64, seed: f64, offset: f64) -> KernelResult<u64> {
    dropout_with("dropout", x, out, p, seed, offset, cpu::active())
}

/// `gradIn = gradOut · noise` with the noise of the forward call that used the same (seed, offset).
pub fn dropout_backward(
    grad_out: &[f32],
    grad_in: &mut [f32],
    p: f64,
    seed: f64,
    offset: f64,
) -> KernelResult<u64> {
    dropout_with(
        "dropout_backward",
        grad_out,
        grad_in,
        p,
        seed,
        offset,
        cpu::active(),
    )
}

pub fn dropout_with(
    op: &'static str,
    x: &[f32],
    out: &mut [f32],
    p: f64,
    seed: f64,
    offset: f64,
    simd: Simd,
) -> KernelResult<u64> {
    check_len(op, "out", out.len(), x.len(), "must match the input")?;
    if !(0.0..=1.0).contains(&p) {
        return Err(KernelError::value(
            op,
            format!("dropout probability has to be between 0 and 1, but got {p}"),
        ));
    }
    let stream = Stream::from_f64(op, seed, offset)?;
    if p == 0.0 {
        out.copy_from_slice(x);
        return Ok(0);
    }
    if p == 1.0 {
        // PyTorch multiplies by a zero scalar here, so NaN and ±inf inputs give NaN (not 0).
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v * 0.0;
        }
        return Ok(0);
    }
    let t = threshold(p) as u32;
    let scale = 1.0f32 / (1.0 - p) as f32;
    for_each_batch(out, stream, simd, |words, first, batch| {
        apply_noise(simd, words, &x[first..first + batch.len()], batch, t, scale);
    });
    Ok(x.len() as u64)
}

simd::kernel! {
    /// `out[k] = x[k] · (words[k] >= t ? scale : 0)`, vectorised for the path (baseline x86-64 has
    /// no unsigned compare, so without this the loop stays scalar and costs more than Philox
    /// itself).
    fn apply_noise(words: &[u32], x: &[f32], out: &mut [f32], t: u32, scale: f32) {
        vector: apply_noise_elements(words, x, out, t, scale),
    }
}

#[inline(always)]
fn apply_noise_elements(words: &[u32], x: &[f32], out: &mut [f32], t: u32, scale: f32) {
    let n = out.len();
    let (words, x) = (&words[..n], &x[..n]);
    for k in 0..n {
        out[k] = x[k] * if words[k] >= t { scale } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threads::{set_num_threads, TEST_LOCK};

    fn ramp(n: usize) -> Vec<f32> {
        (0..n).map(|i| 1.0 + (i % 97) as f32 * 0.25).collect()
    }

    #[test]
    fn drops_a_fraction_p_and_scales_the_rest_by_one_over_one_minus_p() {
        let n = 1_000_000;
        let x = ramp(n);
        let mut out = vec![0f32; n];
        for p in [0.1, 0.3, 0.5, 0.9] {
            assert_eq!(dropout(&x, &mut out, p, 42.0, 7.0).unwrap(), n as u64);
            let dropped = out.iter().filter(|&&v| v == 0.0).count() as f64 / n as f64;
            // Standard error is at most 5e-4 at n = 1e6; allow ~6 of them.
            assert!((dropped - p).abs() < 3e-3, "p={p}: dropped {dropped}");
            let scale = 1.0f32 / (1.0 - p) as f32;
            for (o, xv) in out.iter().zip(&x) {
                assert!(*o == 0.0 || *o == xv * scale, "{o} vs {xv}·{scale}");
            }
        }
    }

    #[test]
    fn p_zero_copies_and_p_one_zeroes_without_drawing() {
        let x = ramp(1000);
        let mut out = vec![7f32; 1000];
        assert_eq!(dropout(&x, &mut out, 0.0, 1.0, 0.0).unwrap(), 0);
        assert_eq!(out, x);
        assert_eq!(dropout(&x, &mut out, 1.0, 1.0, 0.0).unwrap(), 0);
        assert!(out.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn backward_regenerates_the_forward_mask() {
        let n = 50_000;
        let x = ramp(n);
        let mut y = vec![0f32; n];
        dropout(&x, &mut y, 0.4, 3.0, 1234.0).unwrap();
        let g = vec![2f32; n];
        let mut gi = vec![0f32; n];
        dropout_backward(&g, &mut gi, 0.4, 3.0, 1234.0).unwrap();
        let scale = 1.0f32 / 0.6f32;
        for i in 0..n {
            assert_eq!(gi[i] == 0.0, y[i] == 0.0, "element {i}");
            assert!(gi[i] == 0.0 || gi[i] == 2.0 * scale);
        }
        // Another offset gives another mask.
        dropout_backward(&g, &mut gi, 0.4, 3.0, 1235.0).unwrap();
        assert!((0..n).any(|i| (gi[i] == 0.0) != (y[i] == 0.0)));
    }

    #[test]
    fn dropped_nan_stays_nan_like_pytorch() {
        let x = vec![f32::NAN; 64];
        let mut out = vec![0f32; 64];
        for p in [0.5, 1.0] {
            dropout(&x, &mut out, p, 0.0, 0.0).unwrap();
            assert!(out.iter().all(|v| v.is_nan()), "p = {p}");
        }
    }

    #[test]
    fn masks_are_identical_on_every_simd_path_and_thread_count() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let n = 300_001;
        let x = ramp(n);
        let mut want = vec![0f32; n];
        set_num_threads(1).unwrap();
        dropout_with("dropout", &x, &mut want, 0.3, 5.0, 99.0, Simd::Scalar).unwrap();
        for threads in [1, 2] {
            set_num_threads(threads).unwrap();
            for path in cpu::available_paths() {
                let mut got = vec![0f32; n];
                dropout_with("dropout", &x, &mut got, 0.3, 5.0, 99.0, path).unwrap();
                assert!(got == want, "{path:?} at {threads} threads");
            }
        }
    }

    #[test]
    fn bad_arguments_are_errors_not_panics() {
        let x = vec![1f32; 4];
        let mut out = vec![0f32; 3];
        let err = dropout(&x, &mut out, 0.5, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dropout: out has 3 elements, expected 4 (must match the input)"
        );
        let mut out = vec![0f32; 4];
        let err = dropout(&x, &mut out, 1.5, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dropout: dropout probability has to be between 0 and 1, but got 1.5"
        );
        let err = dropout_backward(&x, &mut out, f64::NAN, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dropout_backward: dropout probability has to be between 0 and 1, but got NaN"
        );
    }
}
