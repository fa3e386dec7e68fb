/**
 * GEMM benchmark: kindling's `sgemm` beside PyTorch's CPU matmul (the reference issue #5 names)
 * and numpy's (OpenBLAS), on the same shapes, on 1 and 2 threads. Prints a table and writes it to
 * BENCHMARKS.md.
 *
 * The machine may be shared, so the systems are measured interleaved in time: each reference runs
 * as a long-lived child process (bench/gemm_reference.py), and every shape is measured in ROUNDS
 * short rounds of kindling → torch → numpy; each system's time is its best run over all rounds.
 * A reference that cannot start is reported as missing in its columns, never silently dropped.
 *
 *   npm run bench -- gemm
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { kernels } from '../src/ops/kernels';
import { loadLine, machineLine } from './lib/machine';
import { table, writeSection } from './lib/markdown';
import { failureReason } from './lib/spawn';

interface Shape {
  label: string;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  bias: boolean;
  /** Time budget per system and shape, in seconds (split over the rounds). */
  seconds: number;
}

const shapes: Shape[] = [
  { label: 'x·Wᵀ+b 10×784→64', transA: false, transB: true, m: 10, n: 64, k: 784, bias: true, seconds: 0.3 },
  { label: 'dW=dYᵀ·x 64×784 (k=10)', transA: true, transB: false, m: 64, n: 784, k: 10, bias: false, seconds: 0.3 },
  { label: 'dX=dY·W 10×784 (k=64)', transA: false, transB: false, m: 10, n: 784, k: 64, bias: false, seconds: 0.3 },
  { label: '256×784 · 784×1024', transA: false, transB: false, m: 256, n: 1024, k: 784, bias: false, seconds: 0.6 },
  { label: '512³', transA: false, transB: false, m: 512, n: 512, k: 512, bias: false, seconds: 0.6 },
  { label: '1024³', transA: false, transB: false, m: 1024, n: 1024, k: 1024, bias: false, seconds: 1.2 },
  { label: '2048³', transA: false, transB: false, m: 2048, n: 2048, k: 2048, bias: false, seconds: 3 },
];

const THREADS = [1, 2];
/** Rounds per shape: each system runs `seconds / ROUNDS` per round, alternating. */
const ROUNDS = 3;
const ONLY = process.env.GEMM_ONLY; // e.g. GEMM_ONLY=2048 to rerun one shape

