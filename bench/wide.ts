/**
 * Wide workload: MLP 784-1024-1024-10 with Dropout 0.5 after each hidden ReLU, Adam lr 1e-3,
 * batch 256: samples/s over 200 steps after 10 warm-up steps, on kindling, PyTorch and
 * TensorFlow.js (wasm), each in its own process, and kindling and PyTorch on 1 and 2 threads.
 *
 *   npm run bench -- wide          (BENCH_STEPS=n: n timed steps per system)
 */
import { writeChart } from './lib/chart';
import { buildScripts } from './lib/build';
import { loadLine, machineLine } from './lib/machine';
import { fixed, grouped, table, writeSection } from './lib/markdown';
import { mnistDir } from './lib/mnist';
import { Row, saveResults } from './lib/results';
import { ChildResult, runSystem, SystemRun } from './lib/spawn';
import { scalingTable } from './lib/scaling';

/** tfjs-wasm does ~230 samples/s here: 200 steps would take 4 minutes, so it runs fewer. */
const TFJS_STEPS = 20;
const TFJS_WARMUP = 2;

interface Entry extends SystemRun {
  target?: number;
}

const kindling = (threads: number): Entry => ({
  label: 'kindling',
  command: 'node',
  script: 'wide/kindling.ts',
  args: [],
  env: { KINDLING_NUM_THREADS: String(threads) },
});

const pytorch = (threads: number, target?: number): Entry => ({
  label: 'PyTorch',
  command: 'python3',
  script: 'wide/pytorch.py',
  args: ['--threads', String(threads), '--data', mnistDir()],
  env: { OMP_NUM_THREADS: String(threads) },
  target,
});

const tfjsWasm: Entry = {
  label: 'TensorFlow.js (wasm)',
  command: 'node',
  script: 'wide/tfjs.ts',
  args: ['--backend', 'wasm', '--steps', String(TFJS_STEPS), '--warmup', String(TFJS_WARMUP)],
};

const samples = (r: ChildResult): number => r.samplesPerSecond as number;

function mainTable(rows: (Row & { target?: number })[]): string {
  const ours = rows[0].outcome.ok ? samples(rows[0].outcome.result) : NaN;
  const body = rows.map(({ label, outcome, target }) => {
    if (!outcome.ok) return [label, '—', outcome.reason, '—', '—', '—', target ? `≥ ${target}×` : ''];
    const r = outcome.result;
    const ratio = ours / samples(r);
    const goal = target ? `≥ ${target}×${Number.isFinite(ratio) ? (ratio >= target ? ' ✅' : ' ❌') : ''}` : '';
    return [
      label,
      String(r.threads),
      grouped(samples(r)),
      `${r.steps as number} after ${r.warmup as number}`,
      fixed(r.peakRssMb, 0),
      label === 'kindling' ? '1×' : Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—',
      goal,
    ];
  });
  return table(['system', 'threads', 'samples/s', 'steps timed', 'peak RSS MiB', 'kindling faster by', 'issue 5 target'], body);
}

export function run(): void {
  buildScripts();
  const machine = machineLine();
  const load = [loadLine()];
  console.log(`\nwide workload — ${machine}; ${load[0]}`);
  const entries: Entry[] = [kindling(2), pytorch(2, 1.2), tfjsWasm];
  const rows = entries.map((e) => ({ label: e.label, target: e.target, outcome: runSystem(e) }));
  const oneThread = [kindling(1), pytorch(1)].map((e) => ({ label: e.label, outcome: runSystem(e) }));
  load.push(loadLine());

  const main = mainTable(rows);
  const scaling = scalingTable('wide', 'samples/s', samples, [
    ['kindling', oneThread[0], rows[0]],
    ['PyTorch', oneThread[1], rows[1]],
  ]);
  console.log(`\n${main}\n\n${scaling}\n`);
  saveResults('wide', { machine, load, rows: [...rows, ...oneThread.map((r) => ({ ...r, label: `${r.label} (1 thread)` }))] });
  const steps = process.env.BENCH_STEPS ? ` BENCH_STEPS=${process.env.BENCH_STEPS}.` : '';
  writeSection(
    'wide',
    'Wide: MLP 784-1024-1024-10, batch 256 (`npm run bench -- wide`)',
    `${machine}. Machine shared with other jobs: ${load.join(' before, ')} after.${steps}\n\n${main}\n\nThread scaling:\n\n${scaling}`,
  );
  writeChart();
}

if (require.main === module) run();
