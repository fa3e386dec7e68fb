/**
 * What the seed's data loading costs the training loop: microseconds the main thread spends per
 * batch of 10 MNIST images (ToTensor, shuffled), in the main thread (`numWorkers: 0`) and with one
 * worker thread (`numWorkers: 1`, while the main thread simulates a training step).
 *
 *   npm run build && npx ts-node examples/mnist-loader-cost.ts [--step-us 50] [--batches 20000]
 */
import { parseArgs } from 'node:util';
import * as torch from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';

const { values: args } = parseArgs({
  options: { 'step-us': { type: 'string', default: '50' }, batches: { type: 'string', default: '20000' } },
});
const stepMicros = Number(args['step-us']);
const batches = Number(args.batches);

torch.manualSeed(0);
const dataset = new MNIST(process.cwd(), { download: true, transform: transforms.ToTensor() });

/** Busy-waits `us` microseconds: the stand-in for a training step. */
function step(us: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < end);
}

/** Mean main-thread µs spent in `next()` per batch, over `count` batches (epochs restart as needed). */
function measure(numWorkers: number, count: number): number {
  const loader = new DataLoader(dataset, { batchSize: 10, shuffle: true, numWorkers });
  let iterator = loader[Symbol.iterator]();
  let spent = 0n;
  for (let b = 0; b < count; b++) {
    const started = process.hrtime.bigint();
    let next = iterator.next();
    if (next.done) {
      iterator = loader[Symbol.iterator]();
      next = iterator.next();
    }
    spent += process.hrtime.bigint() - started;
    step(stepMicros);
  }
  iterator.return?.();
  return Number(spent) / 1e3 / count;
}

measure(0, 2000); // warm-up
console.log(`numWorkers 0: ${measure(0, batches).toFixed(1)} µs per batch of 10 (main thread)`);
console.log(`numWorkers 1: ${measure(1, batches).toFixed(1)} µs per batch of 10 (main thread, ${stepMicros} µs steps)`);
