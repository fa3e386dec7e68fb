/**
 * One rank of the MPI jobs that distributed.spec.ts starts (`mpirun -np N node -r
 * ts-node/register/transpile-only mpi-worker.ts MODE OUTDIR`). Each mode runs collectives and
 * writes what it saw to OUTDIR/rank-R.json (a file, not stdout: mpirun may split long lines of
 * concurrent ranks); the spec compares that against cases.ts and the expected errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../src';
import * as dist from '../../src/distributed';
import { type DT, type Op, GATHER_SIZES, SIZES, allReduceCases, input, reduced, tolerance } from './cases';

type Result = { name: string; mismatches: number; first?: string };

const ARRAYS = { float32: Float32Array, int32: Int32Array, int64: BigInt64Array };

function tensorOf(dtype: DT, n: number, value: (i: number) => number): Tensor {
  const data = new ARRAYS[dtype](n);
  for (let i = 0; i < n; i++) (data as unknown as (number | bigint)[])[i] = dtype === 'int64' ? BigInt(value(i)) : value(i);
  return new Tensor(data, [n], dtype);
}

/** Counts the elements of `t` that differ from `expected(i)` (relative tolerance `tol`). */
function compare(name: string, t: Tensor, expected: (i: number) => number, tol = 0): Result {
  let mismatches = 0;
  let first: string | undefined;
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const e = expected(i);
    const got = data[i];
    const ok = typeof got === 'bigint' ? got === BigInt(e) : Math.abs(got - e) <= tol * Math.abs(e);
    if (!ok) {
      mismatches++;
      first ??= `[${i}] got ${got}, expected ${e}`;
    }
  }
  return { name, mismatches, first };
}

function collectives(rank: number, size: number): Result[] {
  const results: Result[] = [];
  for (const { dtype, op, n } of allReduceCases()) {
    const t = tensorOf(dtype, n, (i) => input(dtype, rank, i, op === 'PRODUCT'));
    const version = t._version;
    dist.allReduce(t, dist.ReduceOp[op]);
    results.push(compare(`allReduce ${dtype} ${op} n=${n}`, t, (i) => reduced(op, dtype, size, i), tolerance(op)));
    if (t._version !== version + 1) results.push({ name: `allReduce ${dtype} version`, mismatches: 1, first: `version ${t._version}` });
  }
  for (const dtype of ['float32', 'int32', 'int64'] as DT[]) {
    for (const src of [0, size - 1]) {
      for (const n of SIZES) {
        const t = tensorOf(dtype, n, (i) => input(dtype, rank, i));
        dist.broadcast(t, src);
        results.push(compare(`broadcast ${dtype} src=${src} n=${n}`, t, (i) => input(dtype, src, i)));
      }
    }
  }
  for (const dtype of ['float32', 'int32', 'int64'] as DT[]) {
    for (const n of GATHER_SIZES) {
      // Separate output tensors (staged), then chunks of one buffer (direct), then in place.
      const mine = tensorOf(dtype, n, (i) => input(dtype, rank, i));
      const outs = Array.from({ length: size }, () => tensorOf(dtype, n, () => -99));
      dist.allGather(outs, mine);
      outs.forEach((o, r) => results.push(compare(`allGather ${dtype} n=${n} [${r}]`, o, (i) => input(dtype, r, i))));
      const whole = tensorOf(dtype, n * size, () => -99);
      dist.allGather(whole.chunk(size), mine);
      results.push(compare(`allGather chunks ${dtype} n=${n}`, whole, (i) => input(dtype, Math.floor(i / n), i % n)));
      const inPlace = tensorOf(dtype, n * size, () => -99);
      const pieces = inPlace.chunk(size);
      pieces[rank].copy_(mine);
      dist.allGather(pieces, pieces[rank]);
      results.push(compare(`allGather in place ${dtype} n=${n}`, inPlace, (i) => input(dtype, Math.floor(i / n), i % n)));
      const into = tensorOf(dtype, n * size, () => -99);
      dist.allGatherIntoTensor(into, mine);
      results.push(compare(`allGatherIntoTensor ${dtype} n=${n}`, into, (i) => input(dtype, Math.floor(i / n), i % n)));
    }
  }
  const scatterCases: [DT, Op][] = [['float32', 'SUM'], ['float32', 'AVG'], ['int32', 'MAX'], ['int64', 'MIN']];
  for (const [dtype, op] of scatterCases) {
    for (const n of GATHER_SIZES) {
      // Rank r's input block b holds input(r, b·n + i): the full reduction's block `rank` lands here.
      const expected = (i: number) => reduced(op, dtype, size, rank * n + i);
      const inputs = Array.from({ length: size }, (_, b) => tensorOf(dtype, n, (i) => input(dtype, rank, b * n + i)));
      const out = tensorOf(dtype, n, () => -99);
      dist.reduceScatter(out, inputs, dist.ReduceOp[op]);
      results.push(compare(`reduceScatter ${dtype} ${op} n=${n}`, out, expected, tolerance(op)));
      const flat = tensorOf(dtype, n * size, (i) => input(dtype, rank, i));
      const out2 = tensorOf(dtype, n, () => -99);
      dist.reduceScatterTensor(out2, flat, dist.ReduceOp[op]);
      results.push(compare(`reduceScatterTensor ${dtype} ${op} n=${n}`, out2, expected, tolerance(op)));
    }
  }
  return results;
}

