/**
 * `npm run bench [-- <workload>...]`: runs the named benchmarks (the default suite when none is
 * named: seed, wide, gemm, and adam when present). Each workload is a module exporting `run()`.
 * `profile` (the seed step's phase timings and CPU profile), `overhead` (forward/loss/backward
 * against another git ref), `status` (train-in-worker's /status latency) and `native-call` (the
 * cost of one native call against a baseline addon) and `distributed` (MPI jobs: all-reduce times
 * and DDP step times, launched with mpirun) run only when named.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A workload module exports `run()`; a plain script (bench/adam.ts) does its work when loaded. */
type Workload = { run?: () => Promise<void> | void };

/* eslint-disable @typescript-eslint/no-require-imports */
const workloads: Record<string, () => Workload> = {
  seed: () => require('./seed') as Workload,
  wide: () => require('./wide') as Workload,
  cnn: () => require('./cnn') as Workload,
  gpt: () => require('./gpt') as Workload,
  lstm: () => require('./lstm') as Workload,
  inference: () => require('./inference') as Workload,
  gemm: () => require('./gemm') as Workload,
  profile: () => require('./profile') as Workload,
  overhead: () => require('./overhead') as Workload,
  status: () => require('./status-latency') as Workload,
  'native-call': () => require('./native-call') as Workload,
  distributed: () => require('./distributed') as Workload,
};
// The Adam kernel benchmark lands from another branch: listed once its file is there.
if (fs.existsSync(path.join(__dirname, 'adam.ts'))) workloads.adam = () => require('./adam') as Workload;
/* eslint-enable @typescript-eslint/no-require-imports */

const DEFAULT_SUITE = ['seed', 'wide', 'gemm', ...('adam' in workloads ? ['adam'] : [])];

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const names = asked.length > 0 ? asked : DEFAULT_SUITE;
  for (const name of names) {
    const load = workloads[name];
    if (!load) {
      console.error(`unknown benchmark '${name}'; known: ${Object.keys(workloads).join(', ')}`);
      process.exitCode = 1;
      return;
    }
    const workload = load();
    if (typeof workload.run === 'function') await workload.run();
  }
}

void main();
