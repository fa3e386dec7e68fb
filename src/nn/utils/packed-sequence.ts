/**
 * `torch.nn.utils.rnn.PackedSequence` and its conversions: `packPaddedSequence`,
 * `padPackedSequence`, `packSequence`, `unpackSequence`, `unpadSequence`, as PyTorch's.
 *
 * A packed batch stores its sequences sorted by decreasing length and interleaved by time step:
 * `data` holds step 0 of every sequence, then step 1 of those still running, … (`batchSizes[t]`
 * rows at step `t`); `sortedIndices[p]` is the original batch position of the `p`-th longest
 * sequence and `unsortedIndices` its inverse (both null when the input was already sorted).
 *
 * Every conversion is one `indexSelect` (rows picked by an index built here), so gradients flow
 * through packing and unpacking with `IndexSelectBackward0`.
 */
import { full, tensor } from '../../creation';
import { ShapeError } from '../../errors';
import { indexSelect } from '../../ops/index-select';
import { cat } from '../../ops/join';
import { checkOptions } from '../../options';
import { Tensor } from '../../tensor';
import { padSequence } from './rnn';

const int64Of = (values: readonly number[]): Tensor => tensor(BigInt64Array.from(values, (v) => BigInt(v)), { dtype: 'int64' });
const indexOf = (values: ArrayLike<number>): Tensor => tensor(Int32Array.from(values), { dtype: 'int32' });
const numbersOf = (t: Tensor): number[] => Array.from(t.contiguous().data as ArrayLike<number | bigint>, (v) => Number(v));

/** A batch of variable-length sequences, packed (see the module comment). */
export class PackedSequence {
  readonly data: Tensor;
  /** int64, one per time step: how many sequences are still running at that step. */
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;

  constructor(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    if (!(data instanceof Tensor) || !(batchSizes instanceof Tensor)) throw new TypeError('PackedSequence: data and batchSizes must be Tensors');
    if (batchSizes.dim() !== 1) throw new ShapeError(`PackedSequence: batch_sizes should always be a 1D tensor, got ${batchSizes.dim()}D`);
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    // PyTorch's `_packed_sequence_init`: the inverse permutation when only the sort is given.
    this.unsortedIndices = unsortedIndices ?? (sortedIndices === null ? null : invertPermutation(sortedIndices));
  }

  /** True when the batch came unsorted (its sequences are reordered in `data`). */
  get isSorted(): boolean {
    return this.sortedIndices === null;
  }

  toString(): string {
    const s = (t: Tensor | null): string => (t === null ? 'None' : String(t));
    return `PackedSequence(data=${String(this.data)}, batch_sizes=${String(this.batchSizes)}, sorted_indices=${s(this.sortedIndices)}, unsorted_indices=${s(this.unsortedIndices)})`;
  }
}

function invertPermutation(p: Tensor): Tensor {
  const perm = numbersOf(p);
  const inv = new Array<number>(perm.length);
  perm.forEach((v, i) => {
    inv[v] = i;
  });
  return int64Of(inv);
}

/**
 * The layout of a packed batch: its size (`batch`, the first batch size), steps, each sorted
 * sequence's length and where each step starts in `data`.
 */
export interface PackedLayout {
  batch: number;
  steps: number;
  batchSizes: number[];
  /** Length of the `p`-th sorted sequence. */
  lengths: Uint32Array;
  /** Row of `data` where step `t` starts. */
  offsets: number[];
}

export function packedLayout(p: PackedSequence): PackedLayout {
  const batchSizes = numbersOf(p.batchSizes);
  const steps = batchSizes.length;
  const batch = steps === 0 ? 0 : (batchSizes[0] as number);
  const lengths = new Uint32Array(batch);
  const offsets: number[] = [];
  let at = 0;
  for (let t = 0; t < steps; t++) {
    offsets.push(at);
    const bs = batchSizes[t] as number;
    for (let q = 0; q < bs; q++) lengths[q] = t + 1;
    at += bs;
  }
  return { batch, steps, batchSizes, lengths, offsets };
}

