//! Random fills over Philox4x32-10 (see `philox.rs`): element `i` of every draw reads only the
//! counter `offset + i`, so results depend on (seed, offset, index) alone — never on the thread
//! count or the SIMD path. Each function returns how many counters it consumed (one per element),
//! which the TypeScript `Generator` adds to its offset so the next draw gets fresh counters.
use crate::cpu::{self, Simd};
use crate::error::{check_finite, KernelError, KernelResult};
use crate::philox::Stream;
use crate::threads;

/// Elements per parallel chunk; boundaries depend only on the length.
pub(crate) const CHUNK: usize = 16 * 1024;
/// Counters generated per batch inside a chunk (fits in L1 next to the data).
pub(crate) const BATCH: usize = 256;
/// Philox costs about as much as 4 simple element-operations per element with SIMD.
pub(crate) const WORK_PER_ELEMENT: usize = 4;

const TWO_POW_32: f64 = 4_294_967_296.0;
const TWO_POW_MINUS_24: f32 = 1.0 / 16_777_216.0;

/// Runs `f(words, first, out_chunk)` over `out` in fixed chunks and batches, where `words[k]` is
/// word 0 of element `first + k`'s counter.
pub(crate) fn for_each_batch<T: Send>(
    out: &mut [T],
    stream: Stream,
    simd: Simd,
    f: impl Fn(&[u32], usize, &mut [T]) + Sync + Send,
) {
    let work = out.len().saturating_mul(WORK_PER_ELEMENT);
    threads::par_chunks_mut(out, CHUNK, work, |start, chunk| {
        let mut words = [0u32; BATCH];
        for (b, batch) in chunk.chunks_mut(BATCH).enumerate() {
            let first = start + b * BATCH;
            let words = &mut words[..batch.len()];
            stream.fill_word0(first as u64, words, simd);
            f(words, first, batch);
        }
    });
}

/// Same chunking for draws that need all four words of a counter (normal, randint).
fn for_each_block<T: Send>(out: &mut [T], stream: Stream, f: impl Fn([u32; 4]) -> T + Sync + Send) {
    let work = out.len().saturating_mul(WORK_PER_ELEMENT * 4);
    threads::par_chunks_mut(out, CHUNK, work, |start, chunk| {
        for (j, v) in chunk.iter_mut().enumerate() {
            *v = f(stream.block((start + j) as u64));
        }
    });
}

/// A uniform float in [0, 1) from the top 24 bits of a word (every value exactly representable).
#[inline(always)]
pub(crate) fn unit_f32(word: u32) -> f32 {
    (word >> 8) as f32 * TWO_POW_MINUS_24
}

/// `out[i] ~ U[low, high)` as float32: `low + u·(high − low)`, with results that round up to
/// `high` moved to the float just below it, so `high` is never returned (`low == high` fills `low`).
pub fn fill_uniform(
    out: &mut [f32],
    low: f64,
    high: f64,
    seed: f64,
    offset: f64,
) -> KernelResult<u64> {
    fill_uniform_with(out, low, high, seed, offset, cpu::active())
}

pub fn fill_uniform_with(
    out: &mut [f32],
    low: f64,
    high: f64,
    seed: f64,
    offset: f64,
    simd: Simd,
) -> KernelResult<u64> {
    const OP: &str = "uniform_";
    check_finite(OP, "from", low)?;
    check_finite(OP, "to", high)?;
    if low > high {
        return Err(KernelError::value(
            OP,
            format!("expects to return a [from, to) range, but found from={low} > to={high}"),
        ));
    }
    let stream = Stream::from_f64(OP, seed, offset)?;
    let (low32, high32) = (low as f32, high as f32);
    let range = high32 - low32;
    if !range.is_finite() {
        return Err(KernelError::value(
            OP,
            format!(
                "expects to-from <= std::numeric_limits<float>::max(), but found to={high} and \
                 from={low} which result in to-from to exceed the limit"
            ),
        ));
    }
    let (low, high) = (low32, high32);
    let below_high = next_down(high);
    for_each_batch(out, stream, simd, |words, _, batch| {
        for (v, &w) in batch.iter_mut().zip(words) {
            let r = unit_f32(w) * range + low;
            *v = if r >= high && low < high {
                below_high
            } else {
                r
            };
        }
    });
    Ok(out.len() as u64)
}

