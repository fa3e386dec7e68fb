/**
 * Distributed workload (issue #16; tables in docs/DISTRIBUTED.md): MPI jobs on this machine,
 * started here with mpirun (loopback and shared memory only).
 *
 * 1. `dist.allReduce` time vs message size (4 B, 4 KiB … 64 MiB of float32) on 2 and 4 ranks
 *    (4 ranks oversubscribe the cores: say so when reading the numbers), with the bare
 *    MPI_Allreduce beside it (kindling's agreement exchange is the difference).
 * 2. The training step of the wide MLP (784-1024-1024-10, batch 256 per rank): 2 ranks × 1 thread
 *    with DDP against 1 process × 2 threads on the same global batch of 512, and 1 process ×
 *    1 thread on 256 (one rank's compute alone).
 * 3. DDP's overlap: the 2-rank step with one large bucket (bucketCapMb 1000), the default (25) and
 *    small buckets (4 and 1 MiB), which let the all-reduce of the last layers' gradients run while
 *    backward computes the first layer's.
 * 4. The seed MLP's step at its batch (10 per rank), alone and on 2 ranks (spinning, MPI's default,
 *    and yielding while waiting): the compute the scaling model (scripts/scaling-model.ts) sets
 *    against the network.
 *
 * Each step row is the fastest of BENCH_REPEATS (3) runs: the machine is shared.
 *
 *   npm run bench -- distributed      (BENCH_STEPS=n caps the timed steps; BENCH_MAX_BYTES the sizes)
 *
 * Needs mpirun and the kindling-mpi build (built here first, as its npm install would).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildScripts } from './lib/build';
import { RESULT_TAG } from './lib/child';
import { loadLine, machineLine } from './lib/machine';
import { fixed, table } from './lib/markdown';
import { type ChildResult, failureReason } from './lib/spawn';

const ROOT = path.join(__dirname, '..');
const BUILD = path.join(__dirname, '.build', 'bench', 'distributed');
/** A local job: more ranks than cores, as root in containers, loopback and shared memory only. */
const MPI_FLAGS = [
  '--oversubscribe',
  '--allow-run-as-root',
  ...['--mca', 'btl', 'self,vader,tcp', '--mca', 'btl_tcp_if_include', 'lo', '--mca', 'oob_tcp_if_include', 'lo'],
  ...['-x', 'NODE_PATH', '-x', 'KINDLING_NUM_THREADS'],
];

type Outcome = { ok: true; result: ChildResult } | { ok: false; reason: string };

/** Runs `script` (under mpirun with `ranks`, or alone when ranks is 0) and returns its result line. */
function job(label: string, ranks: number, threads: number, script: string, args: string[], mpiFlags: string[] = []): Outcome {
  process.stdout.write(`  ${label} … `);
  const scratch = mkdtempSync(path.join(tmpdir(), 'kindling-bench-mpi-'));
  const node = [process.execPath, path.join(BUILD, script), ...args];
  const [command, argv] = ranks > 0 ? ['mpirun', [...MPI_FLAGS, ...mpiFlags, '-np', String(ranks), ...node]] : [node[0], node.slice(1)];
  const started = Date.now();
  const child = spawnSync(command, argv, {
    cwd: ROOT,
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'crates'), KINDLING_NUM_THREADS: String(threads), TMPDIR: scratch },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  rmSync(scratch, { recursive: true, force: true });
  const line = child.stdout?.split('\n').find((l) => l.startsWith(RESULT_TAG));
  const outcome: Outcome =
    child.status === 0 && line
      ? { ok: true, result: JSON.parse(line.slice(RESULT_TAG.length)) as ChildResult }
      : { ok: false, reason: child.error ? `failed (${child.error.message})` : failureReason(child.stderr ?? '', child.status, child.signal) };
  process.stdout.write(outcome.ok ? `done (${((Date.now() - started) / 1000).toFixed(1)} s)\n` : `${outcome.reason}\n`);
  return outcome;
}

const size = (bytes: number) =>
  bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;

interface AllReduceRow {
  bytes: number;
  ms: number;
  bareMs: number;
  reps: number;
}

function allReduceTable(byRanks: [number, Outcome][]): string {
  const ok = byRanks.filter((e): e is [number, { ok: true; result: ChildResult }] => e[1].ok);
  if (ok.length === 0) return byRanks.map(([n, o]) => `${n} ranks: ${o.ok ? '' : o.reason}`).join('\n');
  const rows = (ok[0][1].result.rows as AllReduceRow[]).map((r, i) => [
    size(r.bytes),
    ...ok.flatMap(([n, o]) => {
      const row = (o.result.rows as AllReduceRow[])[i];
      // Bus bandwidth (NCCL-tests' convention): what each rank's link carries in a ring, 2(N−1)/N · bytes / time.
      const bus = row.bytes < 4096 ? '—' : fixed(((2 * (n - 1)) / n) * (row.bytes / 1e9) / (row.ms / 1e3), 2);
      return [fixed(row.ms * 1000, row.ms < 1 ? 1 : 0), fixed(row.bareMs * 1000, row.bareMs < 1 ? 1 : 0), bus];
    }),
  ]);
  const header = ['message', ...ok.flatMap(([n]) => [`${n} ranks: allReduce µs`, `bare MPI µs`, `bus GB/s`])];
  return table(header, rows);
}

