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

/**
 * Main-thread µs spent in `next()` per batch over `count` batches (epochs restart as needed), with
 * a simulated training step of `stepUs` between batches; also the process CPU µs per batch when
 * there is no step and no worker (immune to the thread being preempted on a busy machine).
 */
function measure(numWorkers: number, count: number, stepUs: number): { wall: number; cpu: number } {
  const loader = new DataLoader(dataset, { batchSize: 10, shuffle: true, numWorkers });
  let iterator = loader[Symbol.iterator]();
  let spent = 0n;
  const cpuStart = process.cpuUsage();
  for (let b = 0; b < count; b++) {
    const started = process.hrtime.bigint();
    let next = iterator.next();
    if (next.done) {
      iterator = loader[Symbol.iterator]();
      next = iterator.next();
    }
    spent += process.hrtime.bigint() - started;
    if (stepUs > 0) step(stepUs);
  }
  const cpu = process.cpuUsage(cpuStart);
  iterator.return?.();
  return { wall: Number(spent) / 1e3 / count, cpu: (cpu.user + cpu.system) / count };
}

measure(0, 2000, 0); // warm-up
const inMain = measure(0, batches, 0);
console.log(`numWorkers 0: ${inMain.wall.toFixed(1)} µs per batch of 10 (wall), ${inMain.cpu.toFixed(1)} µs CPU`);
const inWorker = measure(1, batches, stepMicros);
console.log(`numWorkers 1: ${inWorker.wall.toFixed(1)} µs per batch of 10 in the main thread (wall, between ${stepMicros} µs steps)`);
