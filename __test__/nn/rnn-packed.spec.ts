/**
 * `nn.RNN`/`LSTM`/`GRU` on a `PackedSequence` against PyTorch (`packed` in
 * `__test__/fixtures/rnn.json`, scripts/fixtures/make_rnn_fixtures.py): a padded batch packed with
 * its lengths (sorted or not, batchFirst or not), run, padded back; the packed input and output
 * data, the padded output, h_n (c_n) at each sequence's own last step, and the gradients of the
 * padded input, hx and every parameter, over 1/2 layers, uni/bidirectional and projSize; plus
 * gradcheck through pack → LSTM → pad and the packed input's shape errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { expectClose, loadFixture } from '../helpers/fixtures';

interface T { shape: number[]; data: number[] }
interface PackedCase {
  kind: string; module: 'RNN' | 'LSTM' | 'GRU'; options: Record<string, unknown>; lengths: number[]; enforceSorted: boolean;
  stateDict: Record<string, T>; input: T; h0: T | null; c0: T | null;
  packedData: T; batchSizes: number[]; sortedIndices: number[] | null; outputData: T;
  output: T; outputLengths: number[]; hn: T; cn: T | null;
  gradOutput: number[]; gradHn: number[]; gradCn: number[] | null;
  gradInput: number[]; gradH0: number[] | null; gradC0: number[] | null; gradParams: Record<string, number[]>;
}
const fx = loadFixture<{ packed: PackedCase[] }>('rnn');

const { packPaddedSequence, padPackedSequence, PackedSequence } = torch.nn.utils.rnn;
const INPUT = 2;
const HIDDEN = 3;
const tensorOf = (t: T, requiresGrad = false): torch.Tensor => torch.tensor(t.data).reshape(t.shape).requiresGrad_(requiresGrad);
const gradOf = (t: torch.Tensor | null): torch.Tensor => {
  expect(t).not.toBeNull();
  return t as torch.Tensor;
};
const ints = (t: torch.Tensor | null): number[] | null => (t === null ? null : Array.from(t.data as BigInt64Array, Number));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ctor = (name: string): any => (torch.nn as unknown as Record<string, unknown>)[name];
const tol = { rtol: 1e-4, atol: 1e-5 };
const gtol = { rtol: 1e-3, atol: 1e-4 };

describe('recurrent layers on a PackedSequence against PyTorch', () => {
  for (const c of fx.packed) {
    it(`${c.kind} ${JSON.stringify(c.options)} lengths ${JSON.stringify(c.lengths)} hx ${c.h0 === null ? 'default' : 'given'}`, () => {
      const m = new (ctor(c.module))(INPUT, HIDDEN, c.options) as torch.nn.LSTM;
      m.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, tensorOf(v)])));
      const x = tensorOf(c.input, true);
      const h0 = c.h0 === null ? null : tensorOf(c.h0, true);
      const c0 = c.c0 === null ? null : tensorOf(c.c0, true);
      const batchFirst = c.options.batchFirst === true;
      const packed = packPaddedSequence(x, c.lengths, { batchFirst, enforceSorted: c.enforceSorted });
      expect(ints(packed.batchSizes)).toEqual(c.batchSizes);
      expect(ints(packed.sortedIndices)).toEqual(c.sortedIndices);
      expectClose(packed.data, c.packedData.data, { rtol: 1e-7, atol: 0, label: 'packed input' });
      let outPacked: torch.nn.utils.rnn.PackedSequence;
      let hn: torch.Tensor;
      let cn: torch.Tensor | null = null;
      if (c.module === 'LSTM') {
        [outPacked, [hn, cn]] = m.forward(packed, h0 === null ? null : [h0, c0 as torch.Tensor]);
      } else {
        [outPacked, hn] = (m as unknown as torch.nn.GRU).forward(packed, h0);
      }
      expect(outPacked).toBeInstanceOf(PackedSequence);
      expect(outPacked.batchSizes).toBe(packed.batchSizes);
      expectClose(outPacked.data, c.outputData.data, { ...tol, label: 'packed output' });
      const [out, lengths] = padPackedSequence(outPacked, { batchFirst });
      expect(ints(lengths)).toEqual(c.outputLengths);
      expect(out.shape).toEqual(c.output.shape);
      expectClose(out, c.output.data, { ...tol, label: 'output' });
      expect(hn.shape).toEqual(c.hn.shape);
      expectClose(hn, c.hn.data, { ...tol, label: 'h_n' });
      let loss = out.mul(torch.tensor(c.gradOutput).reshape(out.shape)).sum().add(hn.mul(torch.tensor(c.gradHn).reshape(hn.shape)).sum());
      if (cn !== null) {
        expectClose(cn, (c.cn as T).data, { ...tol, label: 'c_n' });
        loss = loss.add(cn.mul(torch.tensor(c.gradCn as number[]).reshape(cn.shape)).sum());
      }
      loss.backward();
      expectClose(gradOf(x.grad), c.gradInput, { ...gtol, label: 'grad input' });
      if (h0 !== null) expectClose(gradOf(h0.grad), c.gradH0 as number[], { ...gtol, label: 'grad h0' });
      if (c0 !== null) expectClose(gradOf(c0.grad), c.gradC0 as number[], { ...gtol, label: 'grad c0' });
      const params = Object.fromEntries(m.namedParameters());
      expect(Object.keys(params)).toEqual(Object.keys(c.gradParams));
      for (const [name, g] of Object.entries(c.gradParams)) expectClose(gradOf(params[name].grad), g, { ...gtol, label: `grad ${name}` });
    });
  }
});

describe('recurrent layers on a PackedSequence: gradcheck and errors', () => {
  it('gradcheck through packPaddedSequence → bidirectional LSTM → padPackedSequence (unsorted)', () => {
    torch.manualSeed(7);
    const m = new torch.nn.LSTM(2, 2, { bidirectional: true, batchFirst: true });
    expectGradcheck(
      (x, h, c) => {
        const p = packPaddedSequence(x, [2, 4, 1], { batchFirst: true, enforceSorted: false });
        const [out, [hn, cn]] = m.forward(p, [h, c]);
        const [padded] = padPackedSequence(out, { batchFirst: true });
        return torch.cat([padded.flatten(), hn.flatten(), cn.flatten()]);
      },
      [torch.randn([3, 4, 2]).mul(0.5).requiresGrad_(true), torch.randn([2, 3, 2]).mul(0.5).requiresGrad_(true), torch.randn([2, 3, 2]).mul(0.5).requiresGrad_(true)],
    );
  });

  it('a packed run equals running each sequence alone', () => {
    torch.manualSeed(8);
    const m = new torch.nn.GRU(2, 3, { numLayers: 2, bidirectional: true });
    const seqs = [torch.randn([2, 2]), torch.randn([5, 2]), torch.randn([3, 2])];
    const [out, hn] = m.forward(torch.nn.utils.rnn.packSequence(seqs, { enforceSorted: false }));
    const outs = torch.nn.utils.rnn.unpackSequence(out);
    seqs.forEach((s, b) => {
      const [alone, hAlone] = m.forward(s.unsqueeze(1));
      expectClose(outs[b] as torch.Tensor, alone.squeeze(1).data as Float32Array, { rtol: 1e-5, atol: 1e-6, label: `output ${b}` });
      expectClose(hn.select(1, b), hAlone.select(1, 0).contiguous().data as Float32Array, { rtol: 1e-5, atol: 1e-6, label: `h_n ${b}` });
    });
  });

  it('refuses packed data of the wrong rank or feature size, and hx of the wrong batch', () => {
    const m = new torch.nn.LSTM(2, 3);
    const bs = torch.tensor([2, 1], { dtype: 'int64' });
    expect(() => m.forward(new PackedSequence(torch.zeros([3, 1, 2]), bs))).toThrow(new torch.ShapeError('LSTM: input must have 2 dimensions, got 3'));
    expect(() => m.forward(new PackedSequence(torch.zeros([3, 5]), bs))).toThrow(new torch.ShapeError('LSTM: input.size(-1) must be equal to input_size. Expected 2, got 5'));
    const p = new PackedSequence(torch.zeros([3, 2]), bs);
    expect(() => m.forward(p, [torch.zeros([1, 3, 3]), torch.zeros([1, 2, 3])])).toThrow(new torch.ShapeError('LSTM: Expected hidden[0] size (1, 2, 3), got [1, 3, 3]'));
  });
});
