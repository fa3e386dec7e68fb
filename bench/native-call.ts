/**
 * The fixed cost of one native call whose scalar settings travel as a named options object
 * (packed into a Float64Array by src/ops/kernels.ts: sgemm, crossEntropy, adamStep at the seed's
 * sizes), against the same call with positional scalars in a baseline addon — a
 * `kindling.<platform>.node` built from a commit before the options objects:
 *
 *   BENCH_BASELINE_NODE=/path/old.node npm run bench -- native-call
 *   node -r ts-node/register bench/native-call.ts /path/old.node
 *
 * Both addons load into this process and are timed interleaved, round after round, so the
 * machine's load hits both alike; the table gives the median over rounds of each round's best
 * batch, and the ratio. Without a baseline only the current addon is timed. Not part of the
 * default suite. Results: docs/PERFORMANCE.md, NOTE [ Options objects at the binding ].
 */
import { kernels } from '../src/ops/kernels';

interface Case {
  name: string;
  current: () => void;
  baseline?: () => void;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Positional = Record<string, (...args: any[]) => any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

const filled = (n: number, f: (i: number) => number): Float32Array => Float32Array.from({ length: n }, (_, i) => f(i));

function cases(old: Positional | undefined): Case[] {
  // sgemm at the smallest size (1×1×1: the call is all overhead) and at the seed's first layer.
  const one = filled(1, () => 1);
  const c1 = new Float32Array(1);
  const x = filled(10 * 784, (i) => Math.sin(i));
  const w = filled(64 * 784, (i) => Math.cos(i));
  const y = new Float32Array(10 * 64);
  const bias = filled(64, () => 0.1);
  // The seed's loss (10 rows of 10 classes) and its Adam step (six buffers).
  const logits = filled(100, (i) => Math.sin(i));
  const target = Int32Array.from({ length: 10 }, (_, i) => i % 10);
  const loss = new Float32Array(1);
  const grad = new Float32Array(100);
  const sizes = [784 * 64, 64, 64 * 32, 32, 32 * 10, 10];
  const params = sizes.map((n) => filled(n, (i) => Math.sin(i)));
  const grads = sizes.map((n) => filled(n, (i) => Math.cos(i) * 1e-3));
  const m = sizes.map((n) => new Float32Array(n));
  const v = sizes.map((n) => new Float32Array(n));
  const steps = new Float64Array(sizes.length).fill(1);
  const adam = { lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false };
  return [
    {
      name: 'sgemm 1×1×1',
      current: () => kernels.sgemm(one, one, c1, null, { transA: false, transB: false, m: 1, n: 1, k: 1, alpha: 1, beta: 0 }),
      baseline: old && (() => old.sgemm(false, false, 1, 1, 1, 1, one, one, 0, c1, null)),
    },
    {
      name: 'sgemm 10×784 · (64×784)ᵀ + bias',
      current: () => kernels.sgemm(x, w, y, bias, { transA: false, transB: true, m: 10, n: 64, k: 784, alpha: 1, beta: 0 }),
      baseline: old && (() => old.sgemm(false, true, 10, 64, 784, 1, x, w, 0, y, bias)),
    },
    {
      name: 'crossEntropy 10×10',
      current: () => kernels.crossEntropy(logits, target, null, loss, grad, { n: 10, c: 10, ignoreIndex: -100, labelSmoothing: 0, reduction: 1 }),
      baseline: old && (() => old.crossEntropy(logits, 10, 10, target, null, -100, 0, 1, loss, grad)),
    },
    {
      name: 'adamStep, the seed’s 6 buffers',
      current: () => kernels.adamStep(params, grads, m, v, [], steps, adam),
      baseline: old && (() => old.adamStep(params, grads, m, v, [], steps, 1e-4, 0.9, 0.999, 1e-8, 0, false, false, false)),
    },
  ];
}

/** Best µs per call over a few batches of `calls` calls. */
function best(f: () => void, calls: number): number {
  let min = Infinity;
  for (let b = 0; b < 5; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) f();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e3 / calls);
  }
  return min;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function run(baselinePath = process.env.BENCH_BASELINE_NODE): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const old = baselinePath ? (require(baselinePath) as Positional) : undefined;
  const rounds = 15;
  console.log(`native call cost, µs per call (median over ${rounds} interleaved rounds of each round's best batch)`);
  console.log(old ? `baseline: ${baselinePath}` : 'no baseline given: the current addon only');
  console.log('| call | packed options (now) | positional (baseline) | now / baseline |\n| --- | ---: | ---: | ---: |');
  for (const c of cases(old)) {
    const calls = c.name.startsWith('sgemm 1') || c.name.startsWith('cross') ? 2000 : 200;
    const now: number[] = [];
    const before: number[] = [];
    for (let r = 0; r < rounds; r++) {
      now.push(best(c.current, calls));
      if (c.baseline) before.push(best(c.baseline, calls));
    }
    const a = median(now);
    const b = before.length > 0 ? median(before) : NaN;
    console.log(`| ${c.name} | ${a.toFixed(3)} | ${before.length > 0 ? b.toFixed(3) : '—'} | ${before.length > 0 ? (a / b).toFixed(3) : '—'} |`);
  }
}

if (require.main === module) run(process.argv[2] ?? process.env.BENCH_BASELINE_NODE);
