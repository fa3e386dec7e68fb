/**
 * One rank of distributed.spec.ts's DistributedDataParallel jobs (`mpirun -np 2 … mpi-ddp-worker.ts
 * OUTDIR`). Every rank also trains the single-process reference itself (no MPI involved), so the
 * comparison needs nothing from the other ranks; results go to OUTDIR/rank-R.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../src';
import { type Tensor, nn, optim } from '../../src';
import * as dist from '../../src/distributed';

const STEPS = 50;
const PER_RANK = 32;

/**
 * The MLP 20-64-32-5, with its layers registered in the order last, first, middle: the buckets
 * (reverse registration order) then complete out of order during backward, so DDP must hold
 * early ones back until the buckets before them are reduced.
 */
class Scrambled extends nn.Module {
  out = new nn.Linear(32, 5);
  first = new nn.Linear(20, 64);
  middle = new nn.Linear(64, 32);
  forward(x: Tensor): Tensor {
    return this.out.call(this.middle.call(this.first.call(x).relu()).relu());
  }
}

function mlp(seed: number): nn.Module {
  torch.manualSeed(seed);
  return new Scrambled();
}

/** The same synthetic data on every rank (its own generator, whatever the rank's global seed). */
function data(rows: number): { x: Tensor; y: Tensor } {
  const g = new torch.Generator().manualSeed(7);
  return { x: torch.randn([rows, 20], { generator: g }), y: torch.randint(0, 5, [rows], { generator: g }) };
}

/** Largest |a - b| over all parameters of two models with the same structure. */
function maxDiff(a: nn.Module, b: nn.Module): number {
  const pa = a.parameters();
  const pb = b.parameters();
  let worst = 0;
  pa.forEach((p, i) => p.data.forEach((v, j) => (worst = Math.max(worst, Math.abs((v as number) - (pb[i].data[j] as number))))));
  return worst;
}

/** 50 Adam steps: DDP on this rank's 32 rows of each 64-row batch vs. one process on all 64. */
function equivalence(rank: number, size: number, bucketCapMb?: number) {
  const { x, y } = data(STEPS * PER_RANK * size);
  const loss = new nn.CrossEntropyLoss();
  // Different initial parameters per rank: DDP must start everyone from rank 0's.
  const ddp = new nn.parallel.DistributedDataParallel(mlp(100 + rank), bucketCapMb === undefined ? {} : { bucketCapMb });
  const reference = mlp(100);
  const startDiff = maxDiff(ddp.module, reference);
  const optDdp = new optim.Adam(ddp.parameters(), { lr: 1e-2 });
  const optRef = new optim.Adam(reference.parameters(), { lr: 1e-2 });
  for (let s = 0; s < STEPS; s++) {
    const global = s * PER_RANK * size;
    const mine = global + rank * PER_RANK;
    optDdp.zeroGrad();
    loss.call(ddp.call(x.slice(0, mine, mine + PER_RANK)), y.slice(0, mine, mine + PER_RANK)).backward();
    optDdp.step();
    optRef.zeroGrad();
    loss.call(reference.call(x.slice(0, global, global + PER_RANK * size)), y.slice(0, global, global + PER_RANK * size)).backward();
    optRef.step();
  }
  const moved = maxDiff(reference, mlp(100));
  return { startDiff, endDiff: maxDiff(ddp.module, reference), moved, buckets: ddp.bucketSizes };
}

/** Two micro-batches of 16 per rank, the first under noSync: the gradient is the sum of two means. */
function accumulation(rank: number, size: number) {
  const { x, y } = data(64 * size);
  const loss = new nn.CrossEntropyLoss();
  const ddp = new nn.parallel.DistributedDataParallel(mlp(5));
  const part = (k: number) => {
    const start = rank * 32 + k * 16;
    return loss.call(ddp.call(x.slice(0, start, start + 16)), y.slice(0, start, start + 16));
  };
  ddp.noSync(() => part(0).backward());
  const localAfterNoSync = (ddp.module.parameters()[0].grad as Tensor).clone();
  part(1).backward();
  const reference = mlp(5);
  loss.call(reference.call(x.slice(0, 0, 32 * size)), y.slice(0, 0, 32 * size)).mul(2).backward();
  let worst = 0;
  ddp.module.parameters().forEach((p, i) => {
    const r = reference.parameters()[i].grad as Tensor;
    (p.grad as Tensor).data.forEach((v, j) => (worst = Math.max(worst, Math.abs((v as number) - (r.data[j] as number)))));
  });
  // Inside noSync nothing was averaged: rank 0's and rank 1's local gradients still differ.
  const gathered = Array.from({ length: size }, () => torch.zeros(localAfterNoSync.shape));
  dist.allGather(gathered, localAfterNoSync);
  const ranksDiffered = !gathered.every((g) => g.sub(gathered[0]).abs().max().item() === 0);
  return { gradDiff: worst, ranksDiffered };
}

