/**
 * MNIST CNN workload (issue 13): pytorch/examples mnist/main.py's Net (two convolutions, max
 * pooling, two dropouts, fc 9216→128→10), Adadelta lr 1.0, batch 64, on kindling and PyTorch with
 * 2 threads, alternating in one run (3 runs each), and TensorFlow.js (wasm) with the same network
 * once: ms per training step (median), kindling's speed-up, the GFLOP/s that is against the
 * machine's peak, where kindling's step goes (every op's forward and backward), and one full epoch
 * of kindling and PyTorch with the test accuracy the example prints.
 *
 *   npm run bench -- cnn     (BENCH_CNN_EPOCH=0 skips the epoch runs; BENCH_CNN_TFJS=0 the tfjs row;
 *                             BENCH_STEPS=n sets the steps per run: 60 for kindling and PyTorch,
 *                             30 for tfjs by default)
 */
import { writeChart } from './lib/chart';
import { buildScripts } from './lib/build';
import { loadLine, machineLine, peakGflops } from './lib/machine';
import { fixed, table, writeSection } from './lib/markdown';
import { mnistDir } from './lib/mnist';
import { Row, saveResults } from './lib/results';
import { ChildResult, Outcome, runSystem, SystemRun } from './lib/spawn';

const BATCH = 64;

/**
 * Multiply-adds of one training step at batch 64 (× 2 = FLOP): the forward of the two
 * convolutions and two linear layers; backward, the grad weight of each and the grad input of all
 * but conv1 (its input is the data). Pooling, activations, loss and the optimizer are O(elements),
 * under 0.1 % of it.
 */
export function stepGflop(): number {
  const conv1 = 26 * 26 * 32 * (1 * 3 * 3); // per image: outputs × (in channels · 3 × 3)
  const conv2 = 24 * 24 * 64 * (32 * 3 * 3);
  const fc = 9216 * 128 + 128 * 10;
  const forward = conv1 + conv2 + fc;
  const backward = conv1 + 2 * conv2 + 2 * fc;
  return (BATCH * (forward + backward) * 2) / 1e9;
}

const kindling = (mode: string): SystemRun => ({ label: 'kindling', command: 'node', script: 'cnn/kindling.ts', args: ['--mode', mode], env: { KINDLING_NUM_THREADS: '2' } });
const pytorch = (mode: string): SystemRun => ({ label: 'PyTorch', command: 'python3', script: 'cnn/pytorch.py', args: ['--mode', mode, '--threads', '2', '--data', mnistDir()], env: { OMP_NUM_THREADS: '2' } });
const tfjs = (): SystemRun => ({ label: 'TensorFlow.js (wasm)', command: 'node', script: 'cnn/tfjs.ts', args: ['--backend', 'wasm'] });

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

/** The ops of the Net in execution order, as the kindling child names its phases. */
const OPS = ['conv1', 'relu (conv1)', 'conv2', 'relu (conv2)', 'maxPool2d', 'dropout1', 'flatten', 'fc1', 'relu (fc1)', 'dropout2', 'fc2', 'logSoftmax', 'nllLoss'];

/** Per op: forward and backward ms (median over kindling's runs of each run's median), then the rest. */
function profileTable(runs: ChildResult[], stepMs: number): string {
  const profiles = runs.map((r) => r.profile as Record<string, number>);
  const at = (key: string): number => {
    const v = profiles.map((p) => p[key]).filter((x) => typeof x === 'number');
    return v.length ? median(v) : NaN;
  };
  const share = (ms: number): string => (Number.isFinite(ms) ? `${fixed((100 * ms) / stepMs, 1)} %` : '—');
  const rows = OPS.map((op) => {
    const f = at(`forward: ${op}`);
    const b = at(`backward: ${op}`);
    const both = (Number.isFinite(f) ? f : 0) + (Number.isFinite(b) ? b : 0);
    return [op, fixed(f, 2), fixed(b, 2), fixed(both, 2), share(both)];
  });
  for (const [label, key] of [
    ['backward engine (accumulation into .grad, bookkeeping)', 'backward: engine and accumulation'],
    ['zeroGrad', 'zeroGrad'],
    ['optimizer.step (Adadelta)', 'optimizer.step (Adadelta)'],
  ]) {
    const ms = at(key);
    rows.push([label, '', '', fixed(ms, 2), share(ms)]);
  }
  return table(['kindling op', 'forward ms', 'backward ms', 'total ms', 'share of the step'], rows);
}

