import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** glibc's version when this Node runs on glibc (the settings apply only there), else undefined. */
const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;

/**
 * A child process that allocates a training step's mix of buffer sizes (33 MiB in six
 * `Float32Array`s, each written whole, as tensors' storage is), lets the GC free them, and reports the minor page faults per step after
 * warm-up, and whether the addon applied its malloc settings.
 */
function faultsPerStep(env: Record<string, string>): { faults: number; tuned: boolean } {
  // Plain Node with only the addon loaded (as `src/native` loads it), so no earlier allocations
  // (a TypeScript compiler's) have moved glibc's dynamic thresholds before the measurement.
  const script = `
    const native = require('./native/index.js');
    const sizes = [2 << 20, 512 << 10, 2560 << 10, 256 << 10, 2 << 20, 1 << 20];
    const step = () => sizes.map((n) => new Float32Array(n).fill(1)).length;
    for (let i = 0; i < 3; i++) { step(); global.gc(); }
    const before = process.resourceUsage().minorPageFault;
    for (let i = 0; i < 10; i++) { step(); global.gc(); }
    console.log(JSON.stringify({ faults: (process.resourceUsage().minorPageFault - before) / 10, tuned: native.mallocTuned() }));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { cwd: process.cwd(), env: { ...process.env, ...env } });
  return JSON.parse(out.toString()) as { faults: number; tuned: boolean };
}

/** The pages one step writes: what the measurement faults in again when freed memory goes back to the kernel. */
const PAGES_PER_STEP = (4 * ((2 << 20) + (512 << 10) + (2560 << 10) + (256 << 10) + (2 << 20) + (1 << 20))) / 4096;

describe('malloc settings', () => {
  it.skipIf(glibc === undefined)("keep a step's freed buffers for the next step instead of faulting them in again (glibc)", () => {
    // Every tuned run must keep the step's buffers: at most a quarter of its pages faulted again.
    for (let run = 0; run < 2; run++) {
      const tuned = faultsPerStep({});
      expect(tuned.tuned).toBe(true);
      expect(tuned.faults).toBeLessThan(PAGES_PER_STEP / 4);
    }
    // The control shows the measurement sees the faults the settings prevent. glibc's defaults
    // move their mmap threshold with the order of frees, so a run now and then keeps the memory
    // by luck: the control asks that most of the pages fault again in one of three runs.
    const defaults = [0, 1, 2].map(() => faultsPerStep({ KINDLING_MALLOC_TUNING: '0' }));
    for (const run of defaults) expect(run.tuned).toBe(false);
    expect(Math.max(...defaults.map((run) => run.faults))).toBeGreaterThan(PAGES_PER_STEP / 2);
  });
});
