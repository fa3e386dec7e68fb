/**
 * The recurrent kernels through the seam (`kernels.rnnForward` / `rnnBackward`,
 * crates/kindling-core/src/rnn): a one-step tanh RNN by hand, and bad lengths and modes as typed
 * RangeErrors rather than panics. (The maths against PyTorch is in __test__/nn/rnn.spec.ts.)
 */
import { describe, expect, it } from 'vitest';
import { kernels, type RnnOptions } from '../../src/ops/kernels';

describe('rnn kernels through the seam', () => {
  it('one tanh step: out = tanh(xProj + h0·W_hhᵀ + b_hh), and its backward', () => {
    const o: RnnOptions = { mode: 0, steps: 1, batch: 1, hidden: 2, reverse: false };
    const xProj = new Float32Array([0.1, -0.2]);
    const wHh = new Float32Array([0.5, -1, 2, 0.25]); // rows: unit 0, unit 1
    const bHh = new Float32Array([0.3, 0]);
    const h0 = new Float32Array([1, 2]);
    const out = new Float32Array(2);
    kernels.rnnForward(xProj, wHh, bHh, null, null, h0, out, new Float32Array(0), o);
    const pre = [0.1 + (0.5 * 1 - 1 * 2) + 0.3, -0.2 + (2 * 1 + 0.25 * 2)];
    expect(out[0]).toBeCloseTo(Math.tanh(pre[0] as number), 6);
    expect(out[1]).toBeCloseTo(Math.tanh(pre[1] as number), 6);
    const gradState = new Float32Array(2);
    const gradGates = new Float32Array(2);
    const gradWhh = new Float32Array(4).fill(NaN);
    const gradBhh = new Float32Array(2).fill(NaN);
    kernels.rnnBackward(wHh, null, null, h0, out, new Float32Array(0), new Float32Array([1, 1]), gradState, gradGates, gradWhh, gradBhh, null, null, null, null, null, o);
    const d = [1 - (out[0] as number) ** 2, 1 - (out[1] as number) ** 2];
    expect(gradGates[0]).toBeCloseTo(d[0] as number, 6);
    expect(gradGates[1]).toBeCloseTo(d[1] as number, 6);
    // dW_hh = dGatesᵀ·h0 (one step), db_hh = dGates.
    expect([...gradWhh].map((v) => Number(v.toFixed(5)))).toEqual([d[0] as number, 2 * (d[0] as number), d[1] as number, 2 * (d[1] as number)].map((v) => Number(v.toFixed(5))));
    expect([...gradBhh].map((v) => Number(v.toFixed(5)))).toEqual(d.map((v) => Number(v.toFixed(5))));
    // Without weight-gradient buffers the same gate gradients, nothing else written.
    const gradGates2 = new Float32Array(2);
    kernels.rnnBackward(wHh, null, null, h0, out, new Float32Array(0), new Float32Array([1, 1]), new Float32Array(2), gradGates2, null, null, null, null, null, null, null, o);
    expect([...gradGates2]).toEqual([...gradGates]);
    // The input side (x = [3], W_ih = [[1], [-2]]): dx = dGates·W_ih, dW_ih = dGatesᵀ·x, db_ih = dGates.
    const x = new Float32Array([3]);
    const wIh = new Float32Array([1, -2]);
    const [gradX, gradWih, gradBih] = [new Float32Array(1), new Float32Array(2), new Float32Array(2)];
    kernels.rnnBackward(wHh, null, null, h0, out, new Float32Array(0), new Float32Array([1, 1]), new Float32Array(2), new Float32Array(2), null, null, x, wIh, gradX, gradWih, gradBih, o);
    expect(gradX[0]).toBeCloseTo((d[0] as number) - 2 * (d[1] as number), 5);
    expect(gradWih[0]).toBeCloseTo(3 * (d[0] as number), 5);
    expect(gradWih[1]).toBeCloseTo(3 * (d[1] as number), 5);
    expect([...gradBih].map((v) => Number(v.toFixed(5)))).toEqual(d.map((v) => Number(v.toFixed(5))));
    // Half an input side is an error, not a guess.
    expect(() =>
      kernels.rnnBackward(wHh, null, null, h0, out, new Float32Array(0), new Float32Array([1, 1]), new Float32Array(2), new Float32Array(2), null, null, x, null, gradX, null, null, o),
    ).toThrow(expect.objectContaining({ code: 'ERR_KINDLING_VALUE', message: expect.stringContaining('rnn_backward: the input side needs both x and wIh') }));
    // dh0 = dGatesᵀ·W_hh
    expect(gradState[0]).toBeCloseTo((d[0] as number) * 0.5 + (d[1] as number) * 2, 5);
    expect(gradState[1]).toBeCloseTo((d[0] as number) * -1 + (d[1] as number) * 0.25, 5);
  });

  it('bad lengths and modes are RangeErrors naming the buffer', () => {
    const o: RnnOptions = { mode: 2, steps: 2, batch: 1, hidden: 1, reverse: false };
    const call = (xLen: number, savedLen: number, mode = 2): void =>
      kernels.rnnForward(new Float32Array(xLen), new Float32Array(4), null, null, null, new Float32Array(2), new Float32Array(2), new Float32Array(savedLen), { ...o, mode });
    expect(() => call(8, 10)).not.toThrow();
    expect(() => call(7, 10)).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_KINDLING_LENGTH', message: 'rnn_forward: xProj has 7 elements, expected 8 (steps·batch·gates·hidden)' }),
    );
    expect(() => call(8, 9)).toThrow(expect.objectContaining({ code: 'ERR_KINDLING_LENGTH', message: expect.stringContaining('rnn_forward: saved has 9 elements, expected 10') }));
    expect(() => call(8, 10, 9)).toThrow(expect.objectContaining({ code: 'ERR_KINDLING_VALUE', message: 'rnn_forward: mode must be 0..=3, got 9' }));
  });
});
