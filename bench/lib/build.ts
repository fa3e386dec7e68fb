/**
 * Compiles what the child processes run: kindling's dist (the published entry points the kindling
 * scripts import as `kindling`, `kindling/data`, `kindling/vision`) and the bench scripts into
 * bench/.build (bench/.build/bench/…, beside bench/.build/examples/seed-mlp.js, the model they share). Children run plain compiled JavaScript, so no TypeScript compiler sits in their
 * memory or start-up.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
let built = false;

export function buildScripts(): void {
  if (built) return;
  if (!fs.existsSync(path.join(ROOT, 'native', 'index.js'))) {
    throw new Error('bench: the native addon is not built; run `npm run build` first');
  }
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  process.stdout.write('compiling dist and bench scripts … ');
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'bench', 'tsconfig.build.json')], { stdio: 'inherit' });
  process.stdout.write('done\n');
  built = true;
}
