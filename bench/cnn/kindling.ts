/**
 * The MNIST CNN workload on kindling: examples/mnist-cnn.ts's Net, Adadelta lr 1.0, nllLoss,
 * batch 64, no shuffle, MNIST normalised with (0.1307, 0.3081). Threads: KINDLING_NUM_THREADS.
 *
 *   --mode steps: ms per training step (median over BENCH_STEPS, default 60, after 5 warm-up
 *     steps), and the median time of each phase: every op's forward, every backward node (named
 *     by the layer it belongs to), zeroGrad and the optimizer step.
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

/** Phase name → milliseconds of each timed step (filled while `timing` is on). */
const phases: Record<string, number[]> = {};
let timing = false;
const now = (): bigint => process.hrtime.bigint();
function record(name: string, since: bigint): void {
  (phases[name] ??= []).push(Number(now() - since) / 1e6);
}
function timed<T>(name: string, f: () => T): T {
  if (!timing) return f();
  const t = now();
  const r = f();
  record(name, t);
  return r;
}

/**
 * The layer a backward node belongs to, from its name and the shape of the gradient it receives
 * (the Net has one op of each kind per shape, so the pair names the layer).
 */
function backwardPhase(node: string, shape: readonly number[]): string {
  const s = shape.join('×');
  const byShape: Record<string, string> = {
    'ConvolutionBackward0 64×32×26×26': 'conv1',
    'ConvolutionBackward0 64×64×24×24': 'conv2',
    'ReluBackward0 64×32×26×26': 'relu (conv1)',
    'ReluBackward0 64×64×24×24': 'relu (conv2)',
    'ReluBackward0 64×128': 'relu (fc1)',
    'MaxPool2DWithIndicesBackward0 64×64×12×12': 'maxPool2d',
    'NativeDropoutBackward0 64×64×12×12': 'dropout1',
    'NativeDropoutBackward0 64×128': 'dropout2',
    'AddmmBackward0 64×128': 'fc1',
    'AddmmBackward0 64×10': 'fc2',
    'LogSoftmaxBackward0 64×10': 'logSoftmax',
  };
  const byName: Record<string, string> = { NllLossBackward0: 'nllLoss', ViewBackward0: 'flatten', UnsafeViewBackward0: 'flatten' };
  return byShape[`${node} ${s}`] ?? byName[node] ?? `${node} ${s}`;
}

/**
 * Times every backward node by wrapping `apply` on the prototype of the loss's `gradFn` (the
 * autograd `Node` class): the engine calls `node.apply(grad)` once per node per pass.
 */
function instrumentBackward(gradFn: object): void {
  const proto = Object.getPrototypeOf(gradFn) as { apply: (grad: Tensor) => unknown; __timed?: boolean };
  if (proto.__timed) return;
  const apply = proto.apply;
  proto.apply = function timedApply(this: { name: string }, grad: Tensor): unknown {
    if (!timing) return apply.call(this, grad);
    const t = now();
    const r = apply.call(this, grad);
    record(`backward: ${backwardPhase(this.name, grad.shape)}`, t);
    return r;
  };
  proto.__timed = true;
}

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);

  forward(x: Tensor): Tensor {
    x = timed('forward: conv1', () => this.conv1.forward(x));
    x = timed('forward: relu (conv1)', () => F.relu(x));
    x = timed('forward: conv2', () => this.conv2.forward(x));
    x = timed('forward: relu (conv2)', () => F.relu(x));
    x = timed('forward: maxPool2d', () => F.maxPool2d(x, 2));
    x = timed('forward: dropout1', () => this.dropout1.forward(x));
    x = timed('forward: flatten', () => torch.flatten(x, 1));
    x = timed('forward: fc1', () => this.fc1.forward(x));
    x = timed('forward: relu (fc1)', () => F.relu(x));
    x = timed('forward: dropout2', () => this.dropout2.forward(x));
    x = timed('forward: fc2', () => this.fc2.forward(x));
    return timed('forward: logSoftmax', () => F.logSoftmax(x, 1));
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
      const start = now();
      timed('zeroGrad', () => optimizer.zeroGrad());
      const output = model.forward(data);
      const loss = timed('forward: nllLoss', () => F.nllLoss(output, target));
      instrumentBackward(loss.gradFn as object);
      timed('backward (all)', () => loss.backward());
      timed('optimizer.step (Adadelta)', () => optimizer.step());
      loss.item();
      if (timing) times.push(Number(now() - start) / 1e6);
      i++;
    }
    // Each phase's median over the timed steps; 'backward (all)' holds the engine's own work too
    // (what the per-node times leave: gradient accumulation into .grad, bookkeeping).
    const profile: Record<string, number> = {};
    for (const [k, v] of Object.entries(phases)) profile[k] = median(v);
    const nodes = Object.keys(profile).filter((k) => k.startsWith('backward: '));
    profile['backward: engine and accumulation'] = profile['backward (all)'] - nodes.reduce((s, k) => s + profile[k], 0);
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
