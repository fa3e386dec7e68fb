/**
 * `npm run bench -- overhead`: the seed step's forward/loss/backward overhead, this tree against
 * another git ref (default `main`, or `BENCH_OLD_REF`) in the same process (bench/step-overhead.ts).
 * The old ref's `src/` is compiled into bench/.build/old/dist and shares this tree's native addon,
 * or uses the addon folder `BENCH_OLD_NATIVE` (its `index.js` and `.node`, built at the old ref)
 * when the binding's signatures changed in between. Not part of the default suite.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildScripts } from './lib/build';

const ROOT = path.join(__dirname, '..');
const OLD = path.join(__dirname, '.build', 'old');

function buildOld(ref: string): void {
  fs.rmSync(OLD, { recursive: true, force: true });
  fs.mkdirSync(OLD, { recursive: true });
  const archive = execFileSync('git', ['archive', ref, 'src', 'tsconfig.json', 'tsconfig.build.json'], { cwd: ROOT });
  execFileSync('tar', ['-x', '-C', OLD], { input: archive });
  // dist/native/index.js loads ../../native/index.js: point it at this tree's addon, or the old one.
  fs.symlinkSync(path.resolve(process.env.BENCH_OLD_NATIVE ?? path.join(ROOT, 'native')), path.join(OLD, 'native'));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(OLD, 'tsconfig.build.json')], { stdio: 'inherit' });
}

export function run(): void {
  buildScripts();
  const ref = process.env.BENCH_OLD_REF ?? 'main';
  process.stdout.write(`compiling kindling at ${ref} … `);
  buildOld(ref);
  process.stdout.write('done\n');
  const script = path.join(__dirname, '.build', 'bench', 'step-overhead.js');
  const child = spawnSync(process.execPath, [script, '--old', path.join(OLD, 'dist')], { cwd: ROOT, stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`step-overhead exited with ${child.status}`);
}

if (require.main === module) run();
