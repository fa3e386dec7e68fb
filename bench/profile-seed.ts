/**
 * Where the seed step's time goes: runs the seed program's loop (MNIST + ToTensor, DataLoader
 * batch 10 shuffled, MLP with Dropout, CrossEntropyLoss, Adam lr 1e-4) and times each phase of
 * every step — data (next batch), zeroGrad, forward, loss, backward, optimizer step, loss.item() —
 * over `--steps` steps after `--warmup`, then prints µs per phase, JS heap and ArrayBuffer bytes
 * allocated per phase (run with a large young generation so that deltas are not cut by GCs),
 * and the GC count and time per step.
 *
 *   npm run bench -- profile                       (also a CPU profile: self time per function)
 *   node --max-semi-space-size=128 bench/.build/bench/profile-seed.js [--steps 2000] [--workers 1]
 */
import * as path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';
import { seedMLP } from '../examples/seed-mlp';
import { arg, report } from './lib/child';

const MLP = seedMLP(nn);

const PHASES = ['data', 'zeroGrad', 'forward', 'loss', 'backward', 'step', 'item'] as const;
type Phase = (typeof PHASES)[number];

interface Tally {
  ns: bigint;
  heap: number;
  arrayBuffers: number;
}

function main(): void {
  const steps = Number(arg('steps', '2000'));
  const warmup = Number(arg('warmup', '200'));
  const workers = Number(arg('workers', '1'));
  const root = path.join(__dirname, '..', '.data');
  torch.manualSeed(42);
  const dataset = new MNIST(root, { download: true, transform: transforms.ToTensor() });
  const loader = new DataLoader(dataset, { batchSize: 10, shuffle: true, numWorkers: workers });
  const mlp = new MLP();
  const lossFunction = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(mlp.parameters(), { lr: 1e-4 });

  const tally = Object.fromEntries(PHASES.map((p) => [p, { ns: 0n, heap: 0, arrayBuffers: 0 }])) as Record<Phase, Tally>;
  let gcCount = 0;
  let gcMs = 0;
  let measuring = false;
  const observer = new PerformanceObserver((list) => {
    if (!measuring) return;
    for (const entry of list.getEntries()) {
      gcCount++;
      gcMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  // Allocation deltas are only meaningful between GCs: a phase whose heap shrank is not counted,
  // and `counted` keeps how many samples each average is over.
  const counted = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  let mark = process.hrtime.bigint();
  let mem = process.memoryUsage();
  const lap = (phase: Phase): void => {
    const now = process.hrtime.bigint();
    const m = process.memoryUsage();
    if (measuring) {
      const t = tally[phase];
      t.ns += now - mark;
      const dh = m.heapUsed - mem.heapUsed;
      const da = m.arrayBuffers - mem.arrayBuffers;
      if (dh >= 0 && da >= 0) {
        t.heap += dh;
        t.arrayBuffers += da;
        counted[phase]++;
      }
    }
    mem = process.memoryUsage();
    mark = process.hrtime.bigint();
  };

  const total = warmup + steps;
  let i = 0;
  let lossSum = 0;
  let iterator = loader[Symbol.iterator]();
  let wallStart = 0n;
  while (i < total) {
    if (i === warmup) {
      measuring = true;
      wallStart = process.hrtime.bigint();
    }
    // The loop's own bookkeeping between iterations is charged to no phase.
    mem = process.memoryUsage();
    mark = process.hrtime.bigint();
    let next = iterator.next();
    if (next.done) {
      iterator = loader[Symbol.iterator]();
      next = iterator.next();
    }
    const [inputs, targets] = next.value as [Tensor, Tensor];
    lap('data');
    optimizer.zeroGrad();
    lap('zeroGrad');
    const outputs = mlp.forward(inputs);
    lap('forward');
    const loss = lossFunction.forward(outputs, targets);
    lap('loss');
    loss.backward();
    lap('backward');
    optimizer.step();
    lap('step');
    lossSum += loss.item();
    lap('item');
    i++;
  }
  const wallUs = Number(process.hrtime.bigint() - wallStart) / 1e3 / steps;
  iterator.return?.();
  observer.disconnect();

  // Subnormal floats (0 < |x| < 2^-126) take a slow microcode path on x86: the Adam state of
  // weights whose gradient is mostly zero (MNIST's border pixels) decays into that range.
  const subnormal = { expAvg: 0, expAvgSq: 0, total: 0 };
  for (const state of optimizer.state.values()) {
    const m = state.exp_avg.data as Float32Array;
    const v = state.exp_avg_sq.data as Float32Array;
    for (let k = 0; k < m.length; k++) {
      if (m[k] !== 0 && Math.abs(m[k]) < 2 ** -126) subnormal.expAvg++;
      if (v[k] !== 0 && Math.abs(v[k]) < 2 ** -126) subnormal.expAvgSq++;
    }
    subnormal.total += m.length;
  }

  const rows = PHASES.map((p) => {
    const t = tally[p];
    const n = Math.max(1, counted[p]);
    return { phase: p, us: Number(t.ns) / 1e3 / steps, heapBytes: t.heap / n, arrayBufferBytes: t.arrayBuffers / n };
  });
  const sum = rows.reduce((s, r) => s + r.us, 0);
  console.log(`seed step profile: ${steps} steps after ${warmup} warm-up, numWorkers ${workers}, ${torch.getNumThreads()} threads`);
  console.log('| phase | µs/step | share | JS heap B/step | ArrayBuffer B/step |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.phase} | ${r.us.toFixed(1)} | ${((100 * r.us) / sum).toFixed(0)} % | ${Math.round(r.heapBytes).toLocaleString('en-US')} | ${Math.round(r.arrayBufferBytes).toLocaleString('en-US')} |`,
    );
  }
  console.log(`| sum of phases | ${sum.toFixed(1)} | 100 % | | |`);
  console.log(`wall per step (incl. timing overhead): ${wallUs.toFixed(1)} µs; GCs: ${(gcCount / steps).toFixed(3)} per step, ${((gcMs * 1e3) / steps).toFixed(1)} µs GC per step; mean loss ${(lossSum / total).toFixed(3)}`);
  const pct = (n: number): string => `${((100 * n) / subnormal.total).toFixed(1)} %`;
  console.log(`subnormal Adam state after ${total} steps: exp_avg ${pct(subnormal.expAvg)}, exp_avg_sq ${pct(subnormal.expAvgSq)} of ${subnormal.total} elements`);
  report({ subnormal, steps, warmup, workers, threads: torch.getNumThreads(), phases: rows, wallUsPerStep: wallUs, gcPerStep: gcCount / steps, gcUsPerStep: (gcMs * 1e3) / steps });
}

main();