/** Rank 0 arrives late; nobody may leave the barrier before it arrived. */
function barrier(rank: number): Result[] {
  if (rank === 0) {
    const until = Date.now() + 300;
    while (Date.now() < until);
  }
  const arrived = new BigInt64Array([BigInt(Date.now())]);
  dist.barrier();
  const left = Date.now();
  const rank0Arrived = new Tensor(arrived, [1], 'int64');
  dist.broadcast(rank0Arrived, 0);
  const early = left < Number(rank0Arrived.data[0]) ? 1 : 0;
  return [{ name: 'barrier waits for the last rank', mismatches: early, first: early ? `left at ${left}` : undefined }];
}

/** Runs `fn` and reports the error it throws (every bad-input case must throw). */
function caught(name: string, fn: () => void): { name: string; error: string | null; message: string } {
  try {
    fn();
    return { name, error: null, message: '' };
  } catch (err) {
    const e = err as Error;
    return { name, error: e.name, message: e.message };
  }
}

function errors(rank: number, size: number) {
  const f = (n: number) => tensorOf('float32', n, () => 1);
  const out = [
    caught('sizes differ', () => dist.allReduce(f(rank === 0 ? 3 : 4))),
    caught('dtypes differ', () => dist.allReduce(rank === 0 ? f(3) : tensorOf('int32', 3, () => 1))),
    caught('collectives differ', () => (rank === 0 ? dist.allReduce(f(2)) : dist.broadcast(f(2), 0))),
    caught('ops differ', () => dist.allReduce(f(2), rank === 0 ? dist.ReduceOp.SUM : dist.ReduceOp.MAX)),
    caught('src differs', () => dist.broadcast(f(2), rank === 0 ? 0 : 1)),
    // Only rank 1 passes a bad tensor: it gets its own error, the others learn that it failed.
    caught('one rank non-contiguous', () => dist.allReduce(rank === 1 ? tensorOf('float32', 4, () => 1).view(2, 2).t() : f(4))),
    caught('invalid src', () => dist.broadcast(f(2), size)),
    caught('gather list length', () => dist.allGather([f(2)], f(2))),
    caught('gather sizes', () => dist.allGather(Array.from({ length: size }, () => f(3)), f(2))),
    caught('avg on int', () => dist.allReduce(tensorOf('int32', 2, () => 1), dist.ReduceOp.AVG)),
    caught('not a tensor', () => dist.allReduce([1, 2] as unknown as Tensor)),
    caught('bad op', () => dist.allReduce(f(2), 'sum' as unknown as dist.ReduceOp)),
    caught('uint8', () => dist.allReduce(new Tensor(new Uint8Array(2), [2], 'uint8'))),
    caught('asyncOp not boolean', () => dist.allGather([f(2), f(2)], f(2), { asyncOp: 'yes' as unknown as true })),
    caught('init twice', () => dist.initProcessGroup({ backend: 'mpi' })),
    caught('wrong backend', () => dist.initProcessGroup({ backend: 'gloo' })),
  ];
  // After all that the group still works, and survives destroy + init.
  const t = f(5);
  dist.allReduce(t);
  const after = compare('allReduce after errors', t, () => size);
  dist.destroyProcessGroup();
  const destroyed = caught('after destroy', () => dist.allReduce(f(1)));
  dist.initProcessGroup({ backend: 'mpi', worldSize: size, rank });
  const t2 = f(5);
  dist.allReduce(t2);
  return { errors: [...out, destroyed], results: [after, compare('allReduce after re-init', t2, () => size)] };
}

