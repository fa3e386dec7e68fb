/**
 * One rank of the all-reduce benchmark (bench/distributed.ts starts it under mpirun): the time of
 * `dist.allReduce` (SUM, float32, in place) for message sizes from 4 bytes to `--max-bytes`. Per
 * size: a warm-up call, then a repetition count that rank 0 picks from it (about `--trial-ms` per
 * trial) and broadcasts, so every rank issues the same calls; three trials, each timed from a
 * barrier, each rank's mean per call, the slowest rank's counts (MAX across ranks), the best of the
 * trials reported. Also the addon's bare `MPI_Allreduce` (`allReduceF32`, without kindling's
 * 80-byte agreement exchange), to show what the agreement adds. Rank 0 prints the result line.
 */
import * as torch from 'kindling';
import * as dist from 'kindling/distributed';
import { arg, report } from '../lib/child';

type Bare = { allReduceF32(buf: Float32Array, op: number): void };

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** The slowest rank's value. */
function slowest(ms: number): number {
  const t = torch.tensor([ms]);
  dist.allReduce(t, dist.ReduceOp.MAX);
  return t.item();
}

/** ms per call of `call`, repeated the same number of times on every rank. */
function time(call: () => void, trialMs: number): { ms: number; reps: number } {
  const t0 = now();
  call(); // warm-up (first touch of the buffers, connections)
  const first = now() - t0;
  const reps = torch.tensor([Math.max(2, Math.min(2000, Math.round(trialMs / Math.max(first, 1e-3))))]);
  dist.broadcast(reps, 0);
  const n = reps.item();
  let best = Infinity;
  for (let trial = 0; trial < 3; trial++) {
    dist.barrier();
    const start = now();
    for (let i = 0; i < n; i++) call();
    best = Math.min(best, slowest((now() - start) / n));
  }
  return { ms: best, reps: n };
}

function main(): void {
  const maxBytes = Number(arg('max-bytes', String(64 * 1024 * 1024)));
  const trialMs = Number(arg('trial-ms', '300'));
  dist.initProcessGroup({ backend: 'mpi' });
  // Reaching into the group for the bare addon call: benchmark-only, to separate the agreement's cost.
  const bare = require('kindling-mpi') as Bare; // eslint-disable-line @typescript-eslint/no-require-imports
  const sizes: number[] = [4];
  for (let b = 4096; b <= maxBytes; b *= 4) sizes.push(b);
  const rows = sizes.map((bytes) => {
    const t = torch.ones([bytes / 4]);
    const kindling = time(() => dist.allReduce(t), trialMs);
    const mpi = time(() => bare.allReduceF32(t.data as Float32Array, 0), trialMs);
    return { bytes, ms: kindling.ms, bareMs: mpi.ms, reps: kindling.reps };
  });
  if (dist.getRank() === 0) report({ ranks: dist.getWorldSize(), threads: torch.getNumThreads(), rows });
  dist.destroyProcessGroup();
}

main();
