/**
 * Adam over 1M parameters: achieved bandwidth against the machine's copy bandwidth, plus the fixed
 * per-call cost of `adamStep` for the seed's six parameter buffers and the dropout mask rate.
 *
 *   node -r ts-node/register bench/adam.ts          (KINDLING_SIMD=scalar|avx2 to compare paths)
 *   node -r ts-node/register bench/adam.ts --seed-only   (just the seed step table)
 *
 * Bytes per Adam step and parameter: param, grad, exp_avg, exp_avg_sq read (16 B) and param,
 * exp_avg, exp_avg_sq written (12 B) = 28 B. A copy moves 8 B per float (read + write).
 */
import { kernels } from '../src/ops/kernels';

/** Adam's defaults with `lr`: the settings every call below uses. */
const adamAt = (lr: number) => ({ lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false });
import { optim, Tensor } from '../src';

/**
 * Best (minimum) seconds per call of `f` over `reps` timed calls, after two warm-ups: on a shared
 * machine the minimum is the run that was not preempted.
 */
function time(reps: number, f: () => void): number {
  f();
  f();
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    f();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return Math.min(...samples);
}

/** Batched timing for calls too short for one hrtime sample (batches short enough to dodge preemption). */
function timeBatched(calls: number, f: () => void): number {
  return (
    time(200, () => {
      for (let i = 0; i < calls; i++) f();
    }) / calls
  );
}

const filled = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));

/** A native memcpy of `floats` floats (dropout with p = 0 is `copy_from_slice`), in GB/s moved. */
function copyBandwidth(floats: number): number {
  const src = filled(floats, (i) => i);
  const dst = new Float32Array(floats);
  return (8 * floats) / time(9, () => kernels.dropout(src, dst, 0, 0, 0)) / 1e9;
}

function adamBandwidth(n: number): { gbps: number; nsPerParam: number } {
  const param = [filled(n, (i) => Math.sin(i))];
  const grad = [filled(n, (i) => Math.cos(i))];
  const m = [new Float32Array(n)];
  const v = [new Float32Array(n)];
  const steps = new Float64Array([1]);
  const s = time(15, () => {
    kernels.adamStep(param, grad, m, v, [], steps, adamAt(1e-3));
    steps[0]++;
  });
  return { gbps: (28 * n) / s / 1e9, nsPerParam: (s / n) * 1e9 };
}

/** Minimum and median of per-call samples, in seconds. */
function stats(samples: number[]): { min: number; median: number } {
  const sorted = samples.slice().sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[sorted.length >> 1] };
}

function sample(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * The seed's optimizer step at 1 and 2 threads: the bare kernel (`kernels.adamStep` on the six
 * buffers) against `optimizer.step()` of `optim.Adam` over six parameters with gradients (the
 * difference is the JS side: plan refresh, argument marshalling), and `optimizer.zeroGrad()`.
 * Modes alternate call by call and thread counts alternate by round, so load from elsewhere hits
 * them alike.
 */
function seedStep(): Record<string, { min: number; median: number }> {
  // The seed MLP 784-64-32-10: weights and biases in PyTorch's order.
  const sizes = [784 * 64, 64, 64 * 32, 32, 32 * 10, 10];
  const make = () => sizes.map((n) => filled(n, (i) => Math.sin(i) * 0.01));
  const [p, g, m, v] = [make(), make(), make(), make()];
  const steps = new Float64Array(sizes.length).fill(1);
  const kernel = () => kernels.adamStep(p, g, m, v, [], steps, adamAt(1e-4));
  const params = sizes.map((n) => new Tensor(filled(n, (i) => Math.cos(i) * 0.01), [n], 'float32').requiresGrad_());
  const grads = params.map((t) => new Tensor(filled(t.data.length, (i) => Math.sin(i) * 0.01), t.shape, 'float32'));
  const optimizer = new optim.Adam(params, { lr: 1e-4 });
  const setGrads = () => params.forEach((t, i) => t._setOwnGrad(grads[i]));
  const samples: Record<string, number[]> = {};
  const add = (key: string, s: number) => (samples[key] ??= []).push(s);
  const threadsBefore = kernels.getNumThreads();
  for (let round = 0; round < 4; round++) {
    for (const threads of [1, 2]) {
      kernels.setNumThreads(threads);
      setGrads();
      for (let w = 0; w < 20; w++) {
        kernel();
        optimizer.step();
      }
      for (let r = 0; r < 150; r++) {
        add(`kernel ${threads}`, sample(kernel));
        setGrads();
        add(`step ${threads}`, sample(() => optimizer.step()));
        add(`zeroGrad ${threads}`, sample(() => optimizer.zeroGrad()));
      }
    }
  }
  kernels.setNumThreads(threadsBefore);
  const tiny = sizes.map(() => new Float32Array(1));
  add('tiny', timeBatched(100, () => kernels.adamStep(tiny, tiny, tiny, tiny, [], steps, adamAt(1e-3))));
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, stats(xs)]));
}

function dropoutRate(n: number): number {
  const x = filled(n, (i) => i);
  const out = new Float32Array(n);
  let offset = 0;
  return (time(15, () => (offset += kernels.dropout(x, out, 0.2, 1, offset))) / n) * 1e9;
}

const fmt = (x: number, d = 1) => x.toFixed(d);
// `--seed-only`: just the seed step table (a few seconds), for quick before/after comparisons.
if (!process.argv.includes('--seed-only')) {
  const threadsBefore = kernels.getNumThreads();
  const rows: string[][] = [];
  for (const threads of [1, threadsBefore].filter((t, i, a) => a.indexOf(t) === i)) {
    kernels.setNumThreads(threads);
    const small = adamBandwidth(1 << 20);
    const big = adamBandwidth(1 << 23);
    rows.push([`${threads}`, fmt(small.gbps), fmt(small.nsPerParam, 2), fmt(big.gbps), fmt(dropoutRate(1 << 20), 2)]);
  }
  kernels.setNumThreads(threadsBefore);
  const cacheCopy = copyBandwidth(1 << 22); // 16 MB each way: Adam-1M's footprint
  const dramCopy = copyBandwidth(1 << 26); // 256 MB each way: memory
  console.log(`SIMD path ${kernels.simdPath()}; copy bandwidth (native memcpy, 1 thread):`);
  console.log(`  16 MB buffers ${fmt(cacheCopy)} GB/s, 256 MB buffers ${fmt(dramCopy)} GB/s\n`);
  console.log('threads | Adam 1M GB/s | ns/param | Adam 8M GB/s | dropout ns/element (1M)');
  console.log('------- | ------------ | -------- | ------------ | -----------------------');
  for (const r of rows) console.log(r.join(' | '));
}
const seed = seedStep();
const us = (x: { min: number; median: number }) => `${fmt(x.min * 1e6)} / ${fmt(x.median * 1e6)}`;
console.log("\nthe seed's Adam step, 6 buffers, 52 650 params: µs per call, min / median");
console.log('threads | adamStep kernel | optimizer.step() | optimizer.zeroGrad()');
console.log('------- | --------------- | ---------------- | --------------------');
for (const t of [1, 2]) console.log(`${t} | ${us(seed[`kernel ${t}`])} | ${us(seed[`step ${t}`])} | ${us(seed[`zeroGrad ${t}`])}`);
console.log(`adamStep, 6 one-element buffers (fixed cost): ${fmt(seed.tiny.min * 1e6, 2)} µs per call`);
