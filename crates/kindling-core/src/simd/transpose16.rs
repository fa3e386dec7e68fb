//! The 16 × 16 transpose of 16 AVX-512 registers, shared by the GEMM's packing (NOTE [ Packing
//! panels in registers ] in docs/PERFORMANCE.md) and attention's K/V panels.
use std::arch::x86_64::*;

/// The 16 × 16 transpose of `r` (row `i` of the result is lane `i` of every input row): 16
/// in-lane unpacks, 16 in-lane shuffles and 32 lane shuffles.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn transpose16(r: &[__m512; 16]) -> [__m512; 16] {
    // Within 128-bit lanes: t pairs rows; u[4g + j] lane L = element 4L + j of rows 4g..4g + 4.
    let mut t = [_mm512_setzero_ps(); 16];
    for i in 0..8 {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    let mut u = [_mm512_setzero_ps(); 16];
    for g in (0..16).step_by(4) {
        for j in 0..4 {
            let (a, b) = (t[g + j / 2], t[g + 2 + j / 2]);
            u[g + j] = if j % 2 == 0 {
                _mm512_shuffle_ps::<0x44>(a, b)
            } else {
                _mm512_shuffle_ps::<0xEE>(a, b)
            };
        }
    }
    // Across lanes: element 4L + j gathers lane L of u[j], u[4 + j], u[8 + j], u[12 + j].
    let mut out = [_mm512_setzero_ps(); 16];
    for j in 0..4 {
        let v_even = _mm512_shuffle_f32x4::<0x88>(u[j], u[4 + j]);
        let v_odd = _mm512_shuffle_f32x4::<0xDD>(u[j], u[4 + j]);
        let w_even = _mm512_shuffle_f32x4::<0x88>(u[8 + j], u[12 + j]);
        let w_odd = _mm512_shuffle_f32x4::<0xDD>(u[8 + j], u[12 + j]);
        out[j] = _mm512_shuffle_f32x4::<0x88>(v_even, w_even);
        out[4 + j] = _mm512_shuffle_f32x4::<0x88>(v_odd, w_odd);
        out[8 + j] = _mm512_shuffle_f32x4::<0xDD>(v_even, w_even);
        out[12 + j] = _mm512_shuffle_f32x4::<0xDD>(v_odd, w_odd);
    }
    out
}