/** Rejection of `work.wait()` as { error, message }, or null when it resolved. */
async function rejection(work: dist.Work): Promise<{ error: string; message: string } | null> {
  try {
    await work.wait();
    return null;
  } catch (e) {
    return { error: (e as Error).name, message: (e as Error).message };
  }
}

/** asyncOp: the main thread runs while waiting; issue order is kept; errors come from wait(). */
async function asyncOps(rank: number, size: number) {
  const results: Result[] = [];
  // Rank 0 waits for a late rank 1 in an async all-reduce while its timers keep firing.
  const t = tensorOf('float32', 1000, (i) => input('float32', rank, i));
  if (rank === 1) {
    const until = Date.now() + 500;
    while (Date.now() < until);
  }
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const work = dist.allReduce(t, dist.ReduceOp.SUM, { asyncOp: true });
  const pendingAtOnce = !work.isCompleted();
  await work.wait();
  clearInterval(timer);
  results.push(compare('async allReduce', t, (i) => reduced('SUM', 'float32', size, i)));
  const freeWhileWaiting = rank === 0 ? ticks >= 10 && pendingAtOnce && work.isCompleted() : true;
  results.push({ name: 'main thread free while waiting', mismatches: freeWhileWaiting ? 0 : 1, first: `ticks ${ticks}` });
  // Several in flight, then a synchronous one, then wait for all: every result right.
  const a = tensorOf('float32', 7, (i) => input('float32', rank, i));
  const b = tensorOf('int64', 65537, (i) => input('int64', rank, i));
  const c = tensorOf('int32', 1000, (i) => input('int32', rank, i));
  const d = tensorOf('float32', 1000, (i) => input('float32', rank, i, true));
  const works = [
    dist.allReduce(a, dist.ReduceOp.MAX, { asyncOp: true }),
    dist.allReduce(b, dist.ReduceOp.SUM, { asyncOp: true }),
    dist.broadcast(c, size - 1, { asyncOp: true }),
  ];
  dist.allReduce(d, dist.ReduceOp.PRODUCT); // synchronous: runs after the three above
  await Promise.all(works.map((w) => w.wait()));
  results.push(compare('async in flight: MAX', a, (i) => reduced('MAX', 'float32', size, i)));
  results.push(compare('async in flight: int64 SUM', b, (i) => reduced('SUM', 'int64', size, i)));
  results.push(compare('async in flight: broadcast', c, (i) => input('int32', size - 1, i)));
  results.push(compare('sync after async: PRODUCT', d, (i) => reduced('PRODUCT', 'float32', size, i)));
  const errors = {
    sizes: await rejection(dist.allReduce(tensorOf('float32', rank === 0 ? 3 : 4, () => 1), dist.ReduceOp.SUM, { asyncOp: true })),
    local: await rejection(dist.broadcast(rank === 1 ? ([1] as unknown as Tensor) : tensorOf('float32', 2, () => 1), 0, { asyncOp: true })),
  };
  const after = tensorOf('float32', 3, () => 1);
  await dist.allReduce(after, dist.ReduceOp.SUM, { asyncOp: true }).wait();
  results.push(compare('async after errors', after, () => size));
  results.push(...(await asyncGatherScatter(rank, size)));
  const gatherErrors = {
    gatherSizes: await rejection(dist.allGatherIntoTensor(tensorOf('float32', size * (rank === 0 ? 2 : 3), () => 0), tensorOf('float32', rank === 0 ? 2 : 3, () => 1), { asyncOp: true })),
    scatterLocal: await rejection(
      dist.reduceScatter(tensorOf('float32', 2, () => 0), Array.from({ length: rank === 1 ? 1 : size }, () => tensorOf('float32', 2, () => 1)), dist.ReduceOp.SUM, { asyncOp: true }),
    ),
    barrierLocal: await rejection(dist.barrier(rank === 0 ? { asyncOp: true, group: 1 as never } : { asyncOp: true })),
  };
  const last = tensorOf('int32', 4, () => 2);
  await dist.allReduce(last, dist.ReduceOp.PRODUCT, { asyncOp: true }).wait();
  results.push(compare('async after gather/scatter errors', last, () => 2 ** size));
  return { results, errors: { ...errors, ...gatherErrors } };
}

/**
 * asyncOp on allGather / allGatherIntoTensor / reduceScatter / reduceScatterTensor / barrier:
 * a barrier that waits for a late rank without blocking timers, then every form in flight at
 * once (with a synchronous call after them), each result against cases.ts.
 */
