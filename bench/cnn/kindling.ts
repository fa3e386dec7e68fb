/**
 * The MNIST CNN workload on kindling: examples/mnist-cnn.ts's Net, Adadelta lr 1.0, nllLoss,
 * batch 64, no shuffle, MNIST normalised with (0.1307, 0.3081). Threads: KINDLING_NUM_THREADS.
 *
 *   --mode steps: ms per training step (median over BENCH_STEPS, default 60, after 5 warm-up
 *     steps), and the median time of each phase: every layer's forward, the backward, the step.
 *   --mode epoch: one epoch, then the test set (loss and accuracy as the example prints).
 */
import * as path from 'node:path';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';
import { arg, report } from '../lib/child';

const F = nn.functional;
const ROOT = path.join(__dirname, '..', '..', '.data');

/** Phase name → milliseconds of the current step (filled when `timing` is on). */
const phases: Record<string, number[]> = {};
let timing = false;
function timed<T>(name: string, f: () => T): T {
  if (!timing) return f();
  const t = process.hrtime.bigint();
  const r = f();
  (phases[name] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
  return r;
}

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);

  forward(x: Tensor): Tensor {
    x = timed('conv1 + relu', () => F.relu(this.conv1.forward(x)));
    x = timed('conv2 + relu', () => F.relu(this.conv2.forward(x)));
    x = timed('maxPool2d + dropout1', () => this.dropout1.forward(F.maxPool2d(x, 2)));
    x = timed('fc1 + relu + dropout2', () => this.dropout2.forward(F.relu(this.fc1.forward(torch.flatten(x, 1)))));
    return timed('fc2 + logSoftmax', () => F.logSoftmax(this.fc2.forward(x), 1));
  }
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

function main(): void {
  const mode = arg('mode', 'steps');
  torch.manualSeed(1);
  const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
  const loader = new DataLoader(new MNIST(ROOT, { download: true, transform }), { batchSize: 64 });
  const model = new Net();
  const optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0 });
  model.train();
  if (mode === 'steps') {
    const steps = Number(process.env.BENCH_STEPS ?? 60);
    const times: number[] = [];
    let i = 0;
    for (const [data, target] of loader) {
      if (i === steps + 5) break;
      timing = i >= 5;
      const start = process.hrtime.bigint();
      optimizer.zeroGrad();
      const loss = timed('nllLoss', () => F.nllLoss(model.forward(data), target));
      timed('backward', () => loss.backward());
      timed('optimizer.step', () => optimizer.step());
      loss.item();
      if (timing) times.push(Number(process.hrtime.bigint() - start) / 1e6);
      i++;
    }
    // 'nllLoss' wraps the whole forward: the loss alone is what the layers leave.
    const layers = Object.keys(phases).filter((k) => !['nllLoss', 'backward', 'optimizer.step'].includes(k));
    const profile: Record<string, number> = {};
    for (const k of layers) profile[k] = median(phases[k]);
    profile.nllLoss = median(phases.nllLoss) - layers.reduce((s, k) => s + profile[k], 0);
    profile.backward = median(phases.backward);
    profile['optimizer.step'] = median(phases['optimizer.step']);
    report({ system: 'kindling', threads: torch.getNumThreads(), simd: torch.simdPath(), steps: times.length, msPerStep: median(times), msBest: Math.min(...times), profile });
    return;
  }
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
  const start = process.hrtime.bigint();
  for (const [data, target] of loader) {
    optimizer.zeroGrad();
    const loss = F.nllLoss(model.forward(data), target);
    loss.backward();
    optimizer.step();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  scheduler.step();
  model.eval();
  const testset = new MNIST(ROOT, { train: false, download: true, transform });
  let testLoss = 0;
  let correct = 0;
  torch.noGrad(() => {
    for (const [data, target] of new DataLoader(testset, { batchSize: 1000 })) {
      const out = model.forward(data);
      testLoss += F.nllLoss(out, target, { reduction: 'sum' }).item();
      correct += out.argmax(1).eq(target).sum().item();
    }
  });
  report({ system: 'kindling', threads: torch.getNumThreads(), epochSeconds: seconds, testLoss: testLoss / testset.length, testAccuracy: correct / testset.length });
}

main();
