/**
 * Which SIMD code the kernels run: `torch.backends.cpu.getCpuCapability()` with PyTorch's
 * spellings, and kindling's own `simdPath()`, which also tells NEON from no SIMD (PyTorch says
 * "DEFAULT" for both). One binary per platform picks its path at run time (docs/ARCHITECTURE.md,
 * "The SIMD layer"); `KINDLING_SIMD` can force a lower one.
 */
import { kernels } from './ops/kernels';

/** The kernels' SIMD path on this CPU. */
export type SimdPath = 'avx512' | 'avx2' | 'neon' | 'scalar';

/** The SIMD path the kernels run on this CPU: `avx512`, `avx2`, `neon` or `scalar`. */
export function simdPath(): SimdPath {
  return kernels.simdPath() as SimdPath;
}

const PYTORCH_NAMES: Record<SimdPath, string> = { avx512: 'AVX512', avx2: 'AVX2', neon: 'DEFAULT', scalar: 'DEFAULT' };

/** `torch.backends.cpu`. */
export const cpu = {
  /** PyTorch's name for the SIMD level in use: "AVX512", "AVX2" or "DEFAULT". */
  getCpuCapability(): string {
    return PYTORCH_NAMES[simdPath()];
  },
};