/**
 * Packed rows → a time-major padded tensor in sorted batch order (`steps × batch × *`, rows past
 * a sequence's end are `fill`): what the recurrent layers run on.
 */
export function packedToPaddedSorted(p: PackedSequence, layout: PackedLayout, fill = 0): Tensor {
  const { batch, steps, lengths, offsets } = layout;
  const n = p.data.shape[0] as number;
  const idx = new Int32Array(steps * batch);
  for (let t = 0; t < steps; t++) {
    for (let q = 0; q < batch; q++) idx[t * batch + q] = t < (lengths[q] as number) ? (offsets[t] as number) + q : n;
  }
  const rest = p.data.shape.slice(1);
  const table = cat([p.data, full([1, ...rest], fill)], 0);
  return indexSelect(table, 0, indexOf(idx)).reshape([steps, batch, ...rest]);
}

/** A time-major padded tensor in sorted batch order → the packed rows of `layout`. */
export function paddedSortedToPacked(x: Tensor, layout: PackedLayout): Tensor {
  const { batch, steps, batchSizes } = layout;
  const idx: number[] = [];
  for (let t = 0; t < steps; t++) for (let q = 0; q < (batchSizes[t] as number); q++) idx.push(t * batch + q);
  return indexSelect(x.reshape([steps * batch, ...x.shape.slice(2)]), 0, indexOf(idx));
}

export interface PackPaddedSequenceOptions {
  batchFirst?: boolean;
  /** When true (the default) `lengths` must be sorted in decreasing order. */
  enforceSorted?: boolean;
}

/**
 * `pack_padded_sequence`: packs a padded batch (`T × B × *`, `B × T × *` when `batchFirst`)
 * whose `b`-th sequence is `lengths[b]` steps long.
 */
export function packPaddedSequence(input: Tensor, lengths: Tensor | readonly number[], options: PackPaddedSequenceOptions = {}): PackedSequence {
  checkOptions('packPaddedSequence', options, { batchFirst: 'boolean', enforceSorted: 'boolean' });
  const { batchFirst = false, enforceSorted = true } = options;
  if (!(input instanceof Tensor)) throw new TypeError('packPaddedSequence: input must be a Tensor');
  if (input.dim() < 2) throw new ShapeError(`packPaddedSequence: input must have at least 2 dimensions (T, B, *), got ${input.dim()}D`);
  const lens = lengths instanceof Tensor ? numbersOf(lengths) : Array.from(lengths);
  if (lens.some((v) => !Number.isInteger(v))) throw new TypeError(`packPaddedSequence: lengths must be integers, got [${lens.join(', ')}]`);
  const batch = input.shape[batchFirst ? 0 : 1] as number;
  const steps = input.shape[batchFirst ? 1 : 0] as number;
  if (lens.length !== batch) throw new RangeError(`packPaddedSequence: Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${batch})`);
  if (lens.some((v) => v <= 0)) throw new RangeError("packPaddedSequence: Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  if (enforceSorted && lens.some((v, i) => i > 0 && v > (lens[i - 1] as number))) {
    throw new RangeError(
      'packPaddedSequence: `lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.',
    );
  }
  const longest = Math.max(...lens);
  if (longest > steps) throw new RangeError(`packPaddedSequence: lengths must be at most the padded length ${steps}, got ${longest}`);
  // A stable sort by decreasing length, as torch.sort(descending=True) orders ties on the CPU.
  const order = lens.map((_, i) => i);
  if (!enforceSorted) order.sort((a, b) => (lens[b] as number) - (lens[a] as number) || a - b);
  const batchSizes: number[] = [];
  for (let t = 0; t < longest; t++) batchSizes.push(lens.filter((v) => v > t).length);
  const idx: number[] = [];
  for (let t = 0; t < longest; t++) {
    for (let q = 0; q < (batchSizes[t] as number); q++) {
      const b = order[q] as number;
      idx.push(batchFirst ? b * steps + t : t * batch + b);
    }
  }
  const flat = input.reshape([batch * steps, ...input.shape.slice(2)]);
  const data = indexSelect(flat, 0, indexOf(idx));
  return new PackedSequence(data, int64Of(batchSizes), enforceSorted ? null : int64Of(order));
}

