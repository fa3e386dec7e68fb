/** Machine, versions and load, printed above every table (the machine is shared: load matters). */
import { execFileSync } from 'node:child_process';
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
