/**
 * The seed step's framework overhead, old vs new in the same process: builds the seed MLP
 * (784-64-32-10 with Dropout 0.5, CrossEntropyLoss) once with the current kindling and once with
 * the kindling of another git ref (compiled by `bench/overhead.ts` into bench/.build/old), then
 * alternates blocks of steps between the two and prints µs per phase (forward, loss, backward),
 * median over blocks, for `zeroGrad()` (setToNone, the default) and `zeroGrad({ setToNone: false })`.
 *
 * The machine is shared and loaded: only the old/new ratio inside one run means anything, and
 * the interleaving exposes both versions to the same load. Data and the optimizer are left out
 * (fixed random batch, plain SGD, untimed) so that only forward/loss/backward are timed.
 *
 *   npm run bench -- overhead                 (old = main)
 *   BENCH_OLD_REF=<ref> npm run bench -- overhead
 *   node bench/.build/bench/step-overhead.js [--old bench/.build/old/dist] [--blocks 40] [--steps 50]
 */
import * as path from 'node:path';
import { seedMLP } from '../examples/seed-mlp';
import { arg } from './lib/child';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */
type Lib = any;

const PHASES = ['forward', 'loss', 'backward'] as const;
type Phase = (typeof PHASES)[number];

interface Runner {
  name: string;
  /** Runs `steps` training steps, adding ns per phase into `into`. */
  block(steps: number, into: Record<Phase, number>): void;
}

function runner(name: string, torch: Lib, setToNone: boolean): Runner {
  const { nn, Tensor } = torch;
  torch.manualSeed(42);
  const MLP = seedMLP(nn);
  const model: Lib = new MLP();
  const lossFunction = new nn.CrossEntropyLoss();
  const params: any[] = model.parameters();
  const x = torch.rand([10, 1, 28, 28]);
  const y = new Tensor(Int32Array.from({ length: 10 }, (_, i) => (i * 7) % 10), [10], 'int32');
  const optimizer = new torch.optim.SGD(params, { lr: 1e-4 });
  return {
    name,
    block(steps, into) {
      for (let i = 0; i < steps; i++) {
        optimizer.zeroGrad({ setToNone });
        const t0 = process.hrtime.bigint();
        const out = model.forward(x);
        const t1 = process.hrtime.bigint();
        const loss = lossFunction.forward(out, y);
        const t2 = process.hrtime.bigint();
        loss.backward();
        const t3 = process.hrtime.bigint();
        into.forward += Number(t1 - t0);
        into.loss += Number(t2 - t1);
        into.backward += Number(t3 - t2);
        optimizer.step();
      }
    },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(runners: Runner[], blocks: number, steps: number): Map<string, Record<Phase, number>> {
  const samples = new Map(runners.map((r) => [r.name, Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<Phase, number[]>]));
  for (const r of runners) r.block(steps * 4, { forward: 0, loss: 0, backward: 0 }); // warm-up (JIT)
  for (let b = 0; b < blocks; b++) {
    // Alternate the order too, so neither version always runs right after the other.
    const order = b % 2 === 0 ? runners : [...runners].reverse();
    for (const r of order) {
      const ns = { forward: 0, loss: 0, backward: 0 };
      r.block(steps, ns);
      for (const p of PHASES) samples.get(r.name)![p].push(ns[p] / steps / 1e3);
    }
  }
  const result = new Map<string, Record<Phase, number>>();
  for (const [name, s] of samples) result.set(name, Object.fromEntries(PHASES.map((p) => [p, median(s[p])])) as Record<Phase, number>);
  return result;
}

function main(): void {
  const blocks = Number(arg('blocks', '40'));
  const steps = Number(arg('steps', '50'));
  const oldDir = arg('old', '');
  const current: Lib = require('kindling');
  const old: Lib | null = oldDir === '' ? null : require(path.resolve(oldDir));
  for (const setToNone of [true, false]) {
    const runners = [runner('new', current, setToNone)];
    if (old !== null) runners.unshift(runner('old', old, setToNone));
    const result = measure(runners, blocks, steps);
    console.log(`\nzeroGrad({ setToNone: ${setToNone} }), µs/step, median of ${blocks} blocks × ${steps} steps:`);
    console.log(`| phase | ${runners.map((r) => r.name).join(' | ')} |${old ? ' new/old |' : ''}`);
    console.log(`| --- | ${runners.map(() => '---').join(' | ')} |${old ? ' --- |' : ''}`);
    const rows: Array<Phase | 'total'> = [...PHASES, 'total'];
    for (const p of rows) {
      const v = runners.map((r) => {
        const m = result.get(r.name)!;
        return p === 'total' ? m.forward + m.loss + m.backward : m[p];
      });
      const ratio = old ? ` ${(v[1] / v[0]).toFixed(2)} |` : '';
      console.log(`| ${p} | ${v.map((u) => u.toFixed(1)).join(' | ')} |${ratio}`);
    }
  }
}

main();
