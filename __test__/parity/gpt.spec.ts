/**
 * examples/gpt-model.ts's GPT (one block) against the same model in PyTorch over 20 AdamW steps
 * with warm-up and cosine decay, as examples/char-gpt.ts trains it
 * (`__test__/fixtures/gpt_parity.safetensors`, scripts/fixtures/make_gpt_parity_fixture.py): PyTorch's
 * initial weights loaded through `loadStateDict`, PyTorch's 20 batches, dropout 0. Losses are held
 * to rtol 1e-4 and every final parameter to atol 2e-5 + rtol 1e-3: float32 sums in a different
 * order than PyTorch's, compounded over 20 Adam steps (whose first steps move each weight by about
 * lr whatever the gradient's size), and no further. The one exception is the key bias (the
 * middle third of `c_attn.bias`): softmax ignores a shift shared by all keys, so its true gradient
 * is zero and both frameworks' values are rounding noise amplified by Adam's normalisation; it
 * is held to staying near zero.
 *
 * The model file imports `kindling`, so this test runs the built package (dist/, made by
 * `npm run build` before vitest in `npm test`), as a user's program would.
 */
import { resolve } from 'node:path';
import * as torch from 'kindling';
import { nn, optim, type Tensor } from 'kindling';
import { describe, expect, it } from 'vitest';
import { GPT } from '../../examples/gpt-model';

const F = nn.functional;
const fixture = torch.load(resolve(__dirname, '../fixtures/gpt_parity.safetensors')) as Record<string, Tensor>;
const STEPS = 20;
const WARMUP = 5;
const LR = 1e-2;

function withPrefix(prefix: string): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(fixture)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

describe('a one-block GPT against PyTorch, 20 AdamW steps with warm-up and cosine decay', () => {
  it("gives PyTorch's losses and parameters from PyTorch's initial weights", () => {
    const [, B, T] = fixture.x.shape;
    const model = new GPT({ vocabSize: 27, blockSize: T, nLayer: 1, nHead: 4, nEmbd: 32, dropout: 0 });
    const initial = withPrefix('model.');
    expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(initial).sort());
    model.loadStateDict(initial);
    const optimizer = new optim.AdamW(model.parameters(), { lr: LR, betas: [0.9, 0.99], weightDecay: 0.1 });
    const scheduler = new optim.lrScheduler.SequentialLR(optimizer, {
      schedulers: [
        new optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.01, totalIters: WARMUP }),
        new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: STEPS - WARMUP, etaMin: LR / 10 }),
      ],
      milestones: [WARMUP],
    });
    model.train();
    const losses: number[] = [];
    for (let step = 0; step < STEPS; step++) {
      const x = fixture.x.select(0, step).to('int64');
      const y = fixture.y.select(0, step).to('int64');
      const logits = model.forward(x);
      const loss = F.crossEntropy(logits.view(B * T, 27), y.reshape([B * T]));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      losses.push(loss.item());
    }
    const expected = Array.from(fixture.losses.data as Float32Array);
    expect(expected[STEPS - 1]).toBeLessThan(expected[0] - 1); // the run learns: the test is not vacuous
    losses.forEach((l, i) => expect(Math.abs(l - expected[i]), `step ${i + 1}: ${l} vs ${expected[i]}`).toBeLessThanOrEqual(1e-4 * Math.abs(expected[i])));
    const final = withPrefix('final.');
    for (const [name, p] of Object.entries(model.stateDict())) {
      const got = p.data as Float32Array;
      const want = final[name].data as Float32Array;
      let worst = 0;
      for (let j = 0; j < want.length; j++) {
        const keyBias = name === 'h.0.attn.c_attn.bias' && j >= 32 && j < 64;
        if (keyBias) expect(Math.max(Math.abs(got[j]), Math.abs(want[j])), `${name}[${j}]`).toBeLessThan(1e-3);
        else worst = Math.max(worst, Math.abs(got[j] - want[j]) - 1e-3 * Math.abs(want[j]));
      }
      expect(worst, name).toBeLessThanOrEqual(2e-5);
    }
  });
});