/**
 * The fastest of `REPEATS` runs of a step job: the machine is shared, and other jobs only ever add
 * time, so the minimum is the best estimate of the step's own cost.
 */
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3) || 3;
function best(start: () => Outcome): Outcome {
  const runs = Array.from({ length: REPEATS }, start);
  const ok = runs.filter((r): r is { ok: true; result: ChildResult } => r.ok);
  if (ok.length === 0) return runs[0];
  return ok.reduce((a, b) => ((b.result.stepMs as number) < (a.result.stepMs as number) ? b : a));
}

interface StepRun {
  label: string;
  what: string;
  outcome: Outcome;
}

function stepTable(runs: StepRun[], baseline?: number): string {
  const rows = runs.map(({ label, what, outcome }) => {
    if (!outcome.ok) return [label, what, '—', '—', outcome.reason];
    const r = outcome.result;
    const ms = r.stepMs as number;
    const perSample = (1000 * (r.batch as number) * (r.ranks as number)) / ms;
    const buckets = (r.buckets as number[]).map((n) => fixed((n * 4) / (1 << 20), 2)).join(' + ');
    return [label, what, fixed(ms, 1), fixed(perSample, 0), buckets || '—', baseline ? `${fixed(baseline / ms, 2)}×` : ''];
  });
  return table(['run', 'global batch', 'ms / step', 'samples / s', 'DDP buckets (MiB)', ...(baseline ? ['vs first row'] : [])], rows);
}

export function run(): void {
  buildScripts();
  process.stdout.write('building kindling-mpi … ');
  spawnSync(process.execPath, [path.join(ROOT, 'crates', 'kindling-mpi', 'build.js')], { stdio: 'ignore' });
  process.stdout.write('done\n');
  const machine = machineLine();
  const load = [loadLine()];
  const steps = String(Math.min(Number(process.env.BENCH_STEPS ?? 30) || 30, 30));
  const maxBytes = process.env.BENCH_MAX_BYTES ?? String(64 << 20);
  console.log(`\ndistributed workload — ${machine}; ${load[0]}`);

  const allReduce = [2, 4].map((n) => [n, job(`allReduce, ${n} ranks × 1 thread`, n, 1, 'allreduce.js', ['--max-bytes', maxBytes])] as [number, Outcome]);

  const wide = (ranks: number, threads: number, batch: number, extra: string[] = []) =>
    best(() => job(`wide, ${ranks || 1} × ${threads} thread(s), batch ${batch}${extra.length ? ` ${extra.join(' ')}` : ''}`, ranks, threads, 'step.js', [
      ...['--model', 'wide', '--batch', String(batch), '--steps', steps],
      ...(ranks > 0 ? ['--ddp', '1'] : []),
      ...extra,
    ]));
  const scaling: StepRun[] = [
    { label: '1 process × 2 threads', what: '512 in one process', outcome: wide(0, 2, 512) },
    { label: '2 ranks × 1 thread, DDP', what: '2 × 256', outcome: wide(2, 1, 256) },
    { label: '1 process × 1 thread', what: '256 (one rank alone)', outcome: wide(0, 1, 256) },
    { label: '1 process × 2 threads', what: '256', outcome: wide(0, 2, 256) },
  ];
  const overlap: StepRun[] = [1000, 25, 4, 1].map((cap) => ({
    label: `2 ranks × 1 thread, bucketCapMb ${cap}${cap === 25 ? ' (default)' : ''}`,
    what: '2 × 256',
    outcome: wide(2, 1, 256, ['--bucket-cap-mb', String(cap)]),
  }));
  const seedSteps = String(Math.max(Number(steps) * 10, 100));
  const seed = (ranks: number, threads: number, mpiFlags: string[] = []) =>
    best(() =>
      job(`seed, ${ranks || 1} × ${threads} thread(s), batch 10 ${mpiFlags.join(' ')}`, ranks, threads, 'step.js', [
        ...['--model', 'seed', '--batch', '10', '--steps', seedSteps, '--warmup', '20'],
        ...(ranks > 0 ? ['--ddp', '1'] : []),
      ], mpiFlags),
    );
  // Waiting ranks spin in MPI by default; yielding gives the core back to the peer (and to the
  // machine's other jobs), which matters when a step synchronises often and the cores are busy.
  const seedRuns: StepRun[] = [
    { label: '1 process × 1 thread', what: '10', outcome: seed(0, 1) },
    { label: '2 ranks × 1 thread, DDP', what: '2 × 10', outcome: seed(2, 1) },
    { label: '2 ranks × 1 thread, DDP, mpi_yield_when_idle 1', what: '2 × 10', outcome: seed(2, 1, ['--mca', 'mpi_yield_when_idle', '1']) },
  ];
  load.push(loadLine());

  const first = (runs: StepRun[]) => (runs[0].outcome.ok ? (runs[0].outcome.result.stepMs as number) : undefined);
  const text = [
    `${machine}. Machine shared with other jobs: ${load.join(' before, ')} after. Timed steps: ${steps} (seed: ${seedSteps}); each step row is the fastest of ${REPEATS} runs.`,
    `All-reduce (SUM, float32, in place; best of 3 trials of the slowest rank's mean):\n\n${allReduceTable(allReduce)}`,
    `Wide MLP step, same global work:\n\n${stepTable(scaling, first(scaling))}`,
    `DDP overlap (wide MLP, 2 ranks × 1 thread):\n\n${stepTable(overlap, first(overlap))}`,
    `Seed MLP step at its batch:\n\n${stepTable(seedRuns, first(seedRuns))}`,
  ].join('\n\n');
  console.log(`\n${text}\n`);
}

if (require.main === module) run();
