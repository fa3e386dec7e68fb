/** Machine, versions and load, printed above every table (the machine is shared: load matters). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

function cpuModel(): string {
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    return /Model name:\s*(.+)/.exec(lscpu)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown CPU';
  }
}

function pythonVersions(): string {
  try {
    return execFileSync(
      'python3',
      ['-c', 'import sys, numpy; v = sys.version.split()[0]\ntry:\n import torch; t = torch.__version__\nexcept ImportError:\n t = "missing"\nprint(f"Python {v}, numpy {numpy.__version__}, torch {t}")'],
      { encoding: 'utf8' },
    ).trim();
  } catch {
    return 'python3 missing';
  }
}

function tfjsVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return `tfjs ${(require('@tensorflow/tfjs/package.json') as { version: string }).version}`;
  } catch {
    return 'tfjs missing';
  }
}

export function machineLine(): string {
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `${cpuModel()}, ${os.cpus().length} vCPU; Node ${process.version}, ${pythonVersions()}, ${tfjsVersion()}; ${date}`;
}

export const loadLine = (): string => `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min)`;

/**
 * The peak float32 rate the machine's data sheet would give, cores × GHz × FLOP per cycle per
 * core, and how each factor was found (printed beside the measured peak: `peakGflops`). Cores:
 * online CPUs (lscpu "CPU(s)"; here each vCPU is one core to the guest). GHz:
 * lscpu's "CPU max MHz" when the hypervisor exposes it, else /proc/cpuinfo's "cpu MHz" (the
 * nominal rate a VM reports; turbo may run above it). FLOP per cycle: one fused multiply-add
 * (2 FLOP) per float32 lane per cycle on each of the core's two FMA units — 16 lanes with
 * avx512f on Intel (64), 8 on Zen 4's 256-bit pipes and with AVX2+FMA (32), 4 with NEON (16).
 */
function nominalPeak(): { gflops: number; how: string } {
  const cores = os.cpus().length;
  let mhz = NaN;
  let source = '';
  let flags = '';
  let vendor = '';
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    const max = /CPU max MHz:\s*([\d.]+)/.exec(lscpu)?.[1];
    if (max) [mhz, source] = [Number(max), 'lscpu CPU max MHz'];
    flags = /Flags:\s*(.+)/.exec(lscpu)?.[1] ?? '';
    vendor = /Vendor ID:\s*(.+)/.exec(lscpu)?.[1] ?? '';
  } catch {
    // no lscpu: /proc/cpuinfo below
  }
  try {
    const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
    if (!Number.isFinite(mhz)) {
      const all = [...cpuinfo.matchAll(/cpu MHz\s*:\s*([\d.]+)/g)].map((m) => Number(m[1]));
      if (all.length) [mhz, source] = [Math.max(...all), '/proc/cpuinfo cpu MHz'];
    }
    if (!flags) flags = /(?:flags|Features)\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? '';
    if (!vendor) vendor = /vendor_id\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? '';
  } catch {
    // not Linux
  }
  if (!Number.isFinite(mhz)) [mhz, source] = [os.cpus()[0]?.speed ?? NaN, 'os.cpus() speed'];
  const has = (f: string): boolean => new RegExp(`\\b${f}\\b`).test(flags);
  // Two FMA pipes per core on every x86 CPU seen here: Xeon Scalable runs two 512-bit FMAs a
  // cycle (kindling's own 1024³ gemm measured 56 FLOP/cycle on one core of this Xeon, above a
  // one-unit 32), Zen 4 two 256-bit ones (a 512-bit FMA takes both), AVX2 cores two 256-bit ones.
  const amd = /AuthenticAMD/.test(vendor);
  const [perCycle, isa] = has('avx512f')
    ? amd
      ? [32, 'avx512f on Zen 4: 2 × 256-bit FMA pipes']
      : [64, 'avx512f: 2 FMA units × 16 lanes']
    : has('avx2') && has('fma')
      ? [32, 'AVX2+FMA: 2 FMA units × 8 lanes']
      : has('asimd')
        ? [16, 'NEON: 2 FMA pipes × 4 lanes']
        : [4, 'SSE: 4 lanes, no FMA'];
  const ghz = mhz / 1000;
  return { gflops: cores * ghz * perCycle, how: `${cores} cores × ${ghz.toFixed(2)} GHz (${source}) × ${perCycle} FLOP/cycle (${isa})` };
}

/** Seconds of FMA loop per measurement, and measurements (the best is kept: others ran slower only for what else the host ran). */
const PEAK_SECONDS = 0.2;
const PEAK_TRIES = 3;

/**
 * The peak float32 rate, measured: kindling's loop of register-held FMAs on one thread per core,
 * on the SIMD path the kernels use, the best of a few short runs. The nominal figure is printed
 * beside it, not used: a VM's reported clock is not the one its cores run at (NOTE [ Peak
 * measured, not computed ] in docs/PERFORMANCE.md).
 */
export function peakGflops(): { gflops: number; how: string } {
  // Loaded here, not at the top: the benchmarks' child scripts share this file and use the package.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { kernels } = require('../../src/ops/kernels') as typeof import('../../src/ops/kernels');
  const cores = os.cpus().length;
  const threads = kernels.getNumThreads();
  kernels.setNumThreads(cores);
  let best = 0;
  try {
    for (let i = 0; i < PEAK_TRIES; i++) best = Math.max(best, kernels.measurePeakGflops(PEAK_SECONDS));
  } finally {
    kernels.setNumThreads(threads);
  }
  const nominal = nominalPeak();
  return {
    gflops: best,
    how: `measured with ${cores} threads of register-held ${kernels.simdPath()} FMAs, best of ${PEAK_TRIES} × ${PEAK_SECONDS} s (the nominal ${nominal.how} would be ${nominal.gflops.toFixed(1)})`,
  };
}
