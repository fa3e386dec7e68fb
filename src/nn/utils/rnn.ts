/**
 * `torch.nn.utils.rnn`: `pad_sequence` here; `PackedSequence` and the packing functions in
 * ./packed-sequence.ts.
 */
import { ShapeError } from '../../errors';
import { stack } from '../../ops/join';
import { pad } from '../../ops/pad';
import { checkOptions } from '../../options';
import { Tensor } from '../../tensor';

export interface PadSequenceOptions {
  batchFirst?: boolean;
  paddingValue?: number;
  paddingSide?: 'right' | 'left';
}

/**
 * Stacks sequences of shape `L_i × *` into `T × B × *` (`B × T × *` when `batchFirst`), `T` the
 * longest length, filling with `paddingValue` after each sequence (before it for
 * `paddingSide: 'left'`). Differentiable: each sequence's gradient is its slice.
 */
export function padSequence(sequences: readonly Tensor[], options: PadSequenceOptions = {}): Tensor {
  checkOptions('padSequence', options, { batchFirst: 'boolean', paddingValue: 'number', paddingSide: 'string' });
  const { batchFirst = false, paddingValue = 0, paddingSide = 'right' } = options;
  if (paddingSide !== 'right' && paddingSide !== 'left') throw new RangeError(`padSequence: padding_side must be 'left' or 'right', got '${String(paddingSide)}'`);
  if (!Array.isArray(sequences) || sequences.length === 0) throw new RangeError('padSequence: received an empty list of sequences');
  const first = sequences[0] as Tensor;
  const trailing = first.shape.slice(1);
  for (const s of sequences) {
    if (!(s instanceof Tensor)) throw new TypeError('padSequence: every sequence must be a Tensor');
    if (s.dim() < 1 || s.dim() !== first.dim() || s.shape.slice(1).some((d, i) => d !== trailing[i])) {
      throw new ShapeError(`padSequence: every sequence must have shape [L, ${trailing.join(', ')}] like the first, got [${s.shape.join(', ')}]`);
    }
  }
  const maxLen = Math.max(...sequences.map((s) => s.shape[0] as number));
  const padded = sequences.map((s) => {
    const extra = maxLen - (s.shape[0] as number);
    if (extra === 0) return s;
    // F.pad lists the last dim's pair first; only dim 0 (the pair at the end) is padded.
    const pads = new Array<number>(2 * s.dim()).fill(0);
    pads[pads.length - (paddingSide === 'right' ? 1 : 2)] = extra;
    return pad(s, pads, 'constant', paddingValue);
  });
  return stack(padded, batchFirst ? 0 : 1);
}

export {
  PackedSequence,
  packPaddedSequence,
  padPackedSequence,
  packSequence,
  unpackSequence,
  unpadSequence,
  type PackPaddedSequenceOptions,
  type PadPackedSequenceOptions,
} from './packed-sequence';
