//! `a / c` for one divisor `c` shared by many dividends, without a division per element.
//!
//! Adam's `sqrt(v) / bias_correction2_sqrt` divides every element by the same number, and vector
//! division is the slowest instruction in the step (`vdivps`: ~10 cycles per 16 lanes, against
//! ~0.5 for an FMA). With `r = RN(1/c)` computed once, Markstein's correction
//!
//! ```text
//! q0 = RN(a·r);   e = RN(a − q0·c) (exact, by FMA);   q1 = RN(q0 + e·r)
//! ```
//!
//! gives `q1 = RN(a/c)`, the correctly rounded quotient, for every finite `a` whose residual `e`
//! does not underflow (Markstein 1990; Muller et al., *Handbook of Floating-Point Arithmetic*,
//! §5.3): `r` is within half an ulp of `1/c` and `q0` within one ulp of `a/c`. So the result is
//! bit for bit `a / c`, the operation PyTorch performs. Where the sequence does not apply it falls
//! back to the product `q0` when the correction is NaN: `a = ±∞` or a product that overflows
//! (`q0 = ±∞` is the quotient then) and NaN (stays NaN). Underflow cannot happen in Adam's use: the dividend is a square root of a float32
//! (at least ~1e-19 when non-zero, flushed subnormals being zero) and `c` lies in (0, 1], so the
//! residual is at least ~1e-27, far above float32's subnormals. The tests check every significand.

/// The reciprocal to pass to [`div_by_constant`] for divisor `c` (one correctly rounded division).
#[inline(always)]
pub fn reciprocal(c: f32) -> f32 {
    1.0 / c
}

/// `a / c`, bit for bit, given `r = reciprocal(c)`. For `a` and `c` as described in the module
/// documentation (finite or infinite `a`, residual not subnormal).
#[inline(always)]
pub fn div_by_constant(a: f32, c: f32, r: f32) -> f32 {
    let q0 = a * r;
    let residual = (-q0).mul_add(c, a);
    let q1 = residual.mul_add(r, q0);
    // ±∞ dividends and overflowing products give a NaN correction: the product itself is the
    // (infinite) quotient then.
    if q1.is_nan() {
        q0
    } else {
        q1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adam's divisors `f32(sqrt(1 − β2^t))` for β2 = 0.999 and 0.95, and a few arbitrary ones.
    fn divisors() -> Vec<f32> {
        let mut cs: Vec<f32> = Vec::new();
        for beta2 in [0.999f64, 0.95] {
            for t in [1, 2, 3, 10, 97, 1000, 6000, 16_000, 40_000] {
                cs.push((1.0 - beta2.powi(t)).sqrt() as f32);
            }
        }
        cs.extend([
            1.0,
            0.5,
            0.3,
            0.7,
            0.123_456_79,
            f32::from_bits(0x3f7f_ffff),
            f32::from_bits(0x3f00_0001),
        ]);
        cs
    }

    #[test]
    fn equals_the_division_for_every_significand() {
        for c in divisors() {
            let r = reciprocal(c);
            // Every float32 significand, at Adam's smallest non-zero dividend scale (~1e-19),
            // at 1, and large.
            for scale in [2f32.powi(-63), 1.0, 2f32.powi(60)] {
                for m in 0..(1u32 << 23) {
                    let a = f32::from_bits(0x3f80_0000 | m) * scale;
                    let got = div_by_constant(a, c, r);
                    assert!(
                        got.to_bits() == (a / c).to_bits(),
                        "{a:e} / {c:e}: {got:e} vs {:e}",
                        a / c
                    );
                }
            }
        }
    }

    #[test]
    fn zeros_infinities_and_nan_are_the_division_too() {
        for c in divisors() {
            let r = reciprocal(c);
            for a in [0.0f32, f32::INFINITY, f32::MAX, f32::MIN_POSITIVE * 1e20] {
                assert_eq!(
                    div_by_constant(a, c, r).to_bits(),
                    (a / c).to_bits(),
                    "{a:e} / {c:e}"
                );
            }
            assert!(div_by_constant(f32::NAN, c, r).is_nan());
        }
    }
}
