/**
 * char-GPT workload (issue 14): one AdamW training step of nanoGPT's model — 4 layers, 4 heads,
 * width 128, context 64, batch 32, vocabulary 65 (examples/gpt-model.ts; bench/gpt/pytorch.py is
 * the same model in PyTorch) — kindling and PyTorch on 2 threads, alternating in one run (5 runs
 * each): ms per step, kindling's ratio, GFLOP/s against the machine's peak, where kindling's step
 * goes, and each process's peak memory.
 *
 *   npm run bench -- gpt     (BENCH_STEPS=n sets the timed steps per run, default 20)
 */
import { runStepWorkload } from './lib/step-vs-pytorch';

const [V, T, L, C, B] = [65, 64, 4, 128, 32];

/**
 * FLOP of one step: 2 × 3 (forward, then grad input and grad weight) × the multiply-adds of the
 * forward per token — per layer the four projections (12·C²) and attention's two products over
 * the whole context (2·T·C, masked half included, as a dense kernel computes it), plus the head
 * (C·V) — times B·T tokens. Embeddings, norms, softmax and AdamW are O(elements).
 */
export function stepGflop(): number {
  const perToken = L * (12 * C * C + 2 * T * C) + C * V;
  return (6 * B * T * perToken) / 1e9;
}

export function run(): void {
  runStepWorkload({
    name: 'gpt',
    title: 'char-GPT: one AdamW step of a 4-layer, width-128 GPT (`npm run bench -- gpt`)',
    label: 'char-GPT',
    kindlingScript: 'gpt/kindling.ts',
    pytorchScript: 'gpt/pytorch.py',
    issue: 14,
    target: 1.2,
    gflop: stepGflop(),
    describe: (gflop) => `One step = zeroGrad + forward + cross-entropy + backward + AdamW on ${B} random sequences of ${T} tokens (vocabulary ${V}, ${L} layers, 4 heads, width ${C}, dropout 0): ${gflop} GFLOP (\`stepGflop\` in bench/gpt.ts). kindling and PyTorch alternate, 5 runs of 20 steps each after 3 warm-up steps.`,
  });
}

if (require.main === module) run();