export interface PadPackedSequenceOptions {
  batchFirst?: boolean;
  paddingValue?: number;
  /** Pad to this many steps (at least the longest sequence). */
  totalLength?: number;
}

/**
 * `pad_packed_sequence`: the inverse of `packPaddedSequence`. Returns the padded batch in the
 * original order and each sequence's length (int64).
 */
export function padPackedSequence(sequence: PackedSequence, options: PadPackedSequenceOptions = {}): [Tensor, Tensor] {
  checkOptions('padPackedSequence', options, { batchFirst: 'boolean', paddingValue: 'number', totalLength: 'number' });
  const { batchFirst = false, paddingValue = 0, totalLength } = options;
  if (!(sequence instanceof PackedSequence)) throw new TypeError('padPackedSequence: sequence must be a PackedSequence');
  const layout = packedLayout(sequence);
  const { batch, steps, lengths, offsets } = layout;
  let total = steps;
  if (totalLength !== undefined) {
    if (!Number.isInteger(totalLength)) throw new TypeError(`padPackedSequence: total_length must be an integer, got ${totalLength}`);
    if (totalLength < steps) {
      throw new RangeError(`padPackedSequence: Expected total_length to be at least the length of the longest sequence in input, but got total_length=${totalLength} and max sequence length being ${steps}`);
    }
    total = totalLength;
  }
  // Original position b sits at sorted position unsorted[b].
  const unsorted = sequence.unsortedIndices === null ? null : numbersOf(sequence.unsortedIndices);
  const n = sequence.data.shape[0] as number;
  const idx = new Int32Array(total * batch);
  for (let t = 0; t < total; t++) {
    for (let b = 0; b < batch; b++) {
      const q = unsorted === null ? b : (unsorted[b] as number);
      idx[batchFirst ? b * total + t : t * batch + b] = t < (lengths[q] as number) ? (offsets[t] as number) + q : n;
    }
  }
  const rest = sequence.data.shape.slice(1);
  const table = cat([sequence.data, full([1, ...rest], paddingValue)], 0);
  const padded = indexSelect(table, 0, indexOf(idx)).reshape(batchFirst ? [batch, total, ...rest] : [total, batch, ...rest]);
  const lens = Array.from({ length: batch }, (_, b) => lengths[unsorted === null ? b : (unsorted[b] as number)] as number);
  return [padded, int64Of(lens)];
}

/** `pack_sequence`: pads a list of `L_i × *` sequences and packs them. */
export function packSequence(sequences: readonly Tensor[], options: { enforceSorted?: boolean } = {}): PackedSequence {
  checkOptions('packSequence', options, { enforceSorted: 'boolean' });
  if (!Array.isArray(sequences) || sequences.length === 0) throw new RangeError('packSequence: received an empty list of sequences');
  const lengths = sequences.map((s) => (s instanceof Tensor ? (s.shape[0] as number) : 0));
  return packPaddedSequence(padSequence(sequences), lengths, { enforceSorted: options.enforceSorted ?? true });
}

/** `unpad_sequence`: the sequences of a padded batch, each cut to its length (views). */
export function unpadSequence(paddedSequences: Tensor, lengths: Tensor | readonly number[], options: { batchFirst?: boolean } = {}): Tensor[] {
  checkOptions('unpadSequence', options, { batchFirst: 'boolean' });
  const lens = lengths instanceof Tensor ? numbersOf(lengths) : Array.from(lengths);
  const x = options.batchFirst === true ? paddedSequences : paddedSequences.transpose(0, 1);
  if (lens.length !== x.shape[0]) throw new RangeError(`unpadSequence: got ${lens.length} lengths for a batch of ${x.shape[0]}`);
  return lens.map((len, b) => x.select(0, b).narrow(0, 0, len));
}

/** `unpack_sequence`: the sequences of a packed batch, in their original order. */
export function unpackSequence(packedSequences: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packedSequences, { batchFirst: true });
  return unpadSequence(padded, lengths, { batchFirst: true });
}
