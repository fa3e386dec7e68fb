/**
 * Real MPI jobs on this machine: `mpirun --oversubscribe -np 2` and `-np 4` (loopback and shared
 * memory only) running mpi-worker.ts, which feeds every collective inputs from cases.ts and
 * reports what came back. Builds crates/kindling-mpi first (crates/kindling-mpi/build.js, as its
 * npm install would) and finds it through NODE_PATH, as an installed package would be found.
 *
 * Skipped when mpirun is not installed, unless KINDLING_REQUIRE_MPI=1 (.ci/run sets it), which
 * makes a missing mpirun a failure: CI installs Open MPI, so there these tests must run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { LOCAL_JOB_FLAGS, MPI_REQUIRED, MPI_SKIP_NOTE, buildKindlingMpi, mpirun, rankEnv } from '../helpers/mpi';
import { allReduceCases } from './cases';

const repo = resolve(__dirname, '../..');
const worker = join(__dirname, 'mpi-worker.ts');

/** A job that takes longer than this is hung: the fault tests require it to end well before. */
const JOB_TIMEOUT_MS = 180_000;
/** Per test: one job plus margin (4 ranks oversubscribing a loaded 2-core machine are slow). */
const TEST_TIMEOUT_MS = JOB_TIMEOUT_MS + 30_000;

interface Job {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
  reports: Record<string, unknown>[];
}

function runJob(np: number, mode: string, script = worker): Promise<Job> {
  const out = mkdtempSync(join(tmpdir(), 'kindling-mpi-job-'));
  onTestFinished(() => rmSync(out, { recursive: true, force: true }));
  const args = [
    ...LOCAL_JOB_FLAGS,
    ...['-np', String(np)],
    ...[process.execPath, '-r', 'ts-node/register/transpile-only', script, ...(mode ? [mode] : []), out],
  ];
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(mpirun as string, args, { cwd: repo, env: rankEnv(out), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`mpirun -np ${np} ${mode} hung: killed after ${JOB_TIMEOUT_MS} ms\n${output}`));
    }, JOB_TIMEOUT_MS);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // (The directory is also the job's TMPDIR, where Open MPI keeps its session files.)
      const files = readdirSync(out).filter((f) => /^rank-\d+\.json$/.test(f)).sort();
      const reports = files.map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as Record<string, unknown>);
      done({ code, signal, output, ms: Date.now() - started, reports });
    });
  });
}

describe('MPI availability', () => {
  it.runIf(MPI_REQUIRED)('KINDLING_REQUIRE_MPI=1: mpirun is installed', () => {
    expect(mpirun, 'KINDLING_REQUIRE_MPI=1 but mpirun is not on PATH: install openmpi-bin libopenmpi-dev libclang-dev').toBeDefined();
  });
});