/// `out[i] ~ N(mean, std²)` by Box–Muller on words 0 and 1 of element `i`'s counter (in f64, then
/// rounded to float32).
pub fn fill_normal(
    out: &mut [f32],
    mean: f64,
    std: f64,
    seed: f64,
    offset: f64,
) -> KernelResult<u64> {
    const OP: &str = "normal_";
    check_finite(OP, "mean", mean)?;
    check_finite(OP, "std", std)?;
    if std < 0.0 {
        return Err(KernelError::value(
            OP,
            format!("expects std >= 0.0, but found std {std}"),
        ));
    }
    let stream = Stream::from_f64(OP, seed, offset)?;
    for_each_block(out, stream, |w| {
        // u1 in (0, 1] so the logarithm is finite; u2 in [0, 1).
        let u1 = (f64::from(w[0]) + 1.0) / TWO_POW_32;
        let u2 = f64::from(w[1]) / TWO_POW_32;
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (mean + std * z) as f32
    });
    Ok(out.len() as u64)
}

/// `out[i]` uniform over the integers of [low, high): 64 random bits reduced modulo the range
/// (bias below 2^-32).
pub fn fill_randint(
    out: &mut [i32],
    low: f64,
    high: f64,
    seed: f64,
    offset: f64,
) -> KernelResult<u64> {
    const OP: &str = "random_";
    for (name, v) in [("from", low), ("to", high)] {
        if !(v.is_finite() && v.fract() == 0.0 && (-2_147_483_648.0..=2_147_483_648.0).contains(&v))
        {
            return Err(KernelError::value(
                OP,
                format!("'{name}' must be an integer in [-2^31, 2^31], got {v}"),
            ));
        }
    }
    if low >= high {
        return Err(KernelError::value(
            OP,
            format!("expects 'from' to be less than 'to', but got from={low} >= to={high}"),
        ));
    }
    let stream = Stream::from_f64(OP, seed, offset)?;
    let range = (high - low) as u64;
    let low = low as i64;
    for_each_block(out, stream, |w| {
        let bits = u64::from(w[0]) | (u64::from(w[1]) << 32);
        (low + (bits % range) as i64) as i32
    });
    Ok(out.len() as u64)
}

/// A random permutation of `0 .. out.len()` by Fisher–Yates; swap `k` (for position
/// `n − 1 − k`) reads counter `offset + k`. Runs on one thread (it is inherently sequential and
/// cheap next to anything that consumes the permutation).
pub fn randperm(out: &mut [i32], seed: f64, offset: f64) -> KernelResult<u64> {
    const OP: &str = "randperm";
    let n = out.len();
    if n > i32::MAX as usize {
        return Err(KernelError::value(
            OP,
            format!("n must fit in int32, got {n}"),
        ));
    }
    let stream = Stream::from_f64(OP, seed, offset)?;
    for (i, v) in out.iter_mut().enumerate() {
        *v = i as i32;
    }
    for i in (1..n).rev() {
        let w = stream.block((n - 1 - i) as u64);
        let bits = u64::from(w[0]) | (u64::from(w[1]) << 32);
        // Multiply-shift maps 64 random bits onto [0, i] (Lemire), bias below 2^-32.
        let j = ((u128::from(bits) * (i as u128 + 1)) >> 64) as usize;
        out.swap(i, j);
    }
    Ok(n as u64)
}

/// The 32-bit threshold `t` with P(word < t) = p (exact for p a multiple of 2^-32).
pub(crate) fn threshold(p: f64) -> u64 {
    (p * TWO_POW_32) as u64
}

/// `out[i] = 1` with probability `p`, else `0`.
pub fn fill_bernoulli(out: &mut [f32], p: f64, seed: f64, offset: f64) -> KernelResult<u64> {
    fill_bernoulli_with(out, p, seed, offset, cpu::active())
}

