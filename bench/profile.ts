/**
 * `npm run bench -- profile`: the seed step's phase timings (bench/profile-seed.ts) and a CPU
 * profile of the same loop summarised as self time per function, for the speed work of issue 5.
 * Not part of the default suite.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildScripts } from './lib/build';
import { hotSpots } from './lib/cpuprofile';

const ROOT = path.join(__dirname, '..');
const SCRIPT = path.join(__dirname, '.build', 'bench', 'profile-seed.js');

function node(flags: string[], args: string[]): void {
  const child = spawnSync(process.execPath, [...flags, SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(child.stdout.split('\n').filter((l) => !l.startsWith('BENCH_RESULT')).join('\n'));
  if (child.status !== 0) throw new Error(`profile-seed exited with ${child.status}`);
}

export function run(): void {
  buildScripts();
  const steps = process.env.BENCH_STEPS ?? '2000';
  const workers = process.env.BENCH_WORKERS ?? '1';
  // A large young generation: allocation deltas per phase are then rarely cut by a scavenge.
  node(['--max-semi-space-size=128'], ['--steps', steps, '--workers', workers]);
  const dir = path.join(__dirname, '.build', 'cpuprof');
  fs.rmSync(dir, { recursive: true, force: true });
  console.log('\nCPU profile (separate run, default GC settings):');
  node(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100'], ['--steps', steps, '--workers', workers]);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  const { spots, totalMs } = hotSpots(path.join(dir, file), ROOT);
  console.log(`\nself time per function over the whole process (${totalMs.toFixed(0)} ms sampled; includes start-up and data set-up):`);
  console.log('| function | self ms | share |\n| --- | --- | --- |');
  for (const s of spots) console.log(`| ${s.where} | ${s.selfMs.toFixed(1)} | ${(s.share * 100).toFixed(1)} % |`);
}

if (require.main === module) run();
