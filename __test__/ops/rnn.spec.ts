/**
 * The recurrence op's own buffers (src/ops/rnn.ts): the input projection, the backward's gate
 * gradients and the saved gates go back to `recycleF32` once nothing can read them. Sizes here are
 * above `RECYCLE_MIN_ELEMENTS`, so the pool is really used: a step on recycled buffers must give the
 * bits of a step on new ones, and a retained graph must keep its saved gates.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { spareF32Count, takeSpareF32 } from '../../src/dtype';
import { RECYCLE_MIN_ELEMENTS } from '../../src/tuning';

const F = torch.nn.functional;
// steps·batch·4·hidden = 65,536 (the projection and the gate gradients), steps·batch·hidden·5 the saved gates.
const [STEPS, BATCH, HIDDEN] = [16, 8, 128];

function lstmStep(model: torch.nn.LSTM, x: torch.Tensor, y: torch.Tensor, retain = false): { out: Float32Array; grads: Float32Array[] } {
  model.zeroGrad();
  const [out] = model.forward(x) as [torch.Tensor, unknown];
  F.mseLoss(out, y).backward(undefined, { retainGraph: retain });
  return { out: (out.data as Float32Array).slice(), grads: model.parameters().map((p) => (p.grad?.data as Float32Array).slice()) };
}

/** Whether two float arrays hold the same bits (a Buffer comparison: `toEqual` walks 65 K elements slowly). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function drain(): void {
  takeSpareF32();
}

describe('recurrence buffers', () => {
  it('are large enough here to be recycled', () => {
    expect(STEPS * BATCH * 4 * HIDDEN).toBeGreaterThanOrEqual(RECYCLE_MIN_ELEMENTS);
  });

  it('a step on recycled buffers gives the bits of a step on new ones', () => {
    torch.manualSeed(3);
    const model = new torch.nn.LSTM(HIDDEN, HIDDEN, { numLayers: 2 });
    const x = torch.randn([STEPS, BATCH, HIDDEN]);
    const y = torch.randn([STEPS, BATCH, HIDDEN]);
    drain();
    const first = lstmStep(model, x, y);
    // The projection and the gate gradients (one buffer, reused by the second layer) and both
    // layers' saved gates are back in the pool.
    expect(spareF32Count()).toBeGreaterThanOrEqual(3);
    const second = lstmStep(model, x, y);
    expect(sameBits(second.out, first.out)).toBe(true);
    second.grads.forEach((g, i) => expect(sameBits(g, first.grads[i] as Float32Array)).toBe(true));
  });

  it('without a graph, hands back the projection and the saved gates at once', () => {
    torch.manualSeed(4);
    const model = new torch.nn.LSTM(HIDDEN, HIDDEN);
    const x = torch.randn([STEPS, BATCH, HIDDEN]);
    drain();
    const want = torch.noGrad(() => (model.forward(x) as [torch.Tensor, unknown])[0]);
    expect(spareF32Count()).toBe(2);
    // Another forward takes them and computes the same output.
    const again = torch.noGrad(() => (model.forward(x) as [torch.Tensor, unknown])[0]);
    expect(sameBits(again.data as Float32Array, want.data as Float32Array)).toBe(true);
    expect(spareF32Count()).toBe(2);
  });

  it('keeps the saved gates of a retained graph for a second backward', () => {
    torch.manualSeed(5);
    const model = new torch.nn.LSTM(HIDDEN, HIDDEN);
    const x = torch.randn([STEPS, BATCH, HIDDEN]);
    const y = torch.randn([STEPS, BATCH, HIDDEN]);
    const once = lstmStep(model, x, y);
    drain();
    model.zeroGrad();
    const [out] = model.forward(x) as [torch.Tensor, unknown];
    const loss = F.mseLoss(out, y);
    loss.backward(undefined, { retainGraph: true });
    // Whatever the pool now holds is handed out before the second backward reads the graph.
    for (const buf of takeSpareF32()) buf.fill(Number.NaN);
    loss.backward();
    model.parameters().forEach((p, i) => {
      const twice = p.grad?.data as Float32Array;
      const want = once.grads[i] as Float32Array;
      let worst = 0;
      for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs((twice[j] as number) - 2 * (want[j] as number)));
      expect(worst).toBeLessThan(1e-5);
    });
  });
});
