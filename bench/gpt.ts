/**
 * char-GPT workload (issue 14): one AdamW training step of nanoGPT's model — 4 layers, 4 heads,
 * width 128, context 64, batch 32, vocabulary 65 (examples/gpt-model.ts; bench/gpt/pytorch.py is
 * the same model in PyTorch) — kindling and PyTorch on 2 threads, alternating in one run (3 runs
 * each): ms per step, kindling's ratio, GFLOP/s against the machine's peak, where kindling's step
 * goes, and each process's peak memory.
 *
 *   npm run bench -- gpt     (BENCH_STEPS=n sets the timed steps per run, default 20)
 */
import { buildScripts } from './lib/build';
import { loadLine, machineLine, peakGflops } from './lib/machine';
import { fixed, table, writeSection } from './lib/markdown';
import { Row, saveResults } from './lib/results';
import { ChildResult, runSystem, SystemRun } from './lib/spawn';

const [V, T, L, C, B] = [65, 64, 4, 128, 32];

/**
 * FLOP of one step: 2 × 3 (forward, then grad input and grad weight) × the multiply-adds of the
 * forward per token — per layer the four projections (12·C²) and attention's two products over
 * the whole context (2·T·C, masked half included, as a dense kernel computes it), plus the head
 * (C·V) — times B·T tokens. Embeddings, norms, softmax and AdamW are O(elements).
 */
export function stepGflop(): number {
  const perToken = L * (12 * C * C + 2 * T * C) + C * V;
  return (6 * B * T * perToken) / 1e9;
}

const kindling: SystemRun = { label: 'kindling', command: 'node', script: 'gpt/kindling.ts', args: [], env: { KINDLING_NUM_THREADS: '2' } };
const pytorch: SystemRun = { label: 'PyTorch', command: 'python3', script: 'gpt/pytorch.py', args: ['--threads', '2'], env: { OMP_NUM_THREADS: '2' } };
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

export function run(): void {
  buildScripts();
  const machine = machineLine();
  const load = [loadLine()];
  console.log(`\nchar-GPT workload — ${machine}; ${load[0]}`);
  const runs: Record<string, ChildResult[]> = { kindling: [], PyTorch: [] };
  const rows: Row[] = [];
  for (let i = 0; i < 3; i++) {
    for (const system of [kindling, pytorch]) {
      const outcome = runSystem(system);
      rows.push({ label: system.label, outcome });
      if (outcome.ok) runs[system.label].push(outcome.result);
    }
  }
  load.push(loadLine());
  const gflop = stepGflop();
  const peak = peakGflops();
  const msOf = (label: string): number => (runs[label].length ? median(runs[label].map((r) => r.msPerStep as number)) : NaN);
  const ours = msOf('kindling');
  const stepTable = table(
    ['system', 'threads', 'ms/step (median)', 'runs', 'GFLOP/s', 'of peak', 'peak RSS MB', 'kindling faster by'],
    ['kindling', 'PyTorch'].map((label) => {
      if (!runs[label].length) return [label, '—', '—', '—', '—', '—', '—', '—'];
      const m = msOf(label);
      const rate = gflop / (m / 1000);
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
  const speedLine = Number.isFinite(ratio) ? `kindling's step is ${fixed(ratio, 2)}× PyTorch's (issue 14 target ≥ 1.2×${ratio >= 1.2 ? ' ✅' : ' ❌'}).` : '';
  const peakLine = `Peak ${fixed(peak.gflops, 1)} GFLOP/s = ${peak.how}.`;
  console.log(`\n${stepTable}\n\n${speedLine}\n${peakLine}\n\n${phases}\n`);
  saveResults('gpt', { machine, load, rows });
  writeSection(
    'gpt',
    'char-GPT: one AdamW step of a 4-layer, width-128 GPT (`npm run bench -- gpt`)',
    [
      `${machine}. Machine shared with other jobs: ${load.join(' before, ')} after.`,
      `One step = zeroGrad + forward + cross-entropy + backward + AdamW on ${B} random sequences of ${T} tokens (vocabulary ${V}, ${L} layers, 4 heads, width ${C}, dropout 0): ${fixed(gflop, 2)} GFLOP (\`stepGflop\` in bench/gpt.ts). kindling and PyTorch alternate, 3 runs of 20 steps each after 3 warm-up steps.`,
      stepTable,
      `${speedLine} ${peakLine}`,
      phases,
    ]
      .filter((s) => s)
      .join('\n\n'),
  );
}

if (require.main === module) run();
