//! Run-time CPU feature dispatch. The binaries are prebuilt for a whole architecture, so SIMD paths
//! are chosen when the library first runs (never `target-cpu=native`). `KINDLING_SIMD=scalar|avx2|
//! avx512|neon` forces a path (clamped to what the CPU has), which is how tests and benchmarks
//! compare paths; kernels also take a `Simd` argument so tests can walk every available path.
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Simd {
    Scalar,
    /// aarch64 Advanced SIMD (always present on aarch64).
    Neon,
    /// x86-64 AVX2 + FMA.
    Avx2,
    /// x86-64 AVX-512F (+ AVX2/FMA).
    Avx512,
}

impl Simd {
    pub fn name(self) -> &'static str {
        match self {
            Simd::Scalar => "scalar",
            Simd::Neon => "neon",
            Simd::Avx2 => "avx2",
            Simd::Avx512 => "avx512",
        }
    }

    pub fn parse(s: &str) -> Option<Simd> {
        match s.trim().to_ascii_lowercase().as_str() {
            "scalar" => Some(Simd::Scalar),
            "neon" => Some(Simd::Neon),
            "avx2" => Some(Simd::Avx2),
            "avx512" | "avx-512" => Some(Simd::Avx512),
            _ => None,
        }
    }

    /// Whether this CPU can run the path.
    pub fn is_available(self) -> bool {
        match self {
            Simd::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => {
                is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx2")
                    && is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "aarch64")]
            Simd::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// This path if the CPU can run it, else the best one below it that it can (scalar at worst).
    /// Every kernel entry (`simd::kernel!`) dispatches on this, so no path can run on a CPU that
    /// lacks it; the check is one load of a mask detected once.
    #[inline]
    pub fn usable(self) -> Simd {
        if available_mask() & (1 << self as u8) != 0 {
            self
        } else {
            available_paths()
                .into_iter()
                .rfind(|s| *s <= self)
                .unwrap_or(Simd::Scalar)
        }
    }
}

/// Bit `s as u8` is set for every path `s` this CPU can run.
fn available_mask() -> u8 {
    static MASK: OnceLock<u8> = OnceLock::new();
    *MASK.get_or_init(|| {
        available_paths()
            .into_iter()
            .fold(0, |mask, s| mask | 1 << s as u8)
    })
}

/// Every path this CPU can run, scalar first. Tests compare each against `Simd::Scalar`.
pub fn available_paths() -> Vec<Simd> {
    [Simd::Scalar, Simd::Neon, Simd::Avx2, Simd::Avx512]
        .into_iter()
        .filter(|s| s.is_available())
        .collect()
}

/// The best path this CPU has.
pub fn detected() -> Simd {
    available_paths().last().copied().unwrap_or(Simd::Scalar)
}

/// The path kernels use: the best detected one, or `KINDLING_SIMD` when set (clamped to what the
/// CPU can run, so a forced `avx512` on an AVX2 machine runs AVX2 rather than crashing).
pub fn active() -> Simd {
    static ACTIVE: OnceLock<Simd> = OnceLock::new();
    *ACTIVE.get_or_init(|| {
        match std::env::var("KINDLING_SIMD")
            .ok()
            .and_then(|v| Simd::parse(&v))
        {
            Some(forced) => forced.usable(),
            None => detected(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_is_always_available_and_listed_first() {
        let paths = available_paths();
        assert_eq!(paths[0], Simd::Scalar);
        assert!(paths.contains(&detected()));
        assert!(active().is_available());
    }

    #[test]
    fn names_round_trip() {
        for s in [Simd::Scalar, Simd::Neon, Simd::Avx2, Simd::Avx512] {
            assert_eq!(Simd::parse(s.name()), Some(s));
        }
        assert_eq!(Simd::parse("sse9"), None);
    }

    #[test]
    fn usable_clamps_a_path_to_the_best_available_one_below_it() {
        for s in [Simd::Scalar, Simd::Neon, Simd::Avx2, Simd::Avx512] {
            let usable = s.usable();
            assert!(usable.is_available() && usable <= s, "{s:?} -> {usable:?}");
            if s.is_available() {
                assert_eq!(usable, s);
            }
            let better = available_paths().into_iter().filter(|p| *p <= s).max();
            assert_eq!(Some(usable), better, "{s:?}");
        }
    }
}
