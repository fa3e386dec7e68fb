/**
 * The training-step benchmark of bench/distributed.ts: `--model wide` (MLP 784-1024-1024-10,
 * ReLU, Dropout 0.5, as bench/wide) or `--model seed` (the seed MLP 784-64-32-10), Adam,
 * CrossEntropyLoss, `--batch` rows per rank of fixed random data (this measures the step, not data
 * loading). Under mpirun (`--ddp 1`) the model is wrapped in DistributedDataParallel with
 * `--bucket-cap-mb`; otherwise it is one plain process. Reports the mean step time over `--steps`
 * steps after `--warmup` (the slowest rank's, under mpirun) and DDP's bucket sizes.
 */
import * as torch from 'kindling';
import { nn, optim } from 'kindling';
import * as dist from 'kindling/distributed';
import { seedMLP } from '../../examples/seed-mlp';
import { arg, report } from '../lib/child';
import { wideMLP } from '../wide/model';

function model(name: string): nn.Module {
  if (name === 'seed') return new (seedMLP(nn))() as unknown as nn.Module;
  return wideMLP();
}

function main(): void {
  const name = arg('model', 'wide');
  const batch = Number(arg('batch', '256'));
  const steps = Number(arg('steps', '30'));
  const warmup = Number(arg('warmup', '5'));
  const ddp = arg('ddp', '0') === '1';
  const bucketCapMb = Number(arg('bucket-cap-mb', '25'));
  if (ddp) dist.initProcessGroup({ backend: 'mpi' });
  const rank = ddp ? dist.getRank() : 0;
  torch.manualSeed(42 + rank);
  const inner = model(name);
  const net = ddp ? new nn.parallel.DistributedDataParallel(inner, { bucketCapMb }) : inner;
  const x = torch.rand([batch, 1, 28, 28]);
  const y = torch.randint(0, 10, [batch]);
  const lossFunction = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(net.parameters(), { lr: 1e-3 });
  const step = () => {
    optimizer.zeroGrad();
    lossFunction.call(net.call(x), y).backward();
    optimizer.step();
  };
  for (let i = 0; i < warmup; i++) step();
  if (ddp) dist.barrier();
  const start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) step();
  let ms = Number(process.hrtime.bigint() - start) / 1e6 / steps;
  if (ddp) {
    const t = torch.tensor([ms]);
    dist.allReduce(t, dist.ReduceOp.MAX);
    ms = t.item();
  }
  if (rank === 0) {
    report({
      model: name,
      batch,
      ranks: ddp ? dist.getWorldSize() : 1,
      threads: torch.getNumThreads(),
      ddp,
      buckets: ddp ? (net as nn.parallel.DistributedDataParallel).bucketSizes : [],
      steps,
      warmup,
      stepMs: ms,
    });
  }
  if (ddp) dist.destroyProcessGroup();
}

main();
