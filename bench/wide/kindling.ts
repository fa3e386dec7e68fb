/**
 * The wide workload on kindling with the public API: MLP 784-1024-1024-10 with Dropout(0.5) after
 * each hidden ReLU, CrossEntropyLoss, Adam lr 1e-3, batch 256 from MNIST + ToTensor through a
 * shuffled DataLoader (in the main thread); samples/s over `--steps` steps after `--warmup`.
 * Threads: KINDLING_NUM_THREADS.
 */
import * as path from 'node:path';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';
import { arg, report, stepsCap } from '../lib/child';
import { wideMLP } from './model';

const BATCH = 256;
const ROOT = path.join(__dirname, '..', '..', '.data');

function main(): void {
  const steps = stepsCap(Number(arg('steps', '200')));
  const warmup = Number(arg('warmup', '10'));
  torch.manualSeed(42);
  const dataset = new MNIST(ROOT, { download: true, transform: transforms.ToTensor() });
  const loader = new DataLoader(dataset, { batchSize: BATCH, shuffle: true, dropLast: true });
  const model = wideMLP();
  const lossFunction = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });

  let batches = loader[Symbol.iterator]();
  const step = (): number => {
    let next = batches.next();
    if (next.done) {
      batches = loader[Symbol.iterator]();
      next = batches.next();
    }
    const [inputs, targets] = next.value as [Tensor, Tensor];
    optimizer.zeroGrad();
    const loss = lossFunction.forward(model.forward(inputs), targets);
    loss.backward();
    optimizer.step();
    return loss.item();
  };

  for (let i = 0; i < warmup; i++) step();
  let lossSum = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) lossSum += step();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  report({
    system: 'kindling',
    threads: torch.getNumThreads(),
    steps,
    warmup,
    seconds,
    cpuSeconds,
    samplesPerSecond: (steps * BATCH) / seconds,
    meanLoss: lossSum / steps,
  });
}

main();