function random(len: number, seed: number): Float32Array {
  const out = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Kindling's run of one shape, inputs allocated once (as the references do). */
function kindlingRunner(shape: Shape): () => void {
  const { transA, transB, m, n, k } = shape;
  const a = random(m * k, 1);
  const b = random(k * n, 2);
  const c = new Float32Array(m * n);
  const bias = shape.bias ? random(n, 3) : null;
  return () => kernels.sgemm(a, b, c, bias, { transA, transB, m, n, k, alpha: 1, beta: 0 });
}

/** Best time in seconds of `run` over `seconds` (at least 3 runs, after one warm-up). */
function bestOf(run: () => void, seconds: number): number {
  run();
  let best = Infinity;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  for (let reps = 0; reps < 3 || (process.hrtime.bigint() - start < budget && reps < 100_000); reps++) {
    const t = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return best;
}

/** A reference system's measuring child (protocol in bench/gemm_reference.py). */
class Reference {
  readonly version: Promise<string>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(line: string | null) => void> = [];
  private stderr = '';
  private failure: string | null = null;

  constructor(script: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('python3', [path.join(__dirname, script)], { env: { ...process.env, ...env } });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const lines = readline.createInterface({ input: this.child.stdout });
    lines.on('line', (line) => this.waiting.shift()?.(line));
    const fail = (why: string): void => {
      this.failure ??= why;
      for (const resolve of this.waiting.splice(0)) resolve(null);
    };
    this.child.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ENOENT' ? 'missing (python3 not found)' : `failed (${e.message})`));
    this.child.on('close', (status, signal) => fail(failureReason(this.stderr, status, signal)));
    this.version = this.next().then((line) => {
      if (line === null) throw new Error(this.failure ?? 'failed');
      return (JSON.parse(line) as { version: string }).version;
    });
  }

  private next(): Promise<string | null> {
    if (this.failure !== null) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Best seconds of `shape` within `seconds`, or the reason the reference is unavailable. */
  async measure(shape: Shape, seconds: number): Promise<number | string> {
    try {
      await this.version;
    } catch (e) {
      return (e as Error).message;
    }
    const reply = this.next();
    this.child.stdin.write(`${JSON.stringify({ ...shape, seconds })}\n`);
    const line = await reply;
    return line === null ? (this.failure ?? 'failed') : (JSON.parse(line) as { best: number }).best;
  }

  close(): void {
    this.child.stdin.end();
  }
}

function referenceEnv(threads: number): NodeJS.ProcessEnv {
  const t = String(threads);
  // Not MKL_NUM_THREADS: beside OMP_NUM_THREADS it makes torch's MKL run its own threads on top of
  // OpenMP's (measured: 10×784×64 on 2 threads went from 13 µs to 8 ms).
  return { OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, KINDLING_BENCH_THREADS: t };
}

/** Set on some machines for old OpenBLAS builds; they slow a current one. Only for the children. */
function childBaseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const fmtUs = (s: number): string => (s * 1e6 >= 1000 ? (s * 1e6).toFixed(0) : (s * 1e6).toFixed(1));
const gflops = (shape: Shape, s: number): string => ((2 * shape.m * shape.n * shape.k) / s / 1e9).toFixed(1);
/** Reference time over kindling's: above 1 kindling is faster. */
const ratio = (ours: number, theirs: number | string): string =>
  typeof theirs === 'string' ? '—' : `${(theirs / ours).toFixed(2)}×`;
/** The better of two measurements; a failure (its reason) wins, so it is never hidden. */
const better = (a: number | string, b: number | string): number | string =>
  typeof a === 'string' ? a : typeof b === 'string' ? b : Math.min(a, b);
const timeCell = (theirs: number | string): string => (typeof theirs === 'string' ? theirs : fmtUs(theirs));

export async function run(): Promise<void> {
  const loadBefore = loadLine();
  const initialThreads = kernels.getNumThreads();
  const rows: string[][] = [];
  const versions = new Set<string>();
  const base = childBaseEnv();
  const selected = shapes.filter((s) => !ONLY || s.label.includes(ONLY));
  for (const threads of THREADS) {
    kernels.setNumThreads(threads);
    const torch = new Reference('gemm_torch.py', { ...base, ...referenceEnv(threads) });
    const numpy = new Reference('gemm_numpy.py', { ...base, ...referenceEnv(threads) });
    for (const ref of [torch, numpy]) {
      await ref.version.then((v) => versions.add(v), () => undefined);
    }
    for (const shape of selected) {
      const kindling = kindlingRunner(shape);
      let ours = Infinity;
      const theirs: Array<number | string> = [Infinity, Infinity];
      for (let round = 0; round < ROUNDS; round++) {
        const slice = shape.seconds / ROUNDS;
        ours = Math.min(ours, bestOf(kindling, slice));
        for (const [idx, ref] of [torch, numpy].entries()) {
          theirs[idx] = better(theirs[idx], await ref.measure(shape, slice));
        }
      }
      const [torchBest, numpyBest] = theirs;
      rows.push([
        shape.label,
        String(threads),
        fmtUs(ours),
        gflops(shape, ours),
        timeCell(torchBest),
        ratio(ours, torchBest),
        timeCell(numpyBest),
        ratio(ours, numpyBest),
      ]);
      process.stdout.write('.');
    }
    torch.close();
    numpy.close();
  }
  kernels.setNumThreads(initialThreads);
  process.stdout.write('\n');

  const header = ['shape', 'threads', 'kindling µs', 'kindling GFLOP/s', 'torch µs', 'vs torch', 'numpy µs', 'vs numpy'];
  const body = table(header, rows);
  const refs = versions.size > 0 ? [...versions].join('; ') : 'none';
  const info = [
    `Machine: ${machineLine()}; SIMD path ${kernels.simdPath()}.`,
    `References: ${refs}. ${loadBefore} before, ${loadLine()} after.`,
    `Interleaved: ${ROUNDS} rounds per shape of kindling → torch → numpy; best run of each. "vs X" = X's time ÷ kindling's (above 1: kindling faster).`,
  ].join('\n');
  console.log(info);
  console.log(body);
  if (!ONLY) writeSection('gemm', 'GEMM (`npm run bench -- gemm`)', `${info}\n\n${body}`);
}

if (require.main === module) void run();
