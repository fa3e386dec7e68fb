/**
 * The char-GPT workload on kindling (issue 14): examples/gpt-model.ts's GPT — 4 layers, 4 heads,
 * width 128, context 64, vocabulary 65, dropout 0 — trained with AdamW (lr 1e-3, betas
 * (0.9, 0.99), weight decay 0.1) on random token batches of 32: ms per step (median over
 * BENCH_STEPS, default 20, after 3 warm-up steps) and the phases of a step.
 * Threads: KINDLING_NUM_THREADS.
 */
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { GPT } from '../../examples/gpt-model';
import { report } from '../lib/child';

const F = nn.functional;
export const GPT_BENCH = { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, batch: 32 } as const;

function main(): void {
  torch.manualSeed(1337);
  const cfg = GPT_BENCH;
  const model = new GPT(cfg);
  const optimizer = new optim.AdamW(model.parameters(), { lr: 1e-3, betas: [0.9, 0.99], weightDecay: 0.1 });
  const steps = Number(process.env.BENCH_STEPS ?? 20);
  const times: number[] = [];
  const phase: Record<string, number[]> = { forward: [], backward: [], step: [] };
  const now = (): bigint => process.hrtime.bigint();
  const ms = (since: bigint): number => Number(now() - since) / 1e6;
  for (let i = 0; i < steps + 3; i++) {
    const x = torch.randint(0, cfg.vocabSize, [cfg.batch, cfg.blockSize], { dtype: 'int64' });
    const y = torch.randint(0, cfg.vocabSize, [cfg.batch, cfg.blockSize], { dtype: 'int64' });
    const start = now();
    optimizer.zeroGrad();
    const logits = model.forward(x);
    const loss = F.crossEntropy(logits.view(cfg.batch * cfg.blockSize, cfg.vocabSize), y.view(cfg.batch * cfg.blockSize));
    const forwardDone = now();
    loss.backward();
    const backwardDone = now();
    optimizer.step();
    loss.item();
    if (i >= 3) {
      times.push(ms(start));
      phase.forward.push(Number(forwardDone - start) / 1e6);
      phase.backward.push(Number(backwardDone - forwardDone) / 1e6);
      phase.step.push(ms(backwardDone));
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
  const params = model.parameters().reduce((s: number, p: Tensor) => s + p.numel(), 0);
  report({
    system: 'kindling',
    threads: torch.getNumThreads(),
    steps: times.length,
    msPerStep: median(times),
    params,
    profile: { forward: median(phase.forward), backward: median(phase.backward), 'AdamW step': median(phase.step) },
  });
}

main();
