/**
 * GEMM benchmark: kindling's `sgemm` beside numpy's (OpenBLAS) on the same shapes, in the same run,
 * on 1 and 2 threads. Prints a table and writes it to BENCHMARKS.md. Times are the best of repeated
 * runs (the machine may be shared, and the best run is the least disturbed one).
 *
 *   npm run bench -- gemm
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../src/native';

interface Shape {
  label: string;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  bias: boolean;
  /** Time budget per measurement, in seconds. */
  seconds: number;
}

const shapes: Shape[] = [
  { label: 'x·Wᵀ+b 10×784→64', transA: false, transB: true, m: 10, n: 64, k: 784, bias: true, seconds: 0.3 },
  { label: 'dW=dYᵀ·x 64×784 (k=10)', transA: true, transB: false, m: 64, n: 784, k: 10, bias: false, seconds: 0.3 },
  { label: 'dX=dY·W 10×784 (k=64)', transA: false, transB: false, m: 10, n: 784, k: 64, bias: false, seconds: 0.3 },
  { label: '256×784 · 784×1024', transA: false, transB: false, m: 256, n: 1024, k: 784, bias: false, seconds: 0.5 },
  { label: '512³', transA: false, transB: false, m: 512, n: 512, k: 512, bias: false, seconds: 0.5 },
  { label: '1024³', transA: false, transB: false, m: 1024, n: 1024, k: 1024, bias: false, seconds: 1 },
  { label: '2048³', transA: false, transB: false, m: 2048, n: 2048, k: 2048, bias: false, seconds: 1.5 },
];

const THREADS = [1, 2];

function random(len: number, seed: number): Float32Array {
  const out = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Best time in seconds of `shape` on kindling with the current thread count. */
function benchKindling(shape: Shape): number {
  const { transA, transB, m, n, k } = shape;
  const a = random(m * k, 1);
  const b = random(k * n, 2);
  const c = new Float32Array(m * n);
  const bias = shape.bias ? random(n, 3) : null;
  const run = (): void => native.sgemm(transA, transB, m, n, k, 1, a, b, 0, c, bias);
  run();
  let best = Infinity;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(shape.seconds * 1e9));
  for (let reps = 0; reps < 3 || (process.hrtime.bigint() - start < budget && reps < 100_000); reps++) {
    const t = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return best;
}

interface NumpyRun {
  blas: string;
  results: Record<string, number>;
}

/** numpy's times for every shape on `threads` threads, or a reason it could not run. */
function benchNumpy(threads: number): NumpyRun | string {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  // Set on some machines for old OpenBLAS builds; they slow a current one. Only for this child.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const result = spawnSync('python3', [path.join(__dirname, 'gemm_numpy.py')], {
    input: JSON.stringify(shapes),
    env,
    encoding: 'utf8',
  });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : result.stderr.trim().split('\n').pop();
    return `missing (${why ?? 'python3 failed'})`;
  }
  return JSON.parse(result.stdout) as NumpyRun;
}

function machine(): string {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    model = /Model name:\s*(.+)/.exec(lscpu)?.[1]?.trim() ?? model;
  } catch {
    // lscpu is Linux-only; os.cpus() names the model elsewhere.
  }
  return `${model}, ${os.cpus().length} cores, SIMD path ${native.simdPath()}, Node ${process.version}`;
}

const fmtUs = (s: number): string => (s * 1e6 >= 1000 ? (s * 1e6).toFixed(0) : (s * 1e6).toFixed(1));
const gflops = (shape: Shape, s: number): string => ((2 * shape.m * shape.n * shape.k) / s / 1e9).toFixed(1);

export function run(): void {
  const loadBefore = os.loadavg()[0];
  const initialThreads = native.getNumThreads();
  const rows: string[][] = [];
  let blas = 'numpy: missing';
  for (const threads of THREADS) {
    native.setNumThreads(threads);
    const numpy = benchNumpy(threads);
    if (typeof numpy !== 'string') blas = `numpy (${numpy.blas})`;
    for (const shape of shapes) {
      const ours = benchKindling(shape);
      const theirs = typeof numpy === 'string' ? undefined : numpy.results[shape.label];
      rows.push([
        shape.label,
        String(threads),
        fmtUs(ours),
        gflops(shape, ours),
        theirs === undefined ? (numpy as string).startsWith('missing') ? 'numpy: missing' : '—' : fmtUs(theirs),
        theirs === undefined ? '—' : gflops(shape, theirs),
        theirs === undefined ? '—' : `${(theirs / ours).toFixed(2)}×`,
      ]);
      process.stdout.write('.');
    }
  }
  native.setNumThreads(initialThreads);
  process.stdout.write('\n');

  const header = ['shape', 'threads', 'kindling µs', 'kindling GFLOP/s', 'numpy µs', 'numpy GFLOP/s', 'speed vs numpy'];
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  // The machine may be shared: the load average says how much the numbers were disturbed.
  const load = `load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`;
  const info = `Machine: ${machine()}. Baseline: ${blas}. Date: ${date}, ${load}. Best of repeated runs.`;
  console.log(info);
  console.log(table);
  writeBenchmarks(info, table);
}

/** Replaces the GEMM section of BENCHMARKS.md (other workloads keep their own sections). */
function writeBenchmarks(info: string, table: string): void {
  const file = path.join(__dirname, '..', 'BENCHMARKS.md');
  const begin = '<!-- gemm:begin -->';
  const end = '<!-- gemm:end -->';
  const section = `${begin}\n${info}\n\n${table}\n${end}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n`npm run bench` regenerates the tables between the markers.\n';
  if (text.includes(begin) && text.includes(end)) {
    text = text.slice(0, text.indexOf(begin)) + section + text.slice(text.indexOf(end) + end.length);
  } else {
    text = `${text.trimEnd()}\n\n## GEMM (\`npm run bench -- gemm\`)\n\n${section}\n`;
  }
  fs.writeFileSync(file, text);
}

if (require.main === module) run();
