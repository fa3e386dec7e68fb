/**
 * Runs examples/train-in-worker.ts as a user would (`ts-node examples/train-in-worker.ts`) and
 * asks its `GET /status` over and over until the run ends, timing each answer. Shared by the
 * example's test (which checks the answers arrive while training) and `npm run bench -- status`
 * (which reports how fast they arrive). Needs `npm run build` first (the example imports
 * `kindling`, which resolves to dist/).
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');

/** What the example's `GET /status` answers (the fields the callers read). */
export interface Status {
  state: string;
  step: number;
  steps: number;
  loss: number | null;
  testAccuracy: number | null;
}

export interface StatusAnswer {
  status: Status;
  /** Wall time from sending the request to the end of the answer. */
  ms: number;
}

export interface PolledRun {
  answers: StatusAnswer[];
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

function getStatus(url: string): Promise<StatusAnswer> {
  const t0 = performance.now();
  return new Promise((resolvePromise, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolvePromise({ status: JSON.parse(body) as Status, ms: performance.now() - t0 }));
    }).on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Trains `steps` batches in the example (working directory `cwd`), polling every `pauseMs`. */
export async function pollTrainInWorker(steps: number, cwd: string, pauseMs = 25): Promise<PolledRun> {
  const child = spawn(join(REPO, 'node_modules', '.bin', 'ts-node'), [join(REPO, 'examples', 'train-in-worker.ts'), '--steps', String(steps), '--port', '0'], {
    cwd,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  void exited.then((c) => (exitCode = c));

  try {
    // The first line names the address (port 0: the OS picked a free one).
    while (!/http:\/\/127\.0\.0\.1:\d+\/status/.test(stdout)) {
      if (exitCode !== undefined) throw new Error(`example exited (${exitCode}) before serving:\n${stdout}\n${stderr}`);
      await sleep(20);
    }
    const url = /http:\/\/127\.0\.0\.1:\d+\/status/.exec(stdout)?.[0] ?? '';
    const answers: StatusAnswer[] = [];
    while (exitCode === undefined) {
      try {
        answers.push(await getStatus(url));
      } catch (e) {
        // The server closes when training ends; only then may a request fail.
        if (exitCode === undefined && !/Training process has finished/.test(stdout)) throw e;
      }
      await sleep(pauseMs);
    }
    return { answers, stdout, stderr, exitCode: exitCode ?? (await exited) };
  } finally {
    if (exitCode === undefined) child.kill();
  }
}

/** The q-quantile (0 ≤ q ≤ 1) of ascending `sorted`. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