async function asyncGatherScatter(rank: number, size: number): Promise<Result[]> {
  const results: Result[] = [];
  if (rank === 0) {
    const until = Date.now() + 500;
    while (Date.now() < until);
  }
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const arrived = Date.now();
  const barrierWork = dist.barrier({ asyncOp: true });
  const pendingAtOnce = !barrierWork.isCompleted();
  await barrierWork.wait();
  const left = Date.now();
  clearInterval(timer);
  // Rank 0 arrived last: the others waited in the barrier, with their timers firing meanwhile.
  const times = new BigInt64Array([BigInt(arrived)]);
  dist.broadcast(new Tensor(times, [1], 'int64'), 0);
  const waited = rank === 0 || (left >= Number(times[0]) && pendingAtOnce && ticks >= 10 && barrierWork.isCompleted());
  results.push({ name: 'async barrier waits for the last rank, main thread free', mismatches: waited ? 0 : 1, first: `ticks ${ticks}, left ${left}, rank 0 arrived ${times[0]}` });

  const n = 1001;
  const pending: dist.Work[] = [];
  const mine = (dtype: DT) => tensorOf(dtype, n, (i) => input(dtype, rank, i));
  // allGather into separate tensors (staged, copied out when the Work completes) and into chunks.
  const separate = Array.from({ length: size }, () => tensorOf('int32', n, () => -99));
  pending.push(dist.allGather(separate, mine('int32'), { asyncOp: true }));
  const whole = tensorOf('float32', n * size, () => -99);
  pending.push(dist.allGather(whole.chunk(size), mine('float32'), { asyncOp: true }));
  const into = tensorOf('int64', n * size, () => -99);
  pending.push(dist.allGatherIntoTensor(into, mine('int64'), { asyncOp: true }));
  const inputs = Array.from({ length: size }, (_, b) => tensorOf('float32', n, (i) => input('float32', rank, b * n + i)));
  const scattered = tensorOf('float32', n, () => -99);
  pending.push(dist.reduceScatter(scattered, inputs, dist.ReduceOp.AVG, { asyncOp: true }));
  const flat = tensorOf('int64', n * size, (i) => input('int64', rank, i));
  const scatteredTensor = tensorOf('int64', n, () => -99);
  pending.push(dist.reduceScatterTensor(scatteredTensor, flat, dist.ReduceOp.MIN, { asyncOp: true }));
  pending.push(dist.barrier({ asyncOp: true }));
  const sync = mine('float32');
  dist.allReduce(sync, dist.ReduceOp.MAX); // synchronous: runs after all of the above
  await Promise.all(pending.map((w) => w.wait()));
  separate.forEach((o, r) => results.push(compare(`async allGather int32 [${r}]`, o, (i) => input('int32', r, i))));
  results.push(compare('async allGather chunks float32', whole, (i) => input('float32', Math.floor(i / n), i % n)));
  results.push(compare('async allGatherIntoTensor int64', into, (i) => input('int64', Math.floor(i / n), i % n)));
  results.push(compare('async reduceScatter float32 AVG', scattered, (i) => reduced('AVG', 'float32', size, rank * n + i), tolerance('AVG')));
  results.push(compare('async reduceScatterTensor int64 MIN', scatteredTensor, (i) => reduced('MIN', 'int64', size, rank * n + i)));
  results.push(compare('sync after async gathers: MAX', sync, (i) => reduced('MAX', 'float32', size, i)));
  results.push({ name: 'every Work completed', mismatches: pending.every((w) => w.isCompleted()) ? 0 : 1 });
  return results;
}

async function main(): Promise<void> {
  const [mode, outDir] = process.argv.slice(2);
  dist.initProcessGroup({ backend: 'mpi' });
  const rank = dist.getRank();
  const size = dist.getWorldSize();
  const report = (value: object) => writeFileSync(join(outDir, `rank-${rank}.json`), JSON.stringify({ rank, size, ...value }));
  if (mode === 'collectives') {
    report({ results: [...collectives(rank, size), ...barrier(rank)] });
  } else if (mode === 'errors') {
    report(errors(rank, size));
  } else if (mode === 'async') {
    report(await asyncOps(rank, size));
  } else if (mode === 'throw') {
    // Rank 1 fails while the others wait in a collective: the job must end, not hang.
    if (rank === 1) throw new Error('rank 1 failed on purpose');
    dist.allReduce(tensorOf('float32', 4, () => 1));
  } else if (mode === 'kill') {
    if (rank === 1) process.kill(process.pid, 'SIGKILL');
    dist.allReduce(tensorOf('float32', 4, () => 1));
  } else {
    throw new Error(`mpi-worker: unknown mode ${mode}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
