//! Philox4x32-10, the counter-based generator of Salmon et al., "Parallel Random Numbers: As Easy
//! as 1, 2, 3" (SC'11) — the one cuRAND and PyTorch's CUDA backend use. A draw is a pure function
//! of (key, counter): kindling keys it with the seed and gives element `i` of a draw the counter
//! `offset + i`, so any element can be computed on any thread in any order, and a dropout mask can
//! be regenerated in backward instead of being stored.
//!
//! The hot consumers (dropout, Bernoulli, uniform) need one 32-bit word per element; `fill_word0`
//! computes them 16 (AVX2) or 32 (AVX-512) counters at a time, bit-identical to the scalar rounds.
use crate::cpu::Simd;
use crate::error::{KernelError, KernelResult};

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// Largest integer every f64 holds exactly; seeds and offsets cross the binding as f64.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(b);
    ((p >> 32) as u32, p as u32)
}

/// The ten Philox rounds on one 128-bit counter.
#[inline(always)]
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for round in 0..10 {
        if round > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        let (hi0, lo0) = mulhilo(M0, c[0]);
        let (hi1, lo1) = mulhilo(M1, c[2]);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// A (seed, offset) pair: the key comes from the seed, counter `offset + i` feeds element `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    pub key: [u32; 2],
    pub offset: u64,
}

impl Stream {
    pub fn new(seed: u64, offset: u64) -> Self {
        Self {
            key: [seed as u32, (seed >> 32) as u32],
            offset,
        }
    }

    /// Validates a seed and an offset that crossed from JS as f64 (integers in [0, 2^53)).
    pub fn from_f64(op: &'static str, seed: f64, offset: f64) -> KernelResult<Self> {
        Ok(Self::new(
            whole(op, "seed", seed)?,
            whole(op, "offset", offset)?,
        ))
    }

    /// All four words of element `i`'s counter.
    #[inline(always)]
    pub fn block(&self, i: u64) -> [u32; 4] {
        let c = self.offset.wrapping_add(i);
        philox4x32_10([c as u32, (c >> 32) as u32, 0, 0], self.key)
    }

    /// Word 0 of the counters of elements `first .. first + out.len()`, on the given SIMD path.
    /// Every path gives the same bits.
    pub fn fill_word0(&self, first: u64, out: &mut [u32], simd: Simd) {
        // The rounds are 32-bit integer lane code (even/odd `mul_epu32` and lane shuffles), which
        // `simd::Vf32` does not model, so each x86 path has its own kernel. SAFETY: `usable()`
        // returns a path only when the CPU has its features.
        match simd.usable() {
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { x86::word0_avx512(self, first, out) },
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe { x86::word0_avx2(self, first, out) },
            _ => self.word0_scalar(first, out),
        }
    }

    fn word0_scalar(&self, first: u64, out: &mut [u32]) {
        for (j, w) in out.iter_mut().enumerate() {
            *w = self.block(first + j as u64)[0];
        }
    }
}

