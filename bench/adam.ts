/**
 * Adam over 1M parameters: achieved bandwidth against the machine's copy bandwidth, plus the fixed
 * per-call cost of `adamStep` for the seed's six parameter buffers and the dropout mask rate.
 *
 *   node -r ts-node/register bench/adam.ts          (KINDLING_SIMD=scalar|avx2 to compare paths)
 *
 * Bytes per Adam step and parameter: param, grad, exp_avg, exp_avg_sq read (16 B) and param,
 * exp_avg, exp_avg_sq written (12 B) = 28 B. A copy moves 8 B per float (read + write).
 */
import { native } from '../src/native';

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
  return (8 * floats) / time(9, () => native.dropout(src, dst, 0, 0, 0)) / 1e9;
}

function adamBandwidth(n: number): { gbps: number; nsPerParam: number } {
  const param = [filled(n, (i) => Math.sin(i))];
  const grad = [filled(n, (i) => Math.cos(i))];
  const m = [new Float32Array(n)];
  const v = [new Float32Array(n)];
  const steps = new Float64Array([1]);
  const s = time(15, () => {
    native.adamStep(param, grad, m, v, [], steps, 1e-3, 0.9, 0.999, 1e-8, 0, false, false, false);
    steps[0]++;
  });
  return { gbps: (28 * n) / s / 1e9, nsPerParam: (s / n) * 1e9 };
}

function seedStepOverhead(): { seed: number; seedOneThread: number; tiny: number } {
  // The seed MLP 784-64-32-10: weights and biases in PyTorch's order.
  const sizes = [784 * 64, 64, 64 * 32, 32, 32 * 10, 10];
  const run = (lens: number[]) => {
    const make = () => lens.map((n) => filled(n, (i) => Math.sin(i) * 0.01));
    const [p, g, m, v] = [make(), make(), make(), make()];
    const steps = new Float64Array(lens.length).fill(1);
    return timeBatched(lens[0] > 1 ? 1 : 100, () =>
      native.adamStep(p, g, m, v, [], steps, 1e-3, 0.9, 0.999, 1e-8, 0, false, false, false),
    );
  };
  const seed = run(sizes);
  const threads = native.getNumThreads();
  native.setNumThreads(1);
  const seedOneThread = run(sizes);
  native.setNumThreads(threads);
  return { seed, seedOneThread, tiny: run(sizes.map(() => 1)) };
}

function dropoutRate(n: number): number {
  const x = filled(n, (i) => i);
  const out = new Float32Array(n);
  let offset = 0;
  return (time(15, () => (offset += native.dropout(x, out, 0.2, 1, offset))) / n) * 1e9;
}

const threadsBefore = native.getNumThreads();
const rows: string[][] = [];
const fmt = (x: number, d = 1) => x.toFixed(d);
for (const threads of [1, threadsBefore].filter((t, i, a) => a.indexOf(t) === i)) {
  native.setNumThreads(threads);
  const small = adamBandwidth(1 << 20);
  const big = adamBandwidth(1 << 23);
  rows.push([`${threads}`, fmt(small.gbps), fmt(small.nsPerParam, 2), fmt(big.gbps), fmt(dropoutRate(1 << 20), 2)]);
}
native.setNumThreads(threadsBefore);
const cacheCopy = copyBandwidth(1 << 22); // 16 MB each way: Adam-1M's footprint
const dramCopy = copyBandwidth(1 << 26); // 256 MB each way: memory
const overhead = seedStepOverhead();

console.log(`SIMD path ${native.simdPath()}; copy bandwidth (native memcpy, 1 thread):`);
console.log(`  16 MB buffers ${fmt(cacheCopy)} GB/s, 256 MB buffers ${fmt(dramCopy)} GB/s\n`);
console.log('threads | Adam 1M GB/s | ns/param | Adam 8M GB/s | dropout ns/element (1M)');
console.log('------- | ------------ | -------- | ------------ | -----------------------');
for (const r of rows) console.log(r.join(' | '));
console.log(
  `\nadamStep, seed's 6 buffers (52 650 params): ${fmt(overhead.seed * 1e6, 2)} µs per call ` +
    `(${threadsBefore} threads), ${fmt(overhead.seedOneThread * 1e6, 2)} µs (1 thread)`,
);
console.log(`adamStep, 6 one-element buffers (fixed cost): ${fmt(overhead.tiny * 1e6, 2)} µs per call`);
