//! Vector primitives for the elementwise, reduction and softmax kernels. `Vf32` abstracts one
//! register of f32 lanes; the kernels are written once, generically, and instantiated per path
//! inside a `#[target_feature]` function by `simd_entry!`, so every intrinsic inlines into code
//! compiled for that path. The scalar path never goes through here: it runs the reference loops.
#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod exp;
#[cfg(target_arch = "aarch64")]
mod neon;

#[cfg(target_arch = "x86_64")]
pub(crate) use avx2::{row_sum as row_sum_avx2, Avx2};
#[cfg(target_arch = "x86_64")]
pub(crate) use avx512::{row_sum as row_sum_avx512, Avx512};
pub(crate) use exp::{exp, sigmoid};
#[cfg(target_arch = "aarch64")]
pub(crate) use neon::{row_sum as row_sum_neon, Neon};

/// One vector register of `LANES` f32 values. All methods are `unsafe`: they may only run on a CPU
/// with the path's features, inside a function compiled with them (see `simd_entry!`).
pub(crate) trait Vf32: Copy {
    const LANES: usize;
    unsafe fn splat(v: f32) -> Self;
    unsafe fn load(p: *const f32) -> Self;
    unsafe fn store(self, p: *mut f32);
    unsafe fn add(self, o: Self) -> Self;
    unsafe fn sub(self, o: Self) -> Self;
    unsafe fn mul(self, o: Self) -> Self;
    unsafe fn div(self, o: Self) -> Self;
    unsafe fn sqrt(self) -> Self;
    /// `self · b + c`, fused.
    unsafe fn mul_add(self, b: Self, c: Self) -> Self;
    /// `if a < b { t } else { f }` per lane (false when either is NaN).
    unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// `if a <= b { t } else { f }` per lane (false when either is NaN).
    unsafe fn select_le(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// `if a or b is NaN { t } else { f }` per lane.
    unsafe fn select_unordered(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// Lane-wise max/min for clamping finite ranges (NaN handling is the caller's business).
    unsafe fn max_raw(self, o: Self) -> Self;
    unsafe fn min_raw(self, o: Self) -> Self;
    /// Round to nearest integer (ties to even).
    unsafe fn round(self) -> Self;
    /// For integral `n` in [-252, 254]: `(2^(n >> 1), 2^(n − (n >> 1)))`, both normal numbers.
    unsafe fn exp2_split(n: Self) -> (Self, Self);
    /// The lanes, for horizontal folds at the end of a row.
    unsafe fn to_array(self) -> [f32; 16] {
        let mut lanes = [0f32; 16];
        self.store(lanes.as_mut_ptr());
        lanes
    }
}

/// `torch.maximum` on vectors: same result as `math::maximum` lane by lane.
#[inline(always)]
pub(crate) unsafe fn maximum<V: Vf32>(a: V, b: V) -> V {
    let m = V::select_lt(a, b, b, a);
    V::select_unordered(a, b, V::splat(f32::NAN), m)
}

/// `torch.minimum` on vectors: same result as `math::minimum` lane by lane.
#[inline(always)]
pub(crate) unsafe fn minimum<V: Vf32>(a: V, b: V) -> V {
    let m = V::select_lt(b, a, b, a);
    V::select_unordered(a, b, V::splat(f32::NAN), m)
}

/// Generates `pub(crate) fn $name(simd: Simd, args…)` that runs `$generic::<V>(args…)` compiled
/// for the requested path, or `$scalar(args…)` on the scalar path (and paths this build lacks).
macro_rules! simd_entry {
    ($(#[$meta:meta])* $name:ident => $generic:ident / $scalar:path, ($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)?) => {
        $(#[$meta])*
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn $name(simd: $crate::cpu::Simd, $($arg: $ty),*) $(-> $ret)? {
            match simd {
                #[cfg(target_arch = "x86_64")]
                $crate::cpu::Simd::Avx512 => {
                    #[target_feature(enable = "avx512f,avx2,fma")]
                    #[allow(clippy::too_many_arguments)]
                    unsafe fn run($($arg: $ty),*) $(-> $ret)? {
                        $generic::<$crate::elementwise::simd::Avx512>($($arg),*)
                    }
                    // SAFETY: `Simd::Avx512` is only handed out when the CPU has these features.
                    unsafe { run($($arg),*) }
                }
                #[cfg(target_arch = "x86_64")]
                $crate::cpu::Simd::Avx2 => {
                    #[target_feature(enable = "avx2,fma")]
                    #[allow(clippy::too_many_arguments)]
                    unsafe fn run($($arg: $ty),*) $(-> $ret)? {
                        $generic::<$crate::elementwise::simd::Avx2>($($arg),*)
                    }
                    // SAFETY: `Simd::Avx2` is only handed out when the CPU has AVX2 and FMA.
                    unsafe { run($($arg),*) }
                }
                #[cfg(target_arch = "aarch64")]
                $crate::cpu::Simd::Neon => {
                    #[target_feature(enable = "neon")]
                    #[allow(clippy::too_many_arguments)]
                    unsafe fn run($($arg: $ty),*) $(-> $ret)? {
                        $generic::<$crate::elementwise::simd::Neon>($($arg),*)
                    }
                    // SAFETY: `Simd::Neon` is only handed out when the CPU has Advanced SIMD.
                    unsafe { run($($arg),*) }
                }
                _ => $scalar($($arg),*),
            }
        }
    };
}
pub(crate) use simd_entry;

/// Applies `vf` to full vectors and `sf` to the tail, reading `a` and `b` and writing `out`.
#[inline(always)]
pub(crate) unsafe fn map2<V: Vf32>(
    a: &[f32],
    b: &[f32],
    out: &mut [f32],
    vf: impl Fn(V, V) -> V,
    sf: impl Fn(f32, f32) -> f32,
) {
    let n = out.len().min(a.len()).min(b.len());
    let full = n - n % V::LANES;
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    let mut i = 0;
    while i < full {
        vf(V::load(pa.add(i)), V::load(pb.add(i))).store(po.add(i));
        i += V::LANES;
    }
    for j in full..n {
        out[j] = sf(a[j], b[j]);
    }
}

/// Applies `vf` to full vectors and `sf` to the tail, reading `x` and writing `out`.
#[inline(always)]
pub(crate) unsafe fn map1<V: Vf32>(
    x: &[f32],
    out: &mut [f32],
    vf: impl Fn(V) -> V,
    sf: impl Fn(f32) -> f32,
) {
    let n = out.len().min(x.len());
    let full = n - n % V::LANES;
    let (px, po) = (x.as_ptr(), out.as_mut_ptr());
    let mut i = 0;
    while i < full {
        vf(V::load(px.add(i))).store(po.add(i));
        i += V::LANES;
    }
    for j in full..n {
        out[j] = sf(x[j]);
    }
}

/// Max of a row with NaN propagation (the value `math::maximum` folds to).
#[inline(always)]
pub(crate) unsafe fn row_max<V: Vf32>(x: &[f32]) -> f32 {
    let n = x.len();
    let full = n - n % V::LANES;
    let mut m = f32::NEG_INFINITY;
    if full > 0 {
        let mut acc = V::load(x.as_ptr());
        let mut i = V::LANES;
        while i < full {
            acc = maximum(acc, V::load(x.as_ptr().add(i)));
            i += V::LANES;
        }
        m = acc.to_array()[..V::LANES]
            .iter()
            .fold(m, |m, &v| crate::elementwise::math::maximum(m, v));
    }
    x[full..]
        .iter()
        .fold(m, |m, &v| crate::elementwise::math::maximum(m, v))
}

/// `Σ exp(x_j − shift)` accumulated in f32 lanes (f64 across lanes), writing each `exp` into
/// `out` when given (same length as `x`).
#[inline(always)]
pub(crate) unsafe fn sum_exp<V: Vf32>(x: &[f32], shift: f32, mut out: Option<&mut [f32]>) -> f32 {
    let n = x.len();
    let full = n - n % V::LANES;
    let s = V::splat(shift);
    let (mut acc0, mut acc1) = (V::splat(0.0), V::splat(0.0));
    let mut i = 0;
    while i < full {
        let e = exp(V::load(x.as_ptr().add(i)).sub(s));
        if let Some(out) = out.as_deref_mut() {
            e.store(out.as_mut_ptr().add(i));
        }
        // Two accumulators halve the add latency chain; they alternate by vector.
        if (i / V::LANES) % 2 == 0 {
            acc0 = acc0.add(e);
        } else {
            acc1 = acc1.add(e);
        }
        i += V::LANES;
    }
    let lanes = acc0.add(acc1).to_array();
    let mut total: f64 = lanes[..V::LANES].iter().map(|&v| v as f64).sum();
    for j in full..n {
        let e = (x[j] - shift).exp();
        if let Some(out) = out.as_deref_mut() {
            out[j] = e;
        }
        total += e as f64;
    }
    total as f32
}

/// `out[i] *= s`.
#[inline(always)]
pub(crate) unsafe fn scale_in_place<V: Vf32>(out: &mut [f32], s: f32) {
    let n = out.len();
    let full = n - n % V::LANES;
    let (v, p) = (V::splat(s), out.as_mut_ptr());
    let mut i = 0;
    while i < full {
        V::load(p.add(i)).mul(v).store(p.add(i));
        i += V::LANES;
    }
    for o in &mut out[full..] {
        *o *= s;
    }
}

/// The path for rows of `len` elements: AVX-512 rows shorter than one register (MNIST's 10
/// classes) would run entirely in the scalar tail, so they take the AVX2 path (always present
/// with AVX-512) instead.
pub(crate) fn for_row_len(simd: crate::cpu::Simd, len: usize) -> crate::cpu::Simd {
    match simd {
        crate::cpu::Simd::Avx512 if len < 16 => crate::cpu::Simd::Avx2,
        other => other,
    }
}
