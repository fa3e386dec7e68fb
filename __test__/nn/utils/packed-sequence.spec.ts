/**
 * `nn.utils.rnn` packing (src/nn/utils/packed-sequence.ts) against PyTorch (`packing` in
 * `__test__/fixtures/rnn.json`): `packPaddedSequence` data, batch sizes and sort permutations
 * (sorted, unsorted with ties, batchFirst), `padPackedSequence` with paddingValue and totalLength
 * back in the original order, `packSequence`, the unpack/unpad inverses, gradients through a
 * pack/pad round trip, and PyTorch's error messages.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';
import { expectClose, loadFixture } from '../../helpers/fixtures';

interface T { shape: number[]; data: number[] }
interface PackCase {
  lengths: number[]; batchFirst: boolean; enforceSorted: boolean; input: T; data: T; batchSizes: number[];
  sortedIndices: number[] | null; unsortedIndices: number[] | null; padded: T; paddedLengths: number[];
}
const fx = loadFixture<{
  packing: {
    input: T; cases: PackCase[];
    packSequence: { sequences: T[]; data: T; batchSizes: number[]; sortedIndices: number[] };
    errors: { call: string; lengths: number[]; type: string; message: string }[];
  };
}>('rnn').packing;

const R = torch.nn.utils.rnn;
const tensorOf = (t: T, requiresGrad = false): torch.Tensor => torch.tensor(t.data).reshape(t.shape).requiresGrad_(requiresGrad);
const ints = (t: torch.Tensor | null): number[] | null => (t === null ? null : Array.from(t.data as BigInt64Array, Number));
const exact = { rtol: 1e-7, atol: 0 };

describe('packPaddedSequence / padPackedSequence against PyTorch', () => {
  for (const c of fx.cases) {
    it(`lengths ${JSON.stringify(c.lengths)} batchFirst ${c.batchFirst} enforceSorted ${c.enforceSorted}`, () => {
      const x = tensorOf(c.input, true);
      const p = R.packPaddedSequence(x, c.lengths, { batchFirst: c.batchFirst, enforceSorted: c.enforceSorted });
      expect(p.data.shape).toEqual(c.data.shape);
      expectClose(p.data, c.data.data, { ...exact, label: 'data' });
      expect(p.batchSizes.dtype).toBe('int64');
      expect(ints(p.batchSizes)).toEqual(c.batchSizes);
      expect(ints(p.sortedIndices)).toEqual(c.sortedIndices);
      expect(ints(p.unsortedIndices)).toEqual(c.unsortedIndices);
      const [padded, lengths] = R.padPackedSequence(p, { batchFirst: c.batchFirst, paddingValue: -1, totalLength: 6 });
      expect(padded.shape).toEqual(c.padded.shape);
      expectClose(padded, c.padded.data, { ...exact, label: 'padded' });
      expect(ints(lengths)).toEqual(c.paddedLengths);
      // The round trip's gradient is 1 on every valid step of the input and 0 on its padding.
      padded.sum().backward();
      const g = Array.from((x.grad as torch.Tensor).data as Float32Array);
      const [b0, t0] = c.batchFirst ? [0, 1] : [1, 0];
      const steps = c.input.shape[t0] as number;
      const want = new Array<number>(g.length).fill(0);
      const feat = c.input.shape[2] as number;
      c.lengths.forEach((len, b) => {
        for (let t = 0; t < len; t++) {
          const at = c.batchFirst ? (b * steps + t) * feat : (t * (c.input.shape[b0] as number) + b) * feat;
          for (let f = 0; f < feat; f++) want[at + f] = 1;
        }
      });
      expect(g).toEqual(want);
    });
  }

  it('packSequence (unsorted) and its inverses', () => {
    const seqs = fx.packSequence.sequences.map((s) => tensorOf(s));
    const p = R.packSequence(seqs, { enforceSorted: false });
    expectClose(p.data, fx.packSequence.data.data, { ...exact, label: 'data' });
    expect(ints(p.batchSizes)).toEqual(fx.packSequence.batchSizes);
    expect(ints(p.sortedIndices)).toEqual(fx.packSequence.sortedIndices);
    const back = R.unpackSequence(p);
    expect(back.map((s) => s.shape)).toEqual(seqs.map((s) => s.shape));
    back.forEach((s, i) => expectClose(s, (seqs[i] as torch.Tensor).data as Float32Array, { ...exact, label: `sequence ${i}` }));
    const padded = R.padSequence(seqs, { batchFirst: true });
    const cut = R.unpadSequence(padded, [2, 4, 1], { batchFirst: true });
    cut.forEach((s, i) => expectClose(s, (seqs[i] as torch.Tensor).data as Float32Array, { ...exact, label: `unpadded ${i}` }));
  });

  it('keeps the sort of a PackedSequence built from batch sizes alone (sorted, no permutation)', () => {
    const p = new R.PackedSequence(torch.arange(6).float().reshape([3, 2]), torch.tensor([2, 1], { dtype: 'int64' }));
    expect(p.sortedIndices).toBeNull();
    expect(p.unsortedIndices).toBeNull();
    const [padded, lengths] = R.padPackedSequence(p);
    expect(Array.from(padded.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5, 0, 0]);
    expect(ints(lengths)).toEqual([2, 1]);
    expect(String(p)).toContain('PackedSequence(data=');
  });
});

describe('packing errors, as PyTorch words them', () => {
  const x = tensorOf(fx.input);
  for (const e of fx.errors) {
    it(`${e.call}: ${e.message}`, () => {
      const call = (): unknown =>
        e.call === 'totalLength' ? R.padPackedSequence(R.packPaddedSequence(x, e.lengths), { totalLength: 3 }) : R.packPaddedSequence(x, e.lengths);
      const op = e.call === 'totalLength' ? 'padPackedSequence' : 'packPaddedSequence';
      expect(call).toThrow(new RangeError(`${op}: ${e.message}`));
    });
  }

  it('refuses lengths past the padded length, non-integer lengths and an empty list', () => {
    expect(() => R.packPaddedSequence(x, [5, 1, 1])).toThrow(new RangeError('packPaddedSequence: lengths must be at most the padded length 4, got 5'));
    expect(() => R.packPaddedSequence(x, [2.5, 1, 1])).toThrow(TypeError);
    expect(() => R.packSequence([])).toThrow(new RangeError('packSequence: received an empty list of sequences'));
  });
});
