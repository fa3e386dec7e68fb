/**
 * MNIST CNN workload (issue 13): pytorch/examples mnist/main.py's Net (two convolutions, max
 * pooling, two dropouts, fc 9216→128→10), Adadelta, batch 64, on kindling and PyTorch with 2
 * threads, alternating in one run: ms per training step (median of each run, 3 runs each), the
 * GFLOP/s that is, kindling's time per phase, and one full epoch of each with its test accuracy.
 * TensorFlow.js is not in this table yet (listed as left out in issue 13's note).
 *
 *   npm run bench -- cnn          (BENCH_CNN_EPOCH=0 skips the epoch runs)
 */
import { buildScripts } from './lib/build';
import { loadLine, machineLine } from './lib/machine';
import { fixed, table, writeSection } from './lib/markdown';
import { mnistDir } from './lib/mnist';
import { saveResults } from './lib/results';
import { ChildResult, Outcome, runSystem, SystemRun } from './lib/spawn';

/** Multiply-adds ×2 of one training step at batch 64: forward, grad input, grad weight. */
function stepGflop(): number {
  const batch = 64;
  const conv1 = 26 * 26 * 32 * 9; // per image: outputs × (1 channel · 3 × 3)
  const conv2 = 24 * 24 * 64 * 32 * 9;
  const fc = 9216 * 128 + 128 * 10;
  const forward = batch * (conv1 + conv2 + fc) * 2;
  // Backward: grad weight for every layer, grad input for all but conv1 (its input is data).
  const backward = batch * (conv1 + 2 * conv2 + 2 * fc) * 2;
  return (forward + backward) / 1e9;
}

const kindling = (mode: string): SystemRun => ({ label: 'kindling', command: 'node', script: 'cnn/kindling.ts', args: ['--mode', mode], env: { KINDLING_NUM_THREADS: '2' } });
const pytorch = (mode: string): SystemRun => ({ label: 'PyTorch', command: 'python3', script: 'cnn/pytorch.py', args: ['--mode', mode, '--threads', '2', '--data', mnistDir()], env: { OMP_NUM_THREADS: '2' } });

const ok = (o: Outcome): ChildResult | null => (o.ok ? o.result : null);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

export function run(): void {
  buildScripts();
  const machine = machineLine();
  const load = [loadLine()];
  console.log(`\nMNIST CNN workload — ${machine}; ${load[0]}`);
  const runs: Record<string, ChildResult[]> = { kindling: [], PyTorch: [] };
  for (let i = 0; i < 3; i++) {
    for (const system of [kindling('steps'), pytorch('steps')]) {
      const r = ok(runSystem(system));
      if (r) runs[system.label].push(r);
    }
  }
  const epochs = process.env.BENCH_CNN_EPOCH === '0' ? [] : [kindling('epoch'), pytorch('epoch')].map((s) => ({ label: s.label, outcome: runSystem(s) }));
  load.push(loadLine());

  const ms = (label: string): number => (runs[label].length ? median(runs[label].map((r) => r.msPerStep as number)) : NaN);
  const gflop = stepGflop();
  const ours = ms('kindling');
  const rows = ['kindling', 'PyTorch'].map((label) => {
    const m = ms(label);
    const spread = runs[label].map((r) => fixed(r.msPerStep as number, 1)).join(' / ');
    return [label, fixed(m, 1), spread, fixed(gflop / (m / 1000), 1), label === 'kindling' ? '1.00×' : `${fixed(m / ours, 2)}×`];
  });
  const stepTable = table(['system (2 threads)', 'ms/step (median)', 'runs', 'GFLOP/s', 'kindling speed-up'], rows);
  const profile = runs.kindling.length ? (runs.kindling[runs.kindling.length - 1].profile as Record<string, number>) : {};
  const profileTable = table(['kindling phase', 'ms (median of the run)'], Object.entries(profile).map(([k, v]) => [k, fixed(v, 2)]));
  const epochTable = table(
    ['system', 'epoch s', 'test loss', 'test accuracy'],
    epochs.map(({ label, outcome }) => {
      const r = ok(outcome);
      return r ? [label, fixed(r.epochSeconds as number, 1), fixed(r.testLoss as number, 4), `${fixed((r.testAccuracy as number) * 100, 2)} %`] : [label, '—', '—', outcome.ok ? '—' : outcome.reason];
    }),
  );
  console.log(`\n${stepTable}\n\n${profileTable}\n\n${epochTable}\n`);
  saveResults('cnn', { machine, load, rows: [...Object.entries(runs).flatMap(([label, rs]) => rs.map((r) => ({ label, outcome: { ok: true as const, result: r } }))), ...epochs] });
  writeSection(
    'cnn',
    'MNIST CNN: pytorch/examples mnist/main.py, one training step and one epoch (`npm run bench -- cnn`)',
    `${machine}. ${load.join(' before, ')} after. One step = forward + backward + Adadelta at batch 64, ${fixed(gflop, 2)} GFLOP (convolutions and linear layers); 3 alternating runs of 60 steps per system after 5 warm-up steps.\n\n${stepTable}\n\nWhere kindling's step goes (forward phases timed around each layer; the backward as one):\n\n${profileTable}\n\nOne epoch (938 steps, no shuffle, as the example on a CPU) and the test set:\n\n${epochTable}`,
  );
}

if (require.main === module) run();
