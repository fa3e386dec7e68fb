/**
 * The child side of a benchmark run: every system runs in its own process and ends by printing one
 * `BENCH_RESULT {json}` line, to which this adds the process's peak resident memory.
 */
import * as fs from 'node:fs';

export const RESULT_TAG = 'BENCH_RESULT ';

/** Peak resident set size of this process in MiB (VmHWM), or null off Linux. */
export function peakRssMb(): number | null {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${RESULT_TAG}${JSON.stringify({ ...result, peakRssMb: peakRssMb() })}\n`);
}

/** `BENCH_STEPS` caps the steps of a run (quick runs); epoch figures are then extrapolated. */
export function stepsCap(fallback: number): number {
  const raw = process.env.BENCH_STEPS;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? Math.min(n, fallback) : fallback;
}

/** Value of `--name value` on the command line, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** Fisher–Yates shuffle of 0..n-1 with a small seeded generator (the references' own RNGs differ anyway). */
export function permutation(n: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
