/**
 * The temp-dir check (temp-leak-check.ts) fails a run whose tests leave something in the temp dir,
 * passes a clean one, and leaves the temp dir as it found it either way. Runs vitest in a child
 * process over leak.fixture.ts, once leaking and once not.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const run = promisify(execFile);
// The child's system temp dir: watched here, removed at the end.
const temp = mkdtempSync(join(tmpdir(), 'kindling-leak-check-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** What kindling's run left in the child's temp dir (vitest keeps a cache of its own there). */
const ours = (): string[] => readdirSync(temp).filter((entry) => entry.startsWith('kindling-'));

async function vitest(leak: boolean): Promise<{ code: number; output: string }> {
  const args = [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(__dirname, 'fixtures', 'leak.config.ts')];
  // Without this run's VITEST* variables, which make a nested vitest behave as one of its workers.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  const env = { ...inherited, TMPDIR: temp, LEAK: leak ? '1' : '0', FORCE_COLOR: '0' };
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: repo, env, timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, output: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

describe('the temp-dir check of the test run (issue 11: npm test left dozens of folders)', () => {
  it('fails a run whose test leaves a folder, naming it, and still cleans up', async () => {
    const { code, output } = await vitest(true);
    expect(code).not.toBe(0);
    expect(output).toMatch(/The tests left 1 entry in the temp dir: kindling-leak-\w+\. Every test must remove what it creates\./);
    expect(ours()).toEqual([]);
  }, 150_000);

  it('passes a run that removes what it creates', async () => {
    const { code, output } = await vitest(false);
    expect(output).not.toMatch(/The tests left/);
    expect(code).toBe(0);
    expect(ours()).toEqual([]);
  }, 150_000);
});
