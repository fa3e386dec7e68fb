/**
 * `npm run bench [-- <workload>...]`: runs the named benchmarks (all of them when none is named).
 * Each workload is a module exporting `run(): Promise<void> | void`; add new ones to `workloads`.
 */
type Workload = { run: () => Promise<void> | void };

const workloads: Record<string, () => Workload> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  gemm: () => require('./gemm') as Workload,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const names = asked.length > 0 ? asked : Object.keys(workloads);
  for (const name of names) {
    const load = workloads[name];
    if (!load) {
      console.error(`unknown benchmark '${name}'; known: ${Object.keys(workloads).join(', ')}`);
      process.exitCode = 1;
      return;
    }
    await load().run();
  }
}

void main();
