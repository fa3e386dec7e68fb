import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failureReason, runSystem } from '../../../bench/lib/spawn';

const folders: string[] = [];
afterAll(() => folders.forEach((f) => fs.rmSync(f, { recursive: true, force: true })));

function script(body: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-spawn-'));
  folders.push(folder);
  const file = path.join(folder, 'child.js');
  fs.writeFileSync(file, body);
  return file;
}

describe('bench child runner', () => {
  it('returns the result line a child printed', () => {
    const file = script('console.log("noise"); console.log("BENCH_RESULT " + JSON.stringify({ seconds: 2, peakRssMb: 10 }));');
    expect(runSystem({ label: 't', command: 'node', script: file, args: [] })).toEqual({ ok: true, result: { seconds: 2, peakRssMb: 10 } });
  });

  it('reports a missing package as missing and other failures as failed', () => {
    const missing = script("require('@tensorflow/not-a-package');");
    expect(runSystem({ label: 't', command: 'node', script: missing, args: [] })).toEqual({
      ok: false,
      reason: "missing (npm package '@tensorflow/not-a-package' not installed)",
    });
    const silent = script('process.exit(0);');
    expect(runSystem({ label: 't', command: 'node', script: silent, args: [] })).toEqual({ ok: false, reason: 'failed (no result line)' });
    const crash = script("throw new RangeError('boom');");
    const outcome = runSystem({ label: 't', command: 'node', script: crash, args: [] });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toMatch(/^failed \(exit 1: .*RangeError: boom/);
  });

  it('names a missing python module', () => {
    expect(failureReason("Traceback…\nModuleNotFoundError: No module named 'torch'\n", 1, null)).toBe(
      "missing (python module 'torch' not installed)",
    );
  });
});