fn whole(op: &'static str, name: &str, v: f64) -> KernelResult<u64> {
    if (0.0..=MAX_SAFE_INTEGER).contains(&v) && v.fract() == 0.0 {
        Ok(v as u64)
    } else {
        Err(KernelError::value(
            op,
            format!("{name} must be an integer in [0, 2^53), got {v}"),
        ))
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The same rounds on 2×8 (AVX2) or 2×16 (AVX-512) counters in structure-of-arrays form.
    //! `mul_epu32` multiplies the even 32-bit lanes into 64-bit products, so each 32×32→64
    //! multiply is done twice (even lanes, then odd lanes shifted down) and the halves are blended
    //! back into lane order (lane moves by shuffles, see below). A round is a chain of ~8 cycles of latency, so two independent groups
    //! are interleaved to keep the multipliers busy. Round 0 sees `c2 = c3 = 0` (counters are
    //! 64-bit), where the second product is zero and is skipped.
    use super::{Stream, M0, M1, W0, W1};
    use std::arch::x86_64::*;

    /// `pshufd` patterns moving the odd 32-bit lanes down ([1, 1, 3, 3]) or the even ones up
    /// ([0, 0, 2, 2]). They run on the shuffle port, leaving the multiply port (which also does
    /// vector shifts) to the multiplies.
    const ODD_TO_EVEN: i32 = 0b11_11_01_01;
    const EVEN_TO_ODD: i32 = 0b10_10_00_00;

    /// The key of each round: `key + r·(W0, W1)`.
    fn round_keys(key: [u32; 2]) -> [[u32; 2]; 10] {
        let mut keys = [key; 10];
        for r in 1..10 {
            keys[r] = [
                keys[r - 1][0].wrapping_add(W0),
                keys[r - 1][1].wrapping_add(W1),
            ];
        }
        keys
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn mulhilo8(m: __m256i, x: __m256i) -> (__m256i, __m256i) {
        let even = _mm256_mul_epu32(x, m);
        let odd = _mm256_mul_epu32(_mm256_shuffle_epi32::<ODD_TO_EVEN>(x), m);
        let lo = _mm256_blend_epi32::<0b1010_1010>(even, _mm256_shuffle_epi32::<EVEN_TO_ODD>(odd));
        let hi = _mm256_blend_epi32::<0b1010_1010>(_mm256_shuffle_epi32::<ODD_TO_EVEN>(even), odd);
        (hi, lo)
    }

    /// Word 0 after ten rounds for counters `(a, high)` and `(b, high)`, 8 lanes each.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn rounds8x2(
        a: __m256i,
        b: __m256i,
        high: __m256i,
        keys: &[[u32; 2]; 10],
    ) -> (__m256i, __m256i) {
        let (m0, m1) = (_mm256_set1_epi32(M0 as i32), _mm256_set1_epi32(M1 as i32));
        let key = |k: u32| _mm256_set1_epi32(k as i32);
        let (ha, la) = mulhilo8(m0, a);
        let (hb, lb) = mulhilo8(m0, b);
        let x0 = _mm256_xor_si256(high, key(keys[0][0]));
        let zero = _mm256_setzero_si256();
        let mut sa = [x0, zero, _mm256_xor_si256(ha, key(keys[0][1])), la];
        let mut sb = [x0, zero, _mm256_xor_si256(hb, key(keys[0][1])), lb];
        for k in &keys[1..] {
            let (k0, k1) = (key(k[0]), key(k[1]));
            let (h0a, l0a) = mulhilo8(m0, sa[0]);
            let (h1a, l1a) = mulhilo8(m1, sa[2]);
            let (h0b, l0b) = mulhilo8(m0, sb[0]);
            let (h1b, l1b) = mulhilo8(m1, sb[2]);
            sa = [
                _mm256_xor_si256(_mm256_xor_si256(h1a, sa[1]), k0),
                l1a,
                _mm256_xor_si256(_mm256_xor_si256(h0a, sa[3]), k1),
                l0a,
            ];
            sb = [
                _mm256_xor_si256(_mm256_xor_si256(h1b, sb[1]), k0),
                l1b,
                _mm256_xor_si256(_mm256_xor_si256(h0b, sb[3]), k1),
                l0b,
            ];
        }
        (sa[0], sb[0])
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn word0_avx2(s: &Stream, first: u64, out: &mut [u32]) {
        let keys = round_keys(s.key);
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let eight = _mm256_set1_epi32(8);
        let mut j = 0;
        while j + 16 <= out.len() {
            let c = s.offset.wrapping_add(first + j as u64);
            if (c as u32) > u32::MAX - 15 {
                // The low word would carry into the high one inside this group: rare, do it scalar.
                s.word0_scalar(first + j as u64, &mut out[j..j + 16]);
            } else {
                let a = _mm256_add_epi32(_mm256_set1_epi32(c as u32 as i32), lanes);
                let b = _mm256_add_epi32(a, eight);
                let high = _mm256_set1_epi32((c >> 32) as u32 as i32);
                let (wa, wb) = rounds8x2(a, b, high, &keys);
                _mm256_storeu_si256(out.as_mut_ptr().add(j).cast(), wa);
                _mm256_storeu_si256(out.as_mut_ptr().add(j + 8).cast(), wb);
            }
            j += 16;
        }
        s.word0_scalar(first + j as u64, &mut out[j..]);
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn mulhilo16(m: __m512i, x: __m512i) -> (__m512i, __m512i) {
        let even = _mm512_mul_epu32(x, m);
        let odd = _mm512_mul_epu32(_mm512_shuffle_epi32::<ODD_TO_EVEN>(x), m);
        let lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_shuffle_epi32::<EVEN_TO_ODD>(odd));
        let hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_shuffle_epi32::<ODD_TO_EVEN>(even), odd);
        (hi, lo)
    }

    /// Word 0 after ten rounds for counters `(a, high)` and `(b, high)`, 16 lanes each.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn rounds16x2(
        a: __m512i,
        b: __m512i,
        high: __m512i,
        keys: &[[u32; 2]; 10],
    ) -> (__m512i, __m512i) {
        let (m0, m1) = (_mm512_set1_epi32(M0 as i32), _mm512_set1_epi32(M1 as i32));
        let key = |k: u32| _mm512_set1_epi32(k as i32);
        let (ha, la) = mulhilo16(m0, a);
        let (hb, lb) = mulhilo16(m0, b);
        let x0 = _mm512_xor_si512(high, key(keys[0][0]));
        let zero = _mm512_setzero_si512();
        let mut sa = [x0, zero, _mm512_xor_si512(ha, key(keys[0][1])), la];
        let mut sb = [x0, zero, _mm512_xor_si512(hb, key(keys[0][1])), lb];
        for k in &keys[1..] {
            let (k0, k1) = (key(k[0]), key(k[1]));
            let (h0a, l0a) = mulhilo16(m0, sa[0]);
            let (h1a, l1a) = mulhilo16(m1, sa[2]);
            let (h0b, l0b) = mulhilo16(m0, sb[0]);
            let (h1b, l1b) = mulhilo16(m1, sb[2]);
            // 0x96 is the truth table of a ^ b ^ c: one instruction for both xors.
            sa = [
                _mm512_ternarylogic_epi32::<0x96>(h1a, sa[1], k0),
                l1a,
                _mm512_ternarylogic_epi32::<0x96>(h0a, sa[3], k1),
                l0a,
            ];
            sb = [
                _mm512_ternarylogic_epi32::<0x96>(h1b, sb[1], k0),
                l1b,
                _mm512_ternarylogic_epi32::<0x96>(h0b, sb[3], k1),
                l0b,
            ];
        }
        (sa[0], sb[0])
    }

    #[target_feature(enable = "avx512f,avx2")]
    pub(super) unsafe fn word0_avx512(s: &Stream, first: u64, out: &mut [u32]) {
        let keys = round_keys(s.key);
        let lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        let sixteen = _mm512_set1_epi32(16);
        let mut j = 0;
        while j + 32 <= out.len() {
            let c = s.offset.wrapping_add(first + j as u64);
            if (c as u32) > u32::MAX - 31 {
                s.word0_scalar(first + j as u64, &mut out[j..j + 32]);
            } else {
                let a = _mm512_add_epi32(_mm512_set1_epi32(c as u32 as i32), lanes);
                let b = _mm512_add_epi32(a, sixteen);
                let high = _mm512_set1_epi32((c >> 32) as u32 as i32);
                let (wa, wb) = rounds16x2(a, b, high, &keys);
                _mm512_storeu_si512(out.as_mut_ptr().add(j).cast(), wa);
                _mm512_storeu_si512(out.as_mut_ptr().add(j + 16).cast(), wb);
            }
            j += 32;
        }
        word0_avx2(s, first + j as u64, &mut out[j..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::available_paths;

    // Known-answer vectors of Random123 1.09, `examples/kat_vectors` (philox4x32 10 rounds).
    #[test]
    fn matches_random123_known_answers() {
        assert_eq!(
            philox4x32_10([0; 4], [0; 2]),
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0]
            ),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }

    #[test]
    fn element_i_uses_counter_offset_plus_i() {
        let s = Stream::new(0x1234_5678_9abc, 41);
        assert_eq!(
            s.block(1),
            philox4x32_10([42, 0, 0, 0], [0x5678_9abc, 0x1234])
        );
        let wide = Stream::new(7, (1 << 32) - 1);
        assert_eq!(wide.block(1), philox4x32_10([0, 1, 0, 0], [7, 0]));
    }

    #[test]
    fn simd_paths_are_bit_identical_to_scalar() {
        // Offsets just below a 2^32 boundary exercise the carry fallback inside a SIMD group.
        for offset in [0u64, 5, (1 << 32) - 13, 123_456_789_012] {
            let s = Stream::new(99, offset);
            let mut want = vec![0u32; 1037];
            s.fill_word0(3, &mut want, Simd::Scalar);
            for path in available_paths() {
                let mut got = vec![0u32; 1037];
                s.fill_word0(3, &mut got, path);
                assert_eq!(got, want, "path {path:?} offset {offset}");
            }
        }
    }

    #[test]
    fn seeds_and_offsets_must_be_safe_integers() {
        assert!(Stream::from_f64("dropout", 3.0, 9_007_199_254_740_991.0).is_ok());
        let err = Stream::from_f64("dropout", 1.5, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dropout: seed must be an integer in [0, 2^53), got 1.5"
        );
        let err = Stream::from_f64("dropout", 0.0, f64::NAN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dropout: offset must be an integer in [0, 2^53), got NaN"
        );
        assert!(Stream::from_f64("dropout", -1.0, 0.0).is_err());
    }
}
