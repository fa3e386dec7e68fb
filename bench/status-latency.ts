/**
 * `npm run bench -- status`: how fast the main thread of examples/train-in-worker.ts answers
 * `GET /status` while the seed trains in its worker (one epoch, 6000 steps). The example's test
 * checks only that answers come while training runs; the figures, which depend on the machine's
 * load, are measured here. Needs `npm run build` first. Not part of the default suite.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLine } from './lib/machine';
import { pollTrainInWorker, quantile } from './lib/status-poll';

export async function run(): Promise<void> {
  const cwd = join(tmpdir(), 'kindling-example-mnist');
  mkdirSync(cwd, { recursive: true });
  console.log(`train-in-worker /status latency (${loadLine()})`);
  const { answers, exitCode, stderr } = await pollTrainInWorker(6000, cwd);
  if (exitCode !== 0) throw new Error(`examples/train-in-worker.ts exited with ${exitCode}: ${stderr}`);
  const training = answers.filter((a) => a.status.state === 'training').length;
  const ms = answers.slice(1).map((a) => a.ms).sort((a, b) => a - b); // [0] warms up http
  console.log(
    `/status: ${answers.length} answers (${training} while training); ms median ${quantile(ms, 0.5).toFixed(1)}, ` +
      `p95 ${quantile(ms, 0.95).toFixed(1)}, max ${ms[ms.length - 1].toFixed(1)}`,
  );
}

if (require.main === module) void run();
