/**
 * vitest globalSetup: the test run must leave the system temp dir as it found it (issue 11).
 *
 * Before any test file starts, TMPDIR points at a fresh private folder, so that every
 * `os.tmpdir()` of the run — in test files, in the workers and child processes they start — is
 * inside it, and other runs on the same machine cannot be mistaken for this one's leaks. After the
 * run, anything still in that folder was left behind by a test: the folder is removed either way
 * (the system temp dir is as it was), and the run fails, naming what leaked.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Caches that tools keep in the temp dir on purpose, across runs (the system temp dir has them
 * already): `v8-compile-cache-<uid>` of the TypeScript compiler that ts-node loads, and the
 * `.ses` session-id file onnxruntime's native library writes there when it creates a session
 * (the ONNX export tests run exported files in onnxruntime-node).
 */
const TOOL_CACHES = /^(v8-compile-cache-|\.ses$)/;

export default function setup(): () => void {
  const systemTemp = tmpdir();
  const runTemp = mkdtempSync(join(systemTemp, 'kindling-test-run-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = runTemp;
  return () => {
    const left = readdirSync(runTemp)
      .filter((entry) => !TOOL_CACHES.test(entry))
      .sort();
    rmSync(runTemp, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (left.length > 0) {
      throw new Error(`The tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temp dir: ${left.join(', ')}. Every test must remove what it creates.`);
    }
  };
}
