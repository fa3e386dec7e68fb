/**
 * LSTM workload (issue 17): one Adam training step of a 2-layer `nn.LSTM` (input 256, hidden 256)
 * over a sequence of 64 at batch 32 with an MSE loss (bench/lstm/kindling.ts, bench/lstm/pytorch.py)
 * — kindling and PyTorch on 2 threads, alternating in one run (5 runs each): ms per step,
 * kindling's ratio, GFLOP/s against the machine's peak, where kindling's step goes, and each
 * process's peak memory.
 *
 *   npm run bench -- lstm     (BENCH_STEPS=n sets the timed steps per run, default 10)
 */
import { runStepWorkload } from './lib/step-vs-pytorch';

const [IN, H, L, T, B] = [256, 256, 2, 64, 32];

/**
 * FLOP of one step: each layer's forward is two GEMMs per step's batch — the input projection
 * (B·In·4H multiply-adds) and the recurrent one (B·H·4H) — over T steps; the backward is the
 * grad weight of both and the grad input of both but the first layer's input projection (the
 * data needs no gradient). Gates, loss and Adam are O(elements).
 */
export function stepGflop(): number {
  let macs = 0;
  for (let layer = 0; layer < L; layer++) {
    const inSize = layer === 0 ? IN : H;
    const forward = T * B * 4 * H * (inSize + H);
    const backward = 2 * forward - (layer === 0 ? T * B * 4 * H * inSize : 0);
    macs += forward + backward;
  }
  return (2 * macs) / 1e9;
}

export function run(): void {
  runStepWorkload({
    name: 'lstm',
    title: 'LSTM: one Adam step of a 2-layer LSTM, hidden 256, sequence 64, batch 32 (`npm run bench -- lstm`)',
    label: 'LSTM',
    kindlingScript: 'lstm/kindling.ts',
    pytorchScript: 'lstm/pytorch.py',
    issue: 17,
    target: 1.2,
    gflop: stepGflop(),
    describe: (gflop) => `One step = zeroGrad + forward + MSE + backward + Adam (lr 1e-3) of \`LSTM(${IN}, ${H}, numLayers ${L})\` on a random time-major batch (${T} steps × ${B} × ${IN}) against a random target: ${gflop} GFLOP (\`stepGflop\` in bench/lstm.ts). kindling and PyTorch alternate, 5 runs of 10 steps each after 2 warm-up steps.`,
  });
}

if (require.main === module) run();
