/**
 * Process lifetime with DataLoader workers, tested in child processes (vitest's own event loop
 * would keep a loop alive that a plain `node script` ends). The scripts import `kindling` by name,
 * which resolves to dist/: run `npx tsc -p tsconfig.build.json` (or `npm test`) first.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixtures = join(__dirname, 'fixtures');

/** Runs `node <fixture>`, returning stdout, stderr and the exit code (never throws on a code). */
async function node(fixture: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(fixtures, fixture)], { timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number | null };
    return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', code: err.code ?? null };
  }
}

describe('for await over a DataLoader with workers ends the process mid-loop (issue 11)', () => {
  it('CommonJS: the loop completes and prints the count, exit code 0', async () => {
    expect(await node('for-await.cjs')).toEqual({ stdout: '5\n', stderr: '', code: 0 });
  });

  it('ESM with top-level await: the loop completes, exit code 0 (was 13)', async () => {
    expect(await node('for-await.mjs')).toEqual({ stdout: '5\n', stderr: '', code: 0 });
  });

  it('a worker that exits while the loop waits fails the loop with its exit code', async () => {
    const { stdout, code } = await node('for-await-dies.cjs');
    expect(stdout).toMatch(/^1 batches, then DataLoaderWorkerError: DataLoader worker 0 \(thread \d+\) exited unexpectedly with exit code 5\n$/);
    expect(code).toBe(1);
  });
});
