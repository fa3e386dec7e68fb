/**
 * Runs examples/fashion-mnist-cnn.ts as a user would, in dry-run mode (one augmented training
 * batch, then the whole test set with batch norm's running statistics) on MNIST — the dataset it
 * uses offline — and checks PyTorch's example lines, the per-class line, and the saved model (conv
 * without bias, batch-norm buffers under PyTorch's keys). Needs `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';

const repo = resolve(__dirname, '../..');
const run = promisify(execFile);
const cwd = mkdtempSync(join(tmpdir(), 'kindling-example-fashion-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('examples/fashion-mnist-cnn.ts', () => {
  it('trains with augmentation and batch norm, prints the example lines and saves the model', async () => {
    const { stdout } = await run(join(repo, 'node_modules', '.bin', 'ts-node'), [join(repo, 'examples', 'fashion-mnist-cnn.ts'), '--epochs', '1', '--dry-run', '--save-model'], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0' },
      maxBuffer: 16 << 20,
    });
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^Using Device: cpu \(\d+ threads, \w+\); MNIST$/);
    const train = lines.filter((l) => l.startsWith('Train Epoch:'));
    expect(train).toHaveLength(1);
    expect(train[0]).toMatch(/^Train Epoch: 1 \[0\/60000 \(0%\)\]\tLoss: \d+\.\d{6}$/);
    const tests = lines.filter((l) => l.startsWith('Test set:'));
    expect(tests).toHaveLength(1);
    expect(tests[0]).toMatch(/^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+\/10000 \(\d+%\)$/);
    const perClass = lines[lines.indexOf(tests[0]) + 1];
    expect(perClass).toMatch(/^Per class: 0 - zero \d+%, 1 - one \d+%, .*, 9 - nine \d+%$/);

    const state = torch.load(join(cwd, 'mnist_bn_cnn.pt'));
    expect(Object.keys(state).sort()).toEqual(
      [
        'conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked',
        'conv2.weight', 'bn2.weight', 'bn2.bias', 'bn2.running_mean', 'bn2.running_var', 'bn2.num_batches_tracked',
        'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias',
      ].sort(),
    );
    expect(state['conv2.weight'].shape).toEqual([64, 32, 3, 3]);
    expect(state['fc1.weight'].shape).toEqual([128, 3136]);
    // One training batch went through batch norm: its running statistics moved off their initial 0 / 1.
    expect(state['bn1.num_batches_tracked'].item()).toBe(1);
    expect(Array.from(state['bn1.running_mean'].data as Float32Array).some((v) => v !== 0)).toBe(true);
  }, 120_000);

  it('refuses an unknown dataset with a RangeError naming the option', async () => {
    await expect(run(join(repo, 'node_modules', '.bin', 'ts-node'), [join(repo, 'examples', 'fashion-mnist-cnn.ts'), '--dataset', 'cifar'], { cwd })).rejects.toThrow(
      /RangeError: --dataset must be 'mnist' or 'fashion', got cifar/,
    );
  }, 60_000);
});
