/**
 * LSTM workload (issue 17): one Adam training step of a 2-layer `nn.LSTM` (input 256, hidden 256)
 * over a sequence of 64 at batch 32 with an MSE loss (bench/lstm/kindling.ts, bench/lstm/pytorch.py)
 * — kindling and PyTorch on 2 threads, alternating in one run (3 runs each): ms per step,
 * kindling's ratio, GFLOP/s against the machine's peak, where kindling's step goes, and each
 * process's peak memory.
 *
 *   npm run bench -- lstm     (BENCH_STEPS=n sets the timed steps per run, default 10)
 */
import { buildScripts } from './lib/build';
import { loadLine, machineLine, peakGflops } from './lib/machine';
import { fixed, table, writeSection } from './lib/markdown';
import { Row, saveResults } from './lib/results';
import { ChildResult, runSystem, SystemRun } from './lib/spawn';

const [IN, H, L, T, B] = [256, 256, 2, 64, 32];

/**
 * FLOP of one step: each layer's forward is two GEMMs per step's batch — the input projection
 * (B·In·4H multiply-adds) and the recurrent one (B·H·4H) — over T steps; the backward is the
 * grad weight of both and the grad input of both but the first layer's input projection (the
 * data needs no gradient). Gates, loss and Adam are O(elements).
 */
export function stepGflop(): number {
  let macs = 0;
  for (let layer = 0; layer < L; layer++) {
    const inSize = layer === 0 ? IN : H;
    const forward = T * B * 4 * H * (inSize + H);
    const backward = 2 * forward - (layer === 0 ? T * B * 4 * H * inSize : 0);
    macs += forward + backward;
  }
  return (2 * macs) / 1e9;
}

const kindling: SystemRun = { label: 'kindling', command: 'node', script: 'lstm/kindling.ts', args: [], env: { KINDLING_NUM_THREADS: '2' } };
const pytorch: SystemRun = { label: 'PyTorch', command: 'python3', script: 'lstm/pytorch.py', args: ['--threads', '2'], env: { OMP_NUM_THREADS: '2' } };
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

export function run(): void {
  buildScripts();
  const machine = machineLine();
  const load = [loadLine()];
  console.log(`\nLSTM workload — ${machine}; ${load[0]}`);
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
  const speedLine = Number.isFinite(ratio) ? `kindling's step is ${fixed(ratio, 2)}× PyTorch's (issue 17 target ≥ 1.2×${ratio >= 1.2 ? ' ✅' : ' ❌'}).` : '';
  const peakLine = `Peak ${fixed(peak.gflops, 1)} GFLOP/s = ${peak.how}.`;
  console.log(`\n${stepTable}\n\n${speedLine}\n${peakLine}\n\n${phases}\n`);
  saveResults('lstm', { machine, load, rows });
  writeSection(
    'lstm',
    'LSTM: one Adam step of a 2-layer LSTM, hidden 256, sequence 64, batch 32 (`npm run bench -- lstm`)',
    [
      `${machine}. Machine shared with other jobs: ${load.join(' before, ')} after.`,
      `One step = zeroGrad + forward + MSE + backward + Adam (lr 1e-3) of \`LSTM(${IN}, ${H}, numLayers ${L})\` on a random time-major batch (${T} steps × ${B} × ${IN}) against a random target: ${fixed(gflop, 2)} GFLOP (\`stepGflop\` in bench/lstm.ts). kindling and PyTorch alternate, 3 runs of 10 steps each after 2 warm-up steps.`,
      stepTable,
      `${speedLine} ${peakLine}`,
      phases,
    ]
      .filter((s) => s)
      .join('\n\n'),
  );
}

if (require.main === module) run();
