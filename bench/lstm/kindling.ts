/**
 * The LSTM workload on kindling (issue 17): `nn.LSTM(256, 256, { numLayers: 2 })` on a
 * time-major batch (sequence 64, batch 32), MSE against a random target, backward, Adam (lr 1e-3):
 * ms per step (median over BENCH_STEPS, default 10, after 2 warm-up steps) and its phases.
 * Threads: KINDLING_NUM_THREADS.
 */
import * as torch from 'kindling';
import { nn, optim } from 'kindling';
import { report } from '../lib/child';

const F = nn.functional;
export const LSTM_BENCH = { input: 256, hidden: 256, layers: 2, steps: 64, batch: 32 } as const;

function main(): void {
  torch.manualSeed(1337);
  const { input, hidden, layers, steps: T, batch: B } = LSTM_BENCH;
  const model = new nn.LSTM(input, hidden, { numLayers: layers });
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const steps = Number(process.env.BENCH_STEPS ?? 10);
  const times: number[] = [];
  const phase: Record<string, number[]> = { forward: [], backward: [], step: [] };
  const now = (): bigint => process.hrtime.bigint();
  for (let i = 0; i < steps + 2; i++) {
    const x = torch.randn([T, B, input]);
    const y = torch.randn([T, B, hidden]);
    const start = now();
    optimizer.zeroGrad();
    const [out] = model.forward(x);
    const loss = F.mseLoss(out, y);
    const forwardDone = now();
    loss.backward();
    const backwardDone = now();
    optimizer.step();
    loss.item();
    const end = now();
    if (i >= 2) {
      times.push(Number(end - start) / 1e6);
      phase.forward.push(Number(forwardDone - start) / 1e6);
      phase.backward.push(Number(backwardDone - forwardDone) / 1e6);
      phase.step.push(Number(end - backwardDone) / 1e6);
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
  report({
    system: 'kindling',
    threads: torch.getNumThreads(),
    steps: times.length,
    msPerStep: median(times),
    params: model.parameters().reduce((s, p) => s + p.numel(), 0),
    profile: { 'forward + loss': median(phase.forward), backward: median(phase.backward), 'Adam step': median(phase.step) },
  });
}

main();
