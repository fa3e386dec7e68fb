//! Flush-to-zero for kernels whose state decays into the subnormal range.
//!
//! NOTE [ Why flush subnormals ]
//! Optimizer state decays geometrically where a gradient is zero (Adam's `exp_avg` ×β1 per step,
//! SGD's momentum buffer ×momentum): MNIST's border pixels are always 0, so their weights' state
//! reaches the subnormal range after a few hundred steps. x86 handles every subnormal operand or
//! result in microcode (~100+ cycles), which made Adam 5–10× slower on the seed. With FTZ|DAZ the
//! state values below 2^-126 become 0; the parameters they would have moved change by less than
//! half an ulp (Adam: an update below 2^-126·lr/eps), so results are those of the exact maths.
//!
//! The guard sets the mode on the thread that creates it and restores the previous mode on drop,
//! so Node's main thread and the pool's workers leave every kernel with the mode they entered it.
//! Create one inside each parallel task (the mode is per thread), around the element loops only.
//! On aarch64 it sets FPCR.FZ (flushes subnormal inputs and results of single precision); on
//! other architectures it does nothing.

/// While alive, subnormal `f32`/`f64` operands read as zero and subnormal results are flushed to
/// zero on this thread.
#[must_use = "the mode is restored when the guard is dropped"]
pub struct FlushDenormals {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    saved: u64,
}

/// MXCSR's flush-to-zero (results) and denormals-are-zero (operands) bits.
#[cfg(target_arch = "x86_64")]
const MXCSR_FTZ_DAZ: u32 = (1 << 15) | (1 << 6);

/// FPCR's FZ bit.
#[cfg(target_arch = "aarch64")]
const FPCR_FZ: u64 = 1 << 24;

impl FlushDenormals {
    #[inline(always)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            let saved = read_mode();
            if saved & MXCSR_FTZ_DAZ != MXCSR_FTZ_DAZ {
                write_mode(saved | MXCSR_FTZ_DAZ);
            }
            FlushDenormals {
                saved: saved as u64,
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            let saved = read_mode();
            if saved & FPCR_FZ == 0 {
                write_mode(saved | FPCR_FZ);
            }
            FlushDenormals { saved }
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        FlushDenormals {}
    }
}

impl Drop for FlushDenormals {
    #[inline(always)]
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        if self.saved as u32 & MXCSR_FTZ_DAZ != MXCSR_FTZ_DAZ {
            write_mode(self.saved as u32);
        }
        #[cfg(target_arch = "aarch64")]
        if self.saved & FPCR_FZ == 0 {
            write_mode(self.saved);
        }
    }
}

// The asm blocks are not `nomem`, so the compiler keeps the kernel's loads and stores (and hence
// the arithmetic between them) on the right side of the mode switches.

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn read_mode() -> u32 {
    let mut csr = 0u32;
    // SAFETY: `stmxcsr` stores the 32-bit MXCSR to the given, writable address.
    unsafe {
        std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags));
    }
    csr
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn write_mode(csr: u32) {
    // SAFETY: `csr` is a value read from MXCSR with only the FTZ/DAZ bits changed (DAZ exists on
    // every x86-64 CPU: SSE2 is baseline), so no reserved bit is set.
    unsafe {
        std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly, preserves_flags));
    }
}

#[cfg(target_arch = "aarch64")]
#[inline(always)]
fn read_mode() -> u64 {
    let fpcr: u64;
    // SAFETY: FPCR is readable at EL0.
    unsafe {
        std::arch::asm!("mrs {}, fpcr", out(reg) fpcr, options(nostack, preserves_flags));
    }
    fpcr
}

#[cfg(target_arch = "aarch64")]
#[inline(always)]
fn write_mode(fpcr: u64) {
    // SAFETY: FPCR is writable at EL0; only the FZ bit differs from the value read.
    unsafe {
        std::arch::asm!("msr fpcr, {}", in(reg) fpcr, options(nostack, preserves_flags));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hint::black_box;

    /// Half the smallest normal float: a subnormal result without the guard.
    fn halve_min_normal() -> f32 {
        black_box(f32::MIN_POSITIVE) * black_box(0.5f32)
    }

    /// A subnormal operand: read as 0 under DAZ.
    fn double_subnormal() -> f32 {
        black_box(f32::from_bits(1)) * black_box(2.0f32)
    }

    #[test]
    fn subnormals_are_flushed_only_while_the_guard_lives() {
        assert!(halve_min_normal().is_subnormal());
        assert_eq!(double_subnormal().to_bits(), 2);
        {
            let _flush = FlushDenormals::new();
            if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
                assert_eq!(halve_min_normal(), 0.0);
                assert_eq!(double_subnormal(), 0.0);
            }
            // Normal arithmetic is untouched.
            assert_eq!(black_box(1.5f32) * black_box(3.0f32), 4.5);
            assert_eq!(
                black_box(f32::MIN_POSITIVE) * black_box(2.0f32),
                2.0 * f32::MIN_POSITIVE
            );
        }
        assert!(halve_min_normal().is_subnormal());
        assert_eq!(double_subnormal().to_bits(), 2);
    }

    #[test]
    fn nested_guards_keep_the_mode_until_the_outer_one_drops() {
        {
            let _outer = FlushDenormals::new();
            {
                let _inner = FlushDenormals::new();
            }
            if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
                assert_eq!(halve_min_normal(), 0.0);
            }
        }
        assert!(halve_min_normal().is_subnormal());
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_other_mxcsr_bit_is_restored() {
        let before = read_mode();
        {
            let _flush = FlushDenormals::new();
            assert_eq!(read_mode(), before | MXCSR_FTZ_DAZ);
        }
        assert_eq!(read_mode(), before);
    }
}
