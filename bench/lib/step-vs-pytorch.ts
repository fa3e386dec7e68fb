/**
 * The shape of the training-step workloads (`gpt`, `lstm`): kindling's child and PyTorch's on 2
 * threads, alternating in one run (`STEP_RUNS` each, `BENCH_RUNS` overrides); prints and writes to BENCHMARKS.md the ms per
 * step, kindling's ratio against the issue's target, GFLOP/s against the machine's peak, the
 * phases of kindling's step (its child's `profile`) and each process's peak memory.
 */
import { buildScripts } from './build';
import { loadLine, machineLine, peakGflops } from './machine';
import { fixed, table, writeSection } from './markdown';
import { Row, saveResults } from './results';
import { ChildResult, runSystem, SystemRun } from './spawn';

export interface StepWorkload {
  /** The BENCHMARKS.md section and bench/results file name (`gpt`). */
  name: string;
  /** The section's heading and the console line's label. */
  title: string;
  label: string;
  /** The children, relative to bench/ (`gpt/kindling.ts`, `gpt/pytorch.py`). */
  kindlingScript: string;
  pytorchScript: string;
  /** The issue whose target the ratio is held to, and the target (kindling faster by). */
  issue: number;
  target: number;
  /** FLOP of one step, for GFLOP/s. */
  gflop: number;
  /** The paragraph that says what one step is (after the machine line). */
  describe: (gflop: string) => string;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

/**
 * Runs per system: 5, alternating. This machine's two vCPUs share the host with other guests and
 * a whole run can land in a slower state (both systems' runs went from ~82 to ~100 ms and back on
 * the char-GPT, 2026-12-04); more alternating runs let both medians see the same states.
 */
export const STEP_RUNS = 5;

export function runStepWorkload(w: StepWorkload): void {
  buildScripts();
  const kindling: SystemRun = { label: 'kindling', command: 'node', script: w.kindlingScript, args: [], env: { KINDLING_NUM_THREADS: '2' } };
  const pytorch: SystemRun = { label: 'PyTorch', command: 'python3', script: w.pytorchScript, args: ['--threads', '2'], env: { OMP_NUM_THREADS: '2' } };
  const machine = machineLine();
  const load = [loadLine()];
  console.log(`\n${w.label} workload — ${machine}; ${load[0]}`);
  const runs: Record<string, ChildResult[]> = { kindling: [], PyTorch: [] };
  const rows: Row[] = [];
  const rounds = Number(process.env.BENCH_RUNS ?? STEP_RUNS);
  for (let i = 0; i < rounds; i++) {
    for (const system of [kindling, pytorch]) {
      const outcome = runSystem(system);
      rows.push({ label: system.label, outcome });
      if (outcome.ok) runs[system.label].push(outcome.result);
    }
  }
  load.push(loadLine());
  const peak = peakGflops();
  const msOf = (label: string): number => (runs[label].length ? median(runs[label].map((r) => r.msPerStep as number)) : NaN);
  const ours = msOf('kindling');
  const stepTable = table(
    ['system', 'threads', 'ms/step (median)', 'runs', 'GFLOP/s', 'of peak', 'peak RSS MB', 'kindling faster by'],
    ['kindling', 'PyTorch'].map((label) => {
      if (!runs[label].length) return [label, '—', '—', '—', '—', '—', '—', '—'];
      const m = msOf(label);
      const rate = w.gflop / (m / 1000);
      return [
        label,
        String(runs[label][0].threads),
        fixed(m, 1),
        runs[label].map((r) => fixed(r.msPerStep as number, 1)).join(' / '),
        fixed(rate, 1),
        `${fixed((100 * rate) / peak.gflops, 1)} %`,
        fixed(median(runs[label].map((r) => r.peakRssMb as number)), 0),
        label === 'kindling' ? '1.00×' : `${fixed(m / ours, 2)}×`,
      ];
    }),
  );
  const phases = runs.kindling.length
    ? table(
        ['kindling phase', 'ms (median of runs)', 'share'],
        Object.keys(runs.kindling[0].profile as Record<string, number>).map((k) => {
          const ms = median(runs.kindling.map((r) => (r.profile as Record<string, number>)[k]));
          return [k, fixed(ms, 1), `${fixed((100 * ms) / ours, 1)} %`];
        }),
      )
    : 'kindling did not run.';
  const ratio = msOf('PyTorch') / ours;
  const verdict = ratio >= w.target ? ' ✅' : ' ❌';
  // Each kindling run and the PyTorch run right after it saw the host in about the same state: the
  // median of those pairs' ratios, beside the ratio of the medians the verdict uses.
  const pairs = pairedRatios(rows);
  const pairedLine = pairs.length ? ` Run by run (each kindling run against the PyTorch run after it): ${pairs.map((r) => `${fixed(r, 2)}×`).join(', ')}; median ${fixed(median(pairs), 2)}×.` : '';
  const speedLine = Number.isFinite(ratio) ? `kindling's step is ${fixed(ratio, 2)}× PyTorch's (issue ${w.issue} target ≥ ${w.target}×${verdict}).${pairedLine}` : '';
  const peakLine = `Peak ${fixed(peak.gflops, 1)} GFLOP/s, ${peak.how}.`;
  console.log(`\n${stepTable}\n\n${speedLine}\n${peakLine}\n\n${phases}\n`);
  saveResults(w.name, { machine, load, rows });
  writeSection(
    w.name,
    w.title,
    [`${machine}. Machine shared with other jobs: ${load.join(' before, ')} after.`, w.describe(fixed(w.gflop, 2)), stepTable, `${speedLine} ${peakLine}`, phases]
      .filter((s) => s)
      .join('\n\n'),
  );
}

/** PyTorch's ms per step over kindling's for each kindling run and the PyTorch run that followed it. */
export function pairedRatios(rows: readonly Row[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < rows.length; i++) {
    const [a, b] = [rows[i], rows[i + 1]];
    if (a.label !== 'kindling' || b.label !== 'PyTorch' || !a.outcome.ok || !b.outcome.ok) continue;
    out.push((b.outcome.result.msPerStep as number) / (a.outcome.result.msPerStep as number));
  }
  return out;
}
