/**
 * The parent side of a benchmark run: starts one system's script in its own process (so its peak
 * RSS is its own), and returns the result line it printed — or why it could not run. A reference
 * that is not installed comes back as `missing (…)`, never as a silently absent row.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { RESULT_TAG } from './child';

export interface SystemRun {
  /** Row label in the tables. */
  label: string;
  command: 'node' | 'python3';
  /** Script path relative to bench/ (the .ts source for node: its compiled .js in bench/.build/bench runs), or absolute. */
  script: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export type ChildResult = Record<string, unknown> & { peakRssMb: number | null };
export type Outcome = { ok: true; result: ChildResult } | { ok: false; reason: string };

const BENCH_DIR = path.join(__dirname, '..');

/** Short reason from a failed child's stderr: a missing module is `missing`, anything else `failed`. */
export function failureReason(stderr: string, status: number | null, signal: string | null): string {
  const missingPy = /No module named '([^']+)'/.exec(stderr);
  if (missingPy) return `missing (python module '${missingPy[1]}' not installed)`;
  const missingJs = /Cannot find module '([^']+)'/.exec(stderr);
  if (missingJs) return `missing (npm package '${missingJs[1]}' not installed)`;
  // The error line itself (Node ends a crash with its version line, Python with the exception).
  const lines = stderr.trim().split('\n').filter((l) => l.trim() && !/^Node\.js v\d/.test(l));
  const last = [...lines].reverse().find((l) => /\w*(Error|Exception)\b/.test(l)) ?? lines.pop() ?? '';
  return `failed (${signal ?? `exit ${status}`}${last ? `: ${last.trim().slice(0, 160)}` : ''})`;
}

export function runSystem(run: SystemRun): Outcome {
  const script = path.isAbsolute(run.script)
    ? run.script
    : run.command === 'node'
      ? path.join(BENCH_DIR, '.build', 'bench', run.script.replace(/\.ts$/, '.js'))
      : path.join(BENCH_DIR, run.script);
  process.stdout.write(`  ${run.label} … `);
  const started = Date.now();
  const child = spawnSync(run.command, [script, ...run.args], {
    cwd: path.join(BENCH_DIR, '..'),
    env: { ...process.env, ...run.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = ((Date.now() - started) / 1000).toFixed(1);
  let outcome: Outcome;
  if (child.error) {
    const code = (child.error as NodeJS.ErrnoException).code;
    outcome = { ok: false, reason: code === 'ENOENT' ? `missing (${run.command} not found)` : `failed (${child.error.message})` };
  } else if (child.status !== 0) {
    outcome = { ok: false, reason: failureReason(child.stderr, child.status, child.signal) };
  } else {
    const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
    outcome = line
      ? { ok: true, result: JSON.parse(line.slice(RESULT_TAG.length)) as ChildResult }
      : { ok: false, reason: 'failed (no result line)' };
  }
  process.stdout.write(outcome.ok ? `done (${wall} s in all)\n` : `${outcome.reason}\n`);
  return outcome;
}
