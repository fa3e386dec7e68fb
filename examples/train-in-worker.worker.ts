/**
 * The worker half of train-in-worker.ts: the seed program (SEED.md), reporting progress to the
 * main thread about ten times a second instead of printing it, then the test-set accuracy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as torch from 'kindling';
import { nn, optim } from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';
import { seedMLP } from './seed-mlp';

export interface TrainingOptions {
  /** Training batches to run (6000 per epoch of MNIST at batch 10). */
  steps: number;
  /** Where MNIST/raw lives (or is fetched into), like torchvision's `MNIST(os.getcwd())`. */
  root: string;
}

export type TrainingMessage =
  | { type: 'progress'; step: number; epoch: number; loss: number; samplesPerSecond: number }
  | { type: 'done'; step: number; testAccuracy: number };

const REPORT_MS = 100;

const MLP = seedMLP(nn);

function post(message: TrainingMessage): void {
  parentPort?.postMessage(message);
}

function train({ steps, root }: TrainingOptions): void {
  torch.manualSeed(42);
  const dataset = new MNIST(root, { download: true, transform: transforms.ToTensor() });
  const trainloader = new DataLoader(dataset, { batchSize: 10, shuffle: true });
  const mlp = new MLP();
  const lossFunction = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(mlp.parameters(), { lr: 1e-4 });

  let step = 0;
  let lossSum = 0;
  let batches = 0;
  let lastReport = Date.now();
  for (let epoch = 0; step < steps; epoch++) {
    for (const [inputs, targets] of trainloader) {
      optimizer.zeroGrad();
      const loss = lossFunction.forward(mlp.forward(inputs), targets);
      loss.backward();
      optimizer.step();
      lossSum += loss.item();
      batches++;
      step++;
      const now = Date.now();
      if (now - lastReport >= REPORT_MS || step === steps) {
        post({ type: 'progress', step, epoch: epoch + 1, loss: lossSum / batches, samplesPerSecond: (batches * 10 * 1000) / Math.max(now - lastReport, 1) });
        lossSum = 0;
        batches = 0;
        lastReport = now;
      }
      if (step === steps) break;
    }
  }

  const testset = new MNIST(root, { train: false, download: true, transform: transforms.ToTensor() });
  mlp.eval();
  let correct = 0;
  torch.noGrad(() => {
    for (const [inputs, targets] of new DataLoader(testset, { batchSize: 1000 })) {
      correct += mlp.forward(inputs).argmax(1).eq(targets).sum().item();
    }
  });
  post({ type: 'done', step, testAccuracy: correct / testset.length });
}

// Thrown errors are not caught here on purpose: they end the worker and reach the main thread's
// 'error' handler with their class and message.
train(workerData as TrainingOptions);
