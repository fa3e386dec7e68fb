//! Helpers shared by the kernel tests: deterministic data with awkward values, lengths that
//! straddle every vector width, and exact/ulp comparisons.
#![cfg(test)]

/// Lengths 0, 1, primes and non-multiples of 4, 8 and 16, up to one crossing the parallel chunk.
pub(crate) const LENGTHS: &[usize] = &[
    0, 1, 2, 3, 5, 7, 8, 13, 15, 16, 17, 31, 33, 97, 101, 1021, 4099, 40_009,
];

/// A deterministic xorshift stream of f32 in `[lo, hi)`.
pub(crate) fn data(n: usize, seed: u64, lo: f32, hi: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            lo + (hi - lo) * ((s >> 40) as f32 / (1u64 << 24) as f32)
        })
        .collect()
}

/// `data` with NaN, ±inf, ±0 and a subnormal sprinkled in.
pub(crate) fn data_with_specials(n: usize, seed: u64, lo: f32, hi: f32) -> Vec<f32> {
    let mut v = data(n, seed, lo, hi);
    let specials = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.0,
        -0.0,
        1e-40,
        -1.0,
        1.0,
    ];
    for (k, s) in specials.iter().enumerate() {
        let i = (k * 7 + seed as usize) * 13;
        if i < n {
            v[i] = *s;
        }
    }
    v
}

/// Bit-identical, treating every NaN as equal.
pub(crate) fn assert_same(actual: &[f32], expected: &[f32], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let same = a.to_bits() == e.to_bits() || (a.is_nan() && e.is_nan());
        assert!(
            same,
            "{what}: element {i} is {a:e} ({:#x}), expected {e:e} ({:#x})",
            a.to_bits(),
            e.to_bits()
        );
    }
}

/// Distance in units in the last place (0 for equal, NaN vs NaN, or +0 vs -0).
pub(crate) fn ulps(a: f32, b: f32) -> u32 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u32::MAX
        };
    }
    let key = |x: f32| {
        let bits = x.to_bits() as i32;
        if bits < 0 {
            i32::MIN.wrapping_sub(bits) as i64
        } else {
            bits as i64
        }
    };
    (key(a) - key(b)).unsigned_abs().min(u32::MAX as u64) as u32
}

pub(crate) fn assert_ulps(actual: &[f32], expected: &[f32], max_ulps: u32, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            ulps(*a, *e) <= max_ulps,
            "{what}: element {i} is {a:e}, expected {e:e} (> {max_ulps} ulps)"
        );
    }
}

/// `|a − e| ≤ rtol·|e| + atol` element by element (NaN must match NaN, inf must match exactly).
pub(crate) fn assert_close(actual: &[f32], expected: &[f32], rtol: f32, atol: f32, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let ok = if e.is_nan() || !e.is_finite() {
            a.to_bits() == e.to_bits() || (a.is_nan() && e.is_nan())
        } else {
            (a - e).abs() <= rtol * e.abs() + atol
        };
        assert!(ok, "{what}: element {i} is {a:e}, expected {e:e}");
    }
}

/// Runs `f` with 1 and then 2 threads (serialised with other thread-count tests) and returns both.
pub(crate) fn at_1_and_2_threads<T>(f: impl Fn() -> T) -> (T, T) {
    let _guard = crate::threads::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    crate::threads::set_num_threads(1).unwrap();
    let one = f();
    crate::threads::set_num_threads(2).unwrap();
    let two = f();
    (one, two)
}