export function run(): void {
  buildScripts();
  const machine = machineLine();
  const load = [loadLine()];
  console.log(`\nMNIST CNN workload — ${machine}; ${load[0]}`);
  const runs: Record<string, ChildResult[]> = { kindling: [], PyTorch: [] };
  const steps: Row[] = [];
  const withTfjs = process.env.BENCH_CNN_TFJS !== '0';
  for (let i = 0; i < 3; i++) {
    // tfjs runs once, between the first and second rounds, so the load it meets is like theirs.
    const round = [kindling('steps'), pytorch('steps'), ...(i === 1 && withTfjs ? [tfjs()] : [])];
    for (const system of round) {
      const outcome = runSystem(system);
      steps.push({ label: system.label, outcome });
      if (outcome.ok) (runs[system.label] ??= []).push(outcome.result);
    }
  }
  const epochs = process.env.BENCH_CNN_EPOCH === '0' ? [] : [kindling('epoch'), pytorch('epoch')].map((s) => ({ label: s.label, outcome: runSystem(s) }));
  load.push(loadLine());

  const gflop = stepGflop();
  const peak = peakGflops();
  const msOf = (label: string): number => (runs[label]?.length ? median(runs[label].map((r) => r.msPerStep as number)) : NaN);
  const ours = msOf('kindling');
  const labels = ['kindling', 'PyTorch', ...(withTfjs ? ['TensorFlow.js (wasm)'] : [])];
  const stepRows = labels.map((label) => {
    const failed = steps.find((r) => r.label === label && !r.outcome.ok);
    if (!runs[label]?.length) return [label, '—', failed && !failed.outcome.ok ? failed.outcome.reason : '—', '—', '—', '—', '—'];
    const m = msOf(label);
    const threads = String(runs[label][0].threads);
    const spread = runs[label].map((r) => fixed(r.msPerStep as number, 1)).join(' / ');
    const rate = gflop / (m / 1000);
    return [label, threads, fixed(m, 1), spread, fixed(rate, 1), `${fixed((100 * rate) / peak.gflops, 1)} %`, label === 'kindling' ? '1.00×' : `${fixed(m / ours, 2)}×`];
  });
  const stepTable = table(['system', 'threads', 'ms/step (median)', 'runs', 'GFLOP/s', 'of peak', 'kindling faster by'], stepRows);
  const profile = runs.kindling.length ? profileTable(runs.kindling, ours) : 'kindling did not run.';
  const epochTable = table(
    ['system (2 threads)', 'epoch s', 'test loss', 'test accuracy'],
    epochs.map(({ label, outcome }) => {
      const r = outcome.ok ? outcome.result : null;
      return r ? [label, fixed(r.epochSeconds as number, 1), fixed(r.testLoss as number, 4), `${fixed((r.testAccuracy as number) * 100, 2)} %`] : [label, '—', '—', outcome.ok ? '—' : outcome.reason];
    }),
  );
  const acc = (label: string): number => {
    const o = epochs.find((e) => e.label === label)?.outcome;
    return o?.ok ? (o.result.testAccuracy as number) * 100 : NaN;
  };
  const gap = acc('kindling') - acc('PyTorch');
  const accuracyLine = Number.isFinite(gap) ? `Test accuracy: kindling − PyTorch = ${gap >= 0 ? '+' : ''}${fixed(gap, 2)} points (issue 13: within 0.3 points${Math.abs(gap) <= 0.3 ? ' ✅' : ' ❌'}).` : '';
  const speedLine = Number.isFinite(msOf('PyTorch') / ours) ? `kindling's step is ${fixed(msOf('PyTorch') / ours, 2)}× PyTorch's (issue 13 target ≥ 1.5×${msOf('PyTorch') / ours >= 1.5 ? ' ✅' : ' ❌'}).` : '';
  const peakLine = `Peak ${fixed(peak.gflops, 1)} GFLOP/s, ${peak.how}.`;

  console.log(`\n${stepTable}\n\n${speedLine}\n${peakLine}\n\n${profile}\n\n${epochTable}\n${accuracyLine}\n`);
  saveResults('cnn', { machine, load, rows: [...steps, ...epochs] });
  writeSection(
    'cnn',
    'MNIST CNN: pytorch/examples mnist/main.py, one training step and one epoch (`npm run bench -- cnn`)',
    [
      `${machine}. Machine shared with other jobs: ${load.join(' before, ')} after.`,
      `One step = zeroGrad + forward + nllLoss + backward + Adadelta at batch ${BATCH}: ${fixed(gflop, 2)} GFLOP (2 × the multiply-adds of the convolutions' and linear layers' forward, grad weight and grad input; \`stepGflop\` in bench/cnn.ts). kindling and PyTorch alternate, 3 runs of 60 steps each after 5 warm-up steps; TensorFlow.js (wasm, its single thread in Node; NHWC, the same ops, PyTorch's init, Adadelta; the filter gradient through a convolution the backend has, since tfjs-backend-wasm has no Conv2DBackpropFilter kernel — bench/cnn/tfjs.ts) runs once, 30 steps after 3 warm-up steps.`,
      stepTable,
      `${speedLine} ${peakLine}`,
      "Where kindling's step goes (median ms per op over the timed steps, median of the runs; forward timed around each op, backward around each autograd node, named by the layer whose gradient it computes):",
      profile,
      'One epoch (938 steps, no shuffle, as the example on a CPU), then the 10,000 test images:',
      epochTable,
      accuracyLine,
    ]
      .filter((s) => s)
      .join('\n\n'),
  );
  writeChart();
}

if (require.main === module) run();