/** A model with a parameter that takes no part in the loss. */
class TwoHeads extends nn.Module {
  used = new nn.Linear(4, 2);
  unused = new nn.Linear(4, 2);
  forward(x: Tensor): Tensor {
    return this.used.call(x);
  }
}

/** `sometimes` takes part only where `useSometimes` (rank 0); `never` nowhere. */
class Branchy extends nn.Module {
  used = new nn.Linear(4, 3);
  sometimes = new nn.Linear(4, 3);
  never = new nn.Linear(4, 3);
  constructor(readonly useSometimes: boolean) {
    super();
  }
  forward(x: Tensor): Tensor {
    const y = this.used.call(x);
    return this.useSometimes ? y.add(this.sometimes.call(x)) : y;
  }
}

/**
 * findUnusedParameters: rank 0 uses `sometimes`, rank 1 does not, nobody uses `never`. Every rank
 * must end with the average of both ranks' gradients (rank 1 contributing zeros to `sometimes`),
 * and `never` without a gradient; a second iteration must run without the unfinished-reduction error.
 */
function unusedParameters(rank: number, size: number, bucketCapMb: number) {
  const inputOf = (r: number) => torch.arange(8).reshape(2, 4).float().add(r).div(10);
  const gradsOf = (r: number): Record<string, number[] | null> => {
    torch.manualSeed(9);
    const m = new Branchy(r === 0);
    m.call(inputOf(r)).pow(2).sum().backward();
    return Object.fromEntries(m.namedParameters().map(([k, p]) => [k, p.grad === null ? null : Array.from(p.grad.data as Float32Array)]));
  };
  const per = Array.from({ length: size }, (_, r) => gradsOf(r));
  torch.manualSeed(9);
  const ddp = new nn.parallel.DistributedDataParallel(new Branchy(rank === 0), { findUnusedParameters: true, bucketCapMb });
  ddp.call(inputOf(rank)).pow(2).sum().backward();
  let worst = 0;
  const nullGrads: string[] = [];
  for (const [name, p] of ddp.module.namedParameters()) {
    if (p.grad === null) {
      nullGrads.push(name);
      continue;
    }
    const expected = (i: number) => per.reduce((sum, g) => sum + (g[name]?.[i] ?? 0), 0) / size;
    (p.grad.data as Float32Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected(i)))));
  }
  let secondIteration = 'ok';
  try {
    ddp.module.zeroGrad();
    ddp.call(inputOf(rank)).pow(2).sum().backward();
    ddp.call(inputOf(rank));
  } catch (e) {
    secondIteration = (e as Error).message;
  }
  return { worst, nullGrads, secondIteration, buckets: ddp.bucketSizes.length };
}

function main(): void {
  const outDir = process.argv[2];
  dist.initProcessGroup({ backend: 'mpi' });
  const rank = dist.getRank();
  const size = dist.getWorldSize();
  const defaults = equivalence(rank, size);
  const smallBuckets = equivalence(rank, size, 0.002);
  const acc = accumulation(rank, size);
  const ddp = new nn.parallel.DistributedDataParallel(mlp(1));
  const keys = Object.keys(ddp.stateDict());
  // A parameter that never gets a gradient: the next forward must say so (on every rank).
  const withUnused = new nn.parallel.DistributedDataParallel(new TwoHeads());
  withUnused.call(torch.ones(1, 4)).sum().backward();
  let unusedError = '';
  try {
    withUnused.call(torch.ones(1, 4));
  } catch (e) {
    unusedError = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const findUnused = [unusedParameters(rank, size, 25), unusedParameters(rank, size, 0.00005)];
  writeFileSync(join(outDir, `rank-${rank}.json`), JSON.stringify({ rank, size, defaults, smallBuckets, acc, keys, unusedError, findUnused }));
}

main();
