/**
 * Seed workload: the seed program's training (MLP 784-64-32-10, Dropout 0.5, Adam lr 1e-4, batch 10,
 * shuffled, one epoch of the 60,000 MNIST images) on kindling, PyTorch (the seed's own loop and the
 * fast loop) and TensorFlow.js (cpu and wasm), each in its own process, in one run. Prints the table
 * with kindling's speed-up over each, a thread-scaling table, and writes both to BENCHMARKS.md.
 *
 *   npm run bench -- seed          (BENCH_STEPS=n: n steps per system, epoch time extrapolated)
 */
import { writeChart } from './lib/chart';
import { buildScripts } from './lib/build';
import { loadLine, machineLine } from './lib/machine';
import { fixed, table, writeSection } from './lib/markdown';
import { scalingTable } from './lib/scaling';
import { mnistDir } from './lib/mnist';
import { Row, saveResults } from './lib/results';
import { ChildResult, runSystem, SystemRun } from './lib/spawn';

/** tfjs-cpu needs ~2 minutes per epoch: it trains this many steps and the epoch is extrapolated. */
const TFJS_CPU_STEPS = 600;

/**
 * Which kindling run a reference is compared with: the seed's own loop (`numWorkers: 1`, as the
 * seed program writes it) against PyTorch's seed loop, and kindling's fast loop (`numWorkers: 0`:
 * batches built in the training thread) against the references that feed preloaded tensors
 * (PyTorch's fast loop, TensorFlow.js) — like with like.
 */
type Versus = 'seed' | 'fast';

interface Entry extends SystemRun {
  /** Issue 5's target: kindling at least this many times faster. */
  target?: number;
  versus?: Versus;
}

const KINDLING_LABEL: Record<Versus, string> = {
  seed: "kindling, the seed's loop (DataLoader, 1 worker)",
  fast: 'kindling, fast loop (DataLoader, no worker)',
};

function kindling(loop: Versus, threads: number): Entry {
  const workers = loop === 'seed' ? '1' : '0';
  return { label: KINDLING_LABEL[loop], command: 'node', script: 'seed/kindling.ts', args: ['--workers', workers], env: { KINDLING_NUM_THREADS: String(threads) } };
}

function pytorch(loop: Versus, threads: number, target?: number): Entry {
  return {
    versus: loop,
    label: `PyTorch, ${loop === 'seed' ? "the seed's loop (DataLoader, 1 worker)" : 'fast loop (TensorDataset)'}`,
    command: 'python3',
    script: 'seed/pytorch.py',
    args: ['--loop', loop, '--threads', String(threads), '--data', mnistDir()],
    env: { OMP_NUM_THREADS: String(threads) },
    target,
  };
}

function tfjs(backend: 'cpu' | 'wasm', target?: number): Entry {
  const steps = backend === 'cpu' ? ['--steps', String(TFJS_CPU_STEPS)] : [];
  return { label: `TensorFlow.js (${backend})`, command: 'node', script: 'seed/tfjs.ts', args: ['--backend', backend, ...steps], target, versus: 'fast' };
}

const num = (r: ChildResult, key: string): number => r[key] as number;

function mainTable(rows: (Row & { target?: number; versus?: Versus })[]): string {
  const epochOf = (label: string): number => {
    const row = rows.find((r) => r.label === label);
    return row?.outcome.ok ? num(row.outcome.result, 'epochSeconds') : NaN;
  };
  const body = rows.map(({ label, outcome, target, versus }) => {
    if (!outcome.ok) return [label, '—', outcome.reason, '—', '—', '—', '—', '—', target ? `≥ ${target}×` : ''];
    const ours = versus === undefined ? NaN : epochOf(KINDLING_LABEL[versus]);
    const r = outcome.result;
    const epoch = num(r, 'epochSeconds');
    const note = r.extrapolated ? ` (${num(r, 'steps')} steps, extrapolated)` : '';
    const acc = r.testAccuracy === null ? '—' : `${(num(r, 'testAccuracy') * 100).toFixed(1)} %`;
    const rss = `${fixed(r.peakRssMb, 0)}${typeof r.workerPeakRssMb === 'number' ? ` + ${r.workerPeakRssMb.toFixed(0)} worker` : ''}`;
    const ratio = epoch / ours; // NaN when kindling itself did not run
    const speedup = versus === undefined ? '—' : Number.isFinite(ratio) ? `${ratio.toFixed(1)}× (vs ${versus === 'seed' ? "seed's loop" : 'fast loop'})` : '—';
    const goal = target ? `≥ ${target}×${Number.isFinite(ratio) ? (ratio >= target ? ' ✅' : ' ❌') : ''}` : '';
    const cpu = (num(r, 'cpuSeconds') * num(r, 'epochSteps')) / num(r, 'steps');
    const row = [label, String(r.threads), `${epoch.toFixed(2)}${note}`, cpu.toFixed(2), fixed(num(r, 'steps') / num(r, 'seconds'), 0)];
    return [...row, acc, rss, speedup, goal];
  });
  const header = ['system', 'threads', 'epoch s', 'CPU s', 'steps/s', 'test accuracy', 'peak RSS MiB', 'kindling faster by', 'issue 5 target'];
  return table(header, body);
}

export function run(): void {
  buildScripts();
  const machine = machineLine();
  const load = [loadLine()];
  console.log(`\nseed workload — ${machine}; ${load[0]}`);
  const entries: Entry[] = [kindling('seed', 2), kindling('fast', 2), pytorch('fast', 2, 10), pytorch('seed', 2, 25), tfjs('wasm', 40), tfjs('cpu')];
  const rows = entries.map((e) => ({ label: e.label, target: e.target, versus: e.versus, outcome: runSystem(e) }));
  const oneThread = [kindling('seed', 1), kindling('fast', 1), pytorch('fast', 1)].map((e) => ({ label: e.label, outcome: runSystem(e) }));
  load.push(loadLine());

  const main = mainTable(rows);
  const scaling = scalingTable('seed', 'epoch s', (r) => num(r, 'epochSeconds'), [
    ["kindling, seed's loop", oneThread[0], rows[0]],
    ['kindling, fast loop', oneThread[1], rows[1]],
    ['PyTorch fast loop', oneThread[2], rows[2]],
  ]);
  console.log(`\n${main}\n\n${scaling}\n`);
  saveResults('seed', { machine, load, rows: [...rows, ...oneThread.map((r) => ({ ...r, label: `${r.label} (1 thread)` }))] });
  const steps = process.env.BENCH_STEPS ? ` BENCH_STEPS=${process.env.BENCH_STEPS}: epoch times extrapolated.` : '';
  writeSection(
    'seed',
    'Seed: the seed program, one epoch (`npm run bench -- seed`)',
    `${machine}. Machine shared with other jobs: ${load.join(' before, ')} after.${steps}\n\n${main}\n\nThread scaling:\n\n${scaling}`,
  );
  writeChart();
}

if (require.main === module) run();