describe.skipIf(!mpirun)(`kindling/distributed in real MPI jobs${MPI_SKIP_NOTE}`, () => {
  beforeAll(buildKindlingMpi, 900_000);

  type Result = { name: string; mismatches: number; first?: string };

  for (const np of [2, 4]) {
    it(`every collective, dtype and size gives the computed result on ${np} ranks`, async () => {
      const job = await runJob(np, 'collectives');
      expect(job.code, job.output).toBe(0);
      expect(job.reports.map((r) => r.rank)).toEqual([...Array(np).keys()]);
      const names = (job.reports[0].results as Result[]).map((r) => r.name);
      // Every all-reduce case ran (the worker cannot silently skip any), then the rest.
      for (const c of allReduceCases()) expect(names).toContain(`allReduce ${c.dtype} ${c.op} n=${c.n}`);
      expect(names).toContain('barrier waits for the last rank');
      expect(names).toContain(`reduceScatterTensor int64 MIN n=1000`);
      for (const report of job.reports) {
        expect(report.size).toBe(np);
        const results = report.results as Result[];
        expect(results.map((r) => r.name)).toEqual(names);
        expect(results.filter((r) => r.mismatches > 0)).toEqual([]);
      }
    }, TEST_TIMEOUT_MS);
  }

  it('asyncOp: Node\'s main thread runs while a rank waits; issue order is kept; errors come from wait()', async () => {
    const job = await runJob(2, 'async');
    expect(job.code, job.output).toBe(0);
    for (const report of job.reports) {
      expect((report.results as Result[]).map((r) => r.name)).toEqual([
        'async allReduce',
        'main thread free while waiting',
        'async in flight: MAX',
        'async in flight: int64 SUM',
        'async in flight: broadcast',
        'sync after async: PRODUCT',
        'async after errors',
        'async barrier waits for the last rank, main thread free',
        ...Array.from({ length: 2 }, (_, r) => `async allGather int32 [${r}]`),
        'async allGather chunks float32',
        'async allGatherIntoTensor int64',
        'async reduceScatter float32 AVG',
        'async reduceScatterTensor int64 MIN',
        'sync after async gathers: MAX',
        'every Work completed',
        'async after gather/scatter errors',
      ]);
      expect((report.results as Result[]).filter((r) => r.mismatches > 0)).toEqual([]);
    }
    const [r0, r1] = job.reports.map((r) => r.errors as Record<string, { error: string; message: string } | null>);
    for (const errors of [r0, r1]) expect(errors.sizes).toMatchObject({ error: 'ShapeError', message: expect.stringMatching(/^allReduce: tensor sizes differ across ranks/) });
    expect(r1.local).toMatchObject({ error: 'TypeError', message: expect.stringContaining('broadcast: Invalid function argument') });
    expect(r0.local).toMatchObject({ error: 'DistributedError', message: expect.stringContaining('another rank failed') });
    // The gather/scatter/barrier forms reject wait() the same way.
    for (const errors of [r0, r1]) {
      expect(errors.gatherSizes).toMatchObject({ error: 'ShapeError', message: expect.stringMatching(/^allGatherIntoTensor: tensor sizes differ across ranks: [23] elements on this rank, between 2 and 3 across the 2 ranks$/) });
    }
    expect(r1.scatterLocal).toEqual({ error: 'RangeError', message: 'reduceScatter: number of input tensors should equal to the world size (2), but got 1' });
    expect(r0.scatterLocal).toMatchObject({ error: 'DistributedError', message: expect.stringContaining('reduceScatter: the arguments of another rank failed') });
    expect(r0.barrierLocal).toMatchObject({ error: 'TypeError', message: expect.stringMatching(/^barrier: option 'group' is not supported by kindling yet/) });
    expect(r1.barrierLocal).toMatchObject({ error: 'DistributedError', message: expect.stringContaining('barrier: the arguments of another rank failed') });
  }, TEST_TIMEOUT_MS);

  it('bad input gives the same typed error on every rank, and the group stays usable', async () => {
    const job = await runJob(2, 'errors');
    expect(job.code, job.output).toBe(0);
    type Caught = { name: string; error: string | null; message: string };
    const byRank = job.reports.map((r) => Object.fromEntries((r.errors as Caught[]).map((e) => [e.name, e])));
    const both = (name: string, error: string, message: string | RegExp) => {
      for (const errors of byRank) {
        expect(errors[name].error, name).toBe(error);
        expect(errors[name].message, name).toMatch(message);
      }
    };
    both('sizes differ', 'ShapeError', /^allReduce: tensor sizes differ across ranks: [34] elements on this rank, between 3 and 4 across the 2 ranks$/);
    both('dtypes differ', 'TypeError', /^allReduce: dtypes differ across ranks: (float32|int32) on this rank, (int32|float32) on another$/);
    both('collectives differ', 'DistributedError', /ranks disagree on the collective: this rank called (allReduce|broadcast), another rank called (broadcast|allReduce)$/);
    both('ops differ', 'DistributedError', /^allReduce: ranks disagree on the reduce op: (SUM|MAX) on this rank, (MAX|SUM) on another$/);
    both('src differs', 'DistributedError', /^broadcast: ranks disagree on the src rank/);
    // Only rank 1's tensor was bad: it gets PyTorch's message, rank 0 is told a peer failed.
    expect(byRank[1]['one rank non-contiguous']).toMatchObject({ error: 'RangeError', message: expect.stringContaining('allReduce: input tensor has to be contiguous') });
    expect(byRank[0]['one rank non-contiguous']).toMatchObject({ error: 'DistributedError', message: expect.stringContaining('another rank failed') });
    both('invalid src', 'RangeError', 'broadcast: invalid src rank 2 (expected a rank in [0, 1])');
    both('gather list length', 'RangeError', 'allGather: number of output tensors should equal to the world size (2), but got 1');
    both('gather sizes', 'ShapeError', 'allGather: Tensors are not equal in size or data type: `tensorList[0]` has 3 elements, expected 2');
    both('avg on int', 'TypeError', 'allReduce: ReduceOp.AVG needs a floating-point tensor, but got int32');
    both('not a tensor', 'TypeError', 'allReduce: Invalid function argument. Expected parameter `tensor` of type Tensor but got Array instead.');
    both('bad op', 'TypeError', /^allReduce: op must be a ReduceOp \(ReduceOp.SUM, .*\), but got string 'sum'$/);
    both('uint8', 'TypeError', 'allReduce: the MPI backend supports float32, int32 and int64 tensors, but `tensor` is uint8');
    both('asyncOp not boolean', 'TypeError', "allGather: option 'asyncOp' must be a boolean, got string 'yes'");
    both('init twice', 'DistributedError', 'trying to initialize the default process group twice!');
    both('wrong backend', 'RangeError', /^initProcessGroup: Invalid backend: 'gloo'/);
    both('after destroy', 'DistributedError', 'Default process group has not been initialized, please make sure to call initProcessGroup.');
    for (const report of job.reports) expect(report.results).toEqual([{ name: 'allReduce after errors', mismatches: 0 }, { name: 'allReduce after re-init', mismatches: 0 }]);
  }, TEST_TIMEOUT_MS);

  it('DistributedDataParallel: 2 ranks × batch 32 train like 1 process × batch 64', async () => {
    const job = await runJob(2, '', join(__dirname, 'mpi-ddp-worker.ts'));
    expect(job.code, job.output).toBe(0);
    expect(job.reports).toHaveLength(2);
    for (const r of job.reports as Record<string, any>[]) {
      for (const run of [r.defaults, r.smallBuckets]) {
        expect(run.startDiff).toBe(0); // rank 1 started from its own init: the broadcast replaced it
        expect(run.moved).toBeGreaterThan(0.05); // 50 Adam steps moved the parameters…
        expect(run.endDiff).toBeLessThan(1e-5); // …identically to the single process, up to rounding
      }
      expect(r.defaults.buckets).toEqual([3589]);
      expect(r.smallBuckets.buckets.length).toBeGreaterThan(2);
      expect(r.smallBuckets.buckets.reduce((a: number, b: number) => a + b, 0)).toBe(3589);
      // noSync: local accumulation, then one averaged reduction of the sum.
      expect(r.acc.ranksDiffered).toBe(true);
      expect(r.acc.gradDiff).toBeLessThan(1e-6);
      expect(r.keys).toEqual(['module.out.weight', 'module.out.bias', 'module.first.weight', 'module.first.bias', 'module.middle.weight', 'module.middle.bias']);
      // findUnusedParameters, in one bucket and in one bucket per parameter.
      expect(r.findUnused.map((f: { buckets: number }) => f.buckets)).toEqual([1, 6]);
      for (const f of r.findUnused) {
        expect(f.nullGrads).toEqual(['never.weight', 'never.bias']);
        expect(f.worst).toBeLessThan(1e-6);
        expect(f.secondIteration).toBe('ok');
      }
      expect(r.unusedError).toMatch(/^DistributedError: Expected to have finished reduction in the prior iteration before starting a new one\..*\(2 without a gradient\)/);
    }
  }, TEST_TIMEOUT_MS);

  it('examples/mnist-ddp.ts at full scale: 2 ranks × batch 10 on MNIST train like 1 process × batch 20 (dropout off)', async () => {
    const steps = 40;
    const job = await runJob(2, String(steps), join(__dirname, 'mpi-mnist-worker.ts'));
    expect(job.code, job.output).toBe(0);
    expect(job.reports).toHaveLength(2);
    for (const r of job.reports as Record<string, number | number[]>[]) {
      expect(r.steps).toBe(steps);
      expect(r.globalRows).toEqual([20]); // every step's global batch: both ranks' 10 rows
      expect(r.moved).toBeGreaterThan(2e-3); // 40 Adam steps at lr 1e-4 moved the parameters…
      expect(r.endDiff).toBeLessThan(1e-5); // …as the single process on the global batch did, up to rounding
      expect(r.rankSpread).toBe(0); // and both ranks hold the same parameters, bit for bit
      expect(r.lastLoss).toBeLessThan(2.3);
    }
  }, TEST_TIMEOUT_MS);

  it('a rank that throws ends the job with its error, without a hang', async () => {
    const job = await runJob(2, 'throw');
    expect(job.code).not.toBe(0);
    expect(job.output).toContain('Error: rank 1 failed on purpose');
    expect(job.ms).toBeLessThan(60_000);
  }, TEST_TIMEOUT_MS);

  it('a rank that is killed ends the job, without a hang', async () => {
    const job = await runJob(2, 'kill');
    expect(job.code).not.toBe(0);
    expect(job.output).toMatch(/rank 1 .* signal 9/);
    expect(job.ms).toBeLessThan(60_000);
  }, TEST_TIMEOUT_MS);

  it('initProcessGroup outside mpirun says how to launch', () => {
    const env = rankEnv(tmpdir());
    for (const key of Object.keys(env)) if (/^(OMPI_|PMI_|PMIX_)/.test(key)) delete env[key];
    const script =
      "require('ts-node/register/transpile-only'); const d = require('./src/distributed');" +
      'try { d.initProcessGroup({ backend: "mpi" }); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, init: d.isInitialized() })); }';
    const got = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repo, env }).toString());
    expect(got).toMatchObject({ name: 'BackendUnavailableError', code: 'ERR_KINDLING_MPI_NOT_LAUNCHED', init: false });
    expect(got.message).toContain("initProcessGroup: backend 'mpi' needs a process started by mpirun");
    expect(got.message).toContain('mpirun -np 2 node train.js');
  });
});
