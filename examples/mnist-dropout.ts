/**
 * The seed program (SEED.md: "Using Dropout with PyTorch"), line for line in kindling: an MLP
 * with Dropout trained on MNIST with Adam, plus a progress bar per epoch, the time split between
 * data loading and training steps, and the test-set accuracy at the end.
 *
 *   npm run build && npm run mnist                  (5 epochs)
 *   npx ts-node examples/mnist-dropout.ts --epochs 1
 *
 * Options: `--epochs N` (default 5); `--limit N` stops every epoch after N batches (quick checks);
 * `--tensorboard` logs the mean training loss of every 50 batches and the test accuracy to
 * runs/<date>_<host>/ (view with `tensorboard --logdir runs`).
 * MNIST is read from (or fetched into) ./MNIST/raw, like torchvision's `MNIST(os.getcwd())`.
 */
import { parseArgs } from 'node:util';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';
import { progress } from 'kindling/utils';
import { SummaryWriter } from 'kindling/utils/tensorboard';

class MLP extends nn.Module {
  layers = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(28 * 28 * 1, 64),
    new nn.Dropout(0.5),
    new nn.ReLU(),
    new nn.Linear(64, 32),
    new nn.Dropout(0.5),
    new nn.ReLU(),
    new nn.Linear(32, 10),
  );

  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    limit: { type: 'string', default: 'Infinity' },
    tensorboard: { type: 'boolean', default: false },
  },
});
const epochs = Number(args.epochs);
const limit = Number(args.limit);
if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`--epochs must be a non-negative integer, got ${args.epochs}`);
if (!(limit > 0)) throw new RangeError(`--limit must be a positive number of batches, got ${args.limit}`);

torch.manualSeed(42);
const dataset = new MNIST(process.cwd(), { download: true, transform: transforms.ToTensor() });
const trainloader = new DataLoader(dataset, { batchSize: 10, shuffle: true, numWorkers: 1 });
const mlp = new MLP();
const lossFunction = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(mlp.parameters(), { lr: 1e-4 });
const writer = args.tensorboard ? new SummaryWriter() : null;
if (writer !== null) console.log(`TensorBoard logs: ${writer.logDir}`);
/** Batches per TensorBoard point: one point per 50 batches keeps the curve readable. */
const LOG_EVERY = 50;
let globalStep = 0;
let windowLoss = 0;

for (let epoch = 0; epoch < epochs; epoch++) {
  console.log(`Starting epoch ${epoch + 1}`);
  const bar = progress(trainloader, { desc: `Epoch ${epoch + 1}/${epochs}`, total: Math.min(trainloader.length, limit), unit: 'batch' });
  let currentLoss = 0;
  let i = 0;
  for (const [inputs, targets] of bar) {
    optimizer.zeroGrad();
    const outputs = mlp.forward(inputs);
    const loss = lossFunction.forward(outputs, targets);
    loss.backward();
    optimizer.step();
    const lossValue = loss.item();
    currentLoss += lossValue;
    windowLoss += lossValue;
    globalStep++;
    if (writer !== null && globalStep % LOG_EVERY === 0) {
      writer.addScalar('Loss/train', windowLoss / LOG_EVERY, globalStep);
      windowLoss = 0;
    }
    const runningLoss = currentLoss / ((i % 500) + 1);
    if (i % 500 === 499) {
      console.log(`Loss after mini-batch ${String(i + 1).padStart(5)}: ${(currentLoss / 500).toFixed(3)}`);
      currentLoss = 0;
    }
    i++;
    bar.setPostfix({ loss: runningLoss });
    if (i >= limit) break;
  }
  const times = bar.close();
  console.log(
    `Epoch ${epoch + 1} took ${(times.data + times.steps).toFixed(2)} s: data loading ${times.data.toFixed(2)} s, training steps ${times.steps.toFixed(2)} s`,
  );
}
console.log('Training process has finished.');

// Accuracy on the 10,000 test images: dropout off (eval mode), no graph recorded.
const testset = new MNIST(process.cwd(), { train: false, download: true, transform: transforms.ToTensor() });
mlp.eval();
let correct = 0;
torch.noGrad(() => {
  for (const [inputs, targets] of new DataLoader(testset, { batchSize: 1000 })) {
    correct += mlp.forward(inputs).argmax(1).eq(targets).sum().item();
  }
});
writer?.addScalar('Accuracy/test', correct / testset.length, globalStep);
writer?.close();
console.log(`Test accuracy: ${((100 * correct) / testset.length).toFixed(2)}%`);