pub fn fill_bernoulli_with(
    out: &mut [f32],
    p: f64,
    seed: f64,
    offset: f64,
    simd: Simd,
) -> KernelResult<u64> {
    const OP: &str = "bernoulli_";
    if !(0.0..=1.0).contains(&p) {
        return Err(KernelError::value(
            OP,
            format!("expects p to be in [0, 1], but got p={p}"),
        ));
    }
    let stream = Stream::from_f64(OP, seed, offset)?;
    let t = threshold(p);
    for_each_batch(out, stream, simd, |words, _, batch| {
        for (v, &w) in batch.iter_mut().zip(words) {
            *v = if u64::from(w) < t { 1.0 } else { 0.0 };
        }
    });
    Ok(out.len() as u64)
}

/// The largest float below `x` (for finite `x`).
fn next_down(x: f32) -> f32 {
    if x == 0.0 {
        -f32::from_bits(1)
    } else if x > 0.0 {
        f32::from_bits(x.to_bits() - 1)
    } else {
        f32::from_bits(x.to_bits() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threads::{set_num_threads, TEST_LOCK};

    fn mean_var(v: &[f32]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let var = v
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean, var)
    }

    #[test]
    fn uniform_has_the_right_moments_and_stays_in_range() {
        let mut v = vec![0f32; 1 << 20];
        assert_eq!(fill_uniform(&mut v, -2.0, 3.0, 7.0, 0.0).unwrap(), 1 << 20);
        assert!(v.iter().all(|&x| (-2.0..3.0).contains(&x)));
        let (mean, var) = mean_var(&v);
        // U(-2, 3): mean 0.5, variance 25/12; tolerances are ~6 standard errors.
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
        assert!((var - 25.0 / 12.0).abs() < 0.02, "var {var}");
    }

    #[test]
    fn uniform_never_returns_high_even_when_rounding_would() {
        // With a range this narrow, u·(high − low) + low rounds to high for the largest u.
        let high = 1.0f32 + f32::EPSILON;
        let mut v = vec![0f32; 1 << 16];
        fill_uniform(&mut v, 1.0, f64::from(high), 3.0, 0.0).unwrap();
        assert!(v.iter().all(|&x| x == 1.0), "only 1.0 lies in [1, 1+eps)");
        let mut same = vec![9f32; 4];
        fill_uniform(&mut same, 2.0, 2.0, 3.0, 0.0).unwrap();
        assert_eq!(same, [2.0; 4]);
    }

    #[test]
    fn uniform_rejects_bad_bounds() {
        let mut v = vec![0f32; 4];
        let err = fill_uniform(&mut v, 1.0, 0.0, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uniform_: expects to return a [from, to) range, but found from=1 > to=0"
        );
        let err = fill_uniform(&mut v, -3e38, 3e38, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uniform_: expects to-from <= std::numeric_limits<float>::max(), but found to=300000000000000000000000000000000000000 and from=-300000000000000000000000000000000000000 which result in to-from to exceed the limit"
        );
        let err = fill_uniform(&mut v, f64::NAN, 1.0, 0.0, 0.0).unwrap_err();
        assert_eq!(err.to_string(), "uniform_: from must be finite, got NaN");
    }

    #[test]
    fn uniform_simd_paths_match_scalar() {
        let mut want = vec![0f32; 5000];
        fill_uniform_with(&mut want, 0.0, 1.0, 11.0, 3.0, Simd::Scalar).unwrap();
        for path in cpu::available_paths() {
            let mut got = vec![0f32; 5000];
            fill_uniform_with(&mut got, 0.0, 1.0, 11.0, 3.0, path).unwrap();
            assert_eq!(got, want, "{path:?}");
        }
    }

    #[test]
    fn normal_has_the_right_moments() {
        let mut v = vec![0f32; 1 << 20];
        fill_normal(&mut v, 1.5, 2.0, 1.0, 0.0).unwrap();
        let (mean, var) = mean_var(&v);
        assert!((mean - 1.5).abs() < 0.012, "mean {mean}");
        assert!((var - 4.0).abs() < 0.04, "var {var}");
        // About 68.3 % within one standard deviation.
        let within = v.iter().filter(|&&x| (x - 1.5).abs() < 2.0).count() as f64 / v.len() as f64;
        assert!((within - 0.6827).abs() < 0.003, "within {within}");
    }

    #[test]
    fn normal_rejects_negative_std() {
        let err = fill_normal(&mut [0.0; 2], 0.0, -1.0, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal_: expects std >= 0.0, but found std -1"
        );
    }

    #[test]
    fn randint_covers_the_range_evenly() {
        let mut v = vec![0i32; 100_000];
        fill_randint(&mut v, -3.0, 7.0, 5.0, 0.0).unwrap();
        let mut counts = [0usize; 10];
        for &x in &v {
            assert!((-3..7).contains(&x));
            counts[(x + 3) as usize] += 1;
        }
        // Each bucket expects 10 000 (sd ~95).
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        let mut wide = vec![0i32; 1000];
        fill_randint(&mut wide, -2_147_483_648.0, 2_147_483_648.0, 5.0, 0.0).unwrap();
        assert!(
            wide.iter().any(|&x| x < -1_000_000_000) && wide.iter().any(|&x| x > 1_000_000_000)
        );
    }

    #[test]
    fn randint_rejects_empty_ranges() {
        let err = fill_randint(&mut [0; 2], 5.0, 5.0, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "random_: expects 'from' to be less than 'to', but got from=5 >= to=5"
        );
        assert!(fill_randint(&mut [0; 2], 0.5, 5.0, 0.0, 0.0).is_err());
    }

    #[test]
    fn randperm_is_a_permutation_determined_by_seed_and_offset() {
        let mut a = vec![0i32; 10_000];
        assert_eq!(randperm(&mut a, 3.0, 100.0).unwrap(), 10_000);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert!(sorted.iter().enumerate().all(|(i, &x)| x == i as i32));
        let mut b = vec![0i32; 10_000];
        randperm(&mut b, 3.0, 100.0).unwrap();
        assert_eq!(a, b);
        randperm(&mut b, 3.0, 101.0).unwrap();
        assert_ne!(a, b);
        // Position 0 is uniform over the values: over many seeds every value of 0..4 appears.
        let mut seen = [0usize; 4];
        for seed in 0..400 {
            let mut p = [0i32; 4];
            randperm(&mut p, f64::from(seed), 0.0).unwrap();
            seen[p[0] as usize] += 1;
        }
        assert!(seen.iter().all(|&c| (60..140).contains(&c)), "{seen:?}");
    }

    #[test]
    fn bernoulli_hits_p_and_rejects_bad_p() {
        let mut v = vec![0f32; 1 << 20];
        fill_bernoulli(&mut v, 0.25, 9.0, 0.0).unwrap();
        let frac = v.iter().filter(|&&x| x == 1.0).count() as f64 / v.len() as f64;
        assert!((frac - 0.25).abs() < 0.003, "{frac}");
        assert!(v.iter().all(|&x| x == 0.0 || x == 1.0));
        fill_bernoulli(&mut v, 1.0, 9.0, 0.0).unwrap();
        assert!(v.iter().all(|&x| x == 1.0));
        fill_bernoulli(&mut v, 0.0, 9.0, 0.0).unwrap();
        assert!(v.iter().all(|&x| x == 0.0));
        let err = fill_bernoulli(&mut v, 1.5, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli_: expects p to be in [0, 1], but got p=1.5"
        );
        assert!(fill_bernoulli(&mut v, f64::NAN, 0.0, 0.0).is_err());
    }

    #[test]
    fn draws_do_not_depend_on_thread_count_and_offsets_continue_a_stream() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let n = 100_000;
        let run = || {
            let mut u = vec![0f32; n];
            let mut z = vec![0f32; n];
            fill_uniform(&mut u, 0.0, 1.0, 4.0, 10.0).unwrap();
            fill_normal(&mut z, 0.0, 1.0, 4.0, 10.0).unwrap();
            (u, z)
        };
        set_num_threads(1).unwrap();
        let one = run();
        set_num_threads(2).unwrap();
        let two = run();
        assert!(one == two);
        // Drawing 100 then 50 at offset 110 equals drawing 150 at once.
        let mut whole = vec![0f32; 150];
        fill_uniform(&mut whole, 0.0, 1.0, 4.0, 10.0).unwrap();
        let mut tail = vec![0f32; 50];
        fill_uniform(&mut tail, 0.0, 1.0, 4.0, 110.0).unwrap();
        assert_eq!(&whole[100..], &tail[..]);
        assert_eq!(&whole[..100], &one.0[..100]);
    }
}
