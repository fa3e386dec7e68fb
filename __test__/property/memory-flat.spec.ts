/**
 * Memory flatness in CI: the short version of bench/soak-seed.ts. The seed model (784-64-32-10
 * MLP, Dropout 0.5, CrossEntropyLoss, Adam lr 1e-4, batch 10) trains for 20,000 steps on synthetic
 * data through a DataLoader (main thread) for 30,000 steps; over the last 15,000, RSS must stay
 * within +10 % of its value at their start. A leak of one small tensor (or one graph node) per
 * step grows RSS by tens of MB over that window; warm-up growth (JIT, allocator pools, and V8
 * growing its young generation, which under the full suite's parallel load went on until
 * ~10,000 steps: 109 → 125 MiB, then flat) is excluded. KINDLING_MEMORY_STEPS overrides the step
 * count.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn, optim, type Tensor } from '../../src';
import { DataLoader, TensorDataset } from '../../src/data';
import { MLP } from '../helpers/seed-mlp';

const STEPS = Number(process.env.KINDLING_MEMORY_STEPS ?? 30_000);
const WARMUP = Math.floor(STEPS / 2);
const EVERY = Math.floor(STEPS / 20);

describe('memory over a long run', () => {
  it(`RSS stays within +10 % of its post-warm-up value over ${STEPS} seed-model steps`, () => {
    torch.manualSeed(0);
    // 500 synthetic "images" with labels: 50 batches per epoch, so epochs (and sampler
    // permutations, iterators) turn over hundreds of times.
    const images = torch.rand([500, 1, 28, 28]);
    const labels = torch.randint(0, 10, [500]);
    const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: 10, shuffle: true });
    const mlp = new MLP();
    const lossFunction = new nn.CrossEntropyLoss();
    const optimizer = new optim.Adam(mlp.parameters(), { lr: 1e-4 });

    const samples: { step: number; rssMb: number }[] = [];
    let step = 0;
    let lastLoss = NaN;
    while (step < STEPS) {
      for (const [inputs, targets] of loader) {
        optimizer.zeroGrad();
        const loss = lossFunction.forward(mlp.forward(inputs as Tensor), targets as Tensor);
        loss.backward();
        optimizer.step();
        lastLoss = loss.item();
        step++;
        if (step >= WARMUP && step % EVERY === 0) samples.push({ step, rssMb: process.memoryUsage().rss / 2 ** 20 });
        if (step >= STEPS) break;
      }
    }
    const base = samples[0].rssMb;
    const peak = Math.max(...samples.map((s) => s.rssMb));
    console.log(`memory-flat: ${STEPS} steps, RSS ${samples.map((s) => s.rssMb.toFixed(0)).join(' → ')} MiB; +${((peak / base - 1) * 100).toFixed(1)} % after warm-up`);
    expect(Number.isFinite(lastLoss)).toBe(true);
    expect(peak / base - 1).toBeLessThan(0.1);
  }, 120_000);
});
