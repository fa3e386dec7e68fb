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

describe('malloc settings', () => {
  it.skipIf(glibc === undefined)("keep a step's freed buffers for the next step instead of faulting them in again (glibc)", () => {
    const tuned = faultsPerStep({});
    const defaults = faultsPerStep({ KINDLING_MALLOC_TUNING: '0' });
    expect(tuned.tuned).toBe(true);
    expect(defaults.tuned).toBe(false);
    // 33 MiB is ~8,400 pages: with glibc's defaults most are faulted in again every step.
    expect(defaults.faults).toBeGreaterThan(4000);
    expect(tuned.faults).toBeLessThan(defaults.faults / 4);
  });
});
