/**
 * Inference workload (issue 17): the seed MLP and the MNIST CNN in eval mode at batch 1 and 64,
 * per-call latency p50 / p99 of kindling (its own forward under noGrad), onnxruntime-node on the
 * file kindling exported (`torch.onnx.export`, the same weights) and PyTorch (inference_mode),
 * all on 2 threads, each in its own process, the three alternating over 2 rounds.
 * The target: kindling at batch 1 no more than 1.5× onnxruntime's latency.
 *
 *   npm run bench -- inference   (BENCH_INFERENCE_CALLS=n caps the timed calls per run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildScripts } from './lib/build';
import { loadLine, machineLine } from './lib/machine';
import { fixed, table, writeSection } from './lib/markdown';
import { Row, saveResults } from './lib/results';
import { ChildResult, runSystem, SystemRun } from './lib/spawn';

const MODELS = [
  ['mlp', 'seed MLP'],
  ['cnn', 'MNIST CNN'],
] as const;
const BATCHES = [1, 64];
const ROUNDS = 2;

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

export function run(): void {
  buildScripts();
  const machine = machineLine();
  const load = [loadLine()];
  console.log(`\nInference workload — ${machine}; ${load[0]}`);
  const dir = mkdtempSync(join(tmpdir(), 'kindling-bench-inference-'));
  const rows: Row[] = [];
  const results = new Map<string, ChildResult[]>();
  const lines: string[][] = [];
  const verdicts: string[] = [];
  try {
    for (const [model, title] of MODELS) {
      const file = join(dir, `${model}.onnx`);
      for (const batch of BATCHES) {
        const systems: SystemRun[] = [
          { label: 'kindling', command: 'node', script: 'inference/kindling.ts', args: ['--model', model, '--batch', String(batch), '--export', file], env: { KINDLING_NUM_THREADS: '2' } },
          { label: 'onnxruntime-node', command: 'node', script: 'inference/ort.ts', args: ['--file', file, '--model', model, '--batch', String(batch), '--threads', '2'] },
          { label: 'PyTorch', command: 'python3', script: 'inference/pytorch.py', args: ['--model', model, '--batch', String(batch), '--threads', '2'], env: { OMP_NUM_THREADS: '2' } },
        ];
        for (let round = 0; round < ROUNDS; round++) {
          for (const s of systems) {
            const outcome = runSystem(s);
            const label = `${title}, batch ${batch}: ${s.label}`;
            rows.push({ label, outcome });
            if (outcome.ok) (results.get(label) ?? results.set(label, []).get(label))?.push(outcome.result);
          }
        }
        const at = (system: string, key: 'p50' | 'p99'): number => {
          const r = results.get(`${title}, batch ${batch}: ${system}`);
          return r?.length ? median(r.map((x) => x[key] as number)) : NaN;
        };
        const ort = at('onnxruntime-node', 'p50');
        for (const s of systems) {
          const p50 = at(s.label, 'p50');
          lines.push([title, String(batch), s.label, fixed(p50, 3), fixed(at(s.label, 'p99'), 3), Number.isFinite(p50 / ort) ? `${fixed(p50 / ort, 2)}×` : '—']);
        }
        if (batch === 1) {
          const ratio = at('kindling', 'p50') / ort;
          verdicts.push(`${title} at batch 1: kindling p50 is ${fixed(ratio, 2)}× onnxruntime's (issue 17 target ≤ 1.5×${ratio <= 1.5 ? ' ✅' : ' ❌'}).`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  load.push(loadLine());
  const result = table(['model', 'batch', 'system (2 threads)', 'p50 ms', 'p99 ms', 'p50 vs onnxruntime'], lines);
  console.log(`\n${result}\n\n${verdicts.join('\n')}\n`);
  saveResults('inference', { machine, load, rows });
  writeSection(
    'inference',
    'Inference: the seed MLP and the MNIST CNN in eval mode, kindling vs onnxruntime-node vs PyTorch (`npm run bench -- inference`)',
    [
      `${machine}. Machine shared with other jobs: ${load.join(' before, ')} after.`,
      "Per-call latency of one forward on a fixed batch (median over 2 runs of each run's p50 / p99; 2000 timed calls per run, 200 for the CNN at batch 64, after a warm-up): kindling's `model.forward` under `noGrad`; onnxruntime-node's awaited `session.run` on the file `torch.onnx.export` wrote from the same model (intra-op threads 2, all graph optimisations); PyTorch's forward under `inference_mode`.",
      result,
      verdicts.join(' '),
    ].join('\n\n'),
  );
}

if (require.main === module) run();
