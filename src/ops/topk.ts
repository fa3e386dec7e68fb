/**
 * `torch.topk` and `torch.multinomial`, the two ops that sampling from a language model needs.
 *
 * `topk(x, k, dim, largest, sorted)`: the `k` largest (or smallest) values along `dim` and their
 * int64 indices; NaN counts as larger than every number (as PyTorch); ties keep the lower index
 * first. Backward scatters the gradient back to the chosen positions (`TopkBackward0`).
 *
 * `multinomial(probs, n, replacement, generator)`: `n` draws per row of non-negative weights (1-D
 * or 2-D; they need not sum to 1), int64 indices. Uniforms come from kindling's generator (one
 * Philox draw of `rows · n` numbers), so results repeat under `manualSeed`; without replacement
 * each drawn category's weight is removed before the next draw of its row.
 */
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { allocate } from '../dtype';
import { normalizeDim } from '../errors';
import { type Generator, generatorOf } from '../random/generator';
import { Tensor, numelOf, type ValuesIndices } from '../tensor';
import { checkTensorArg } from './index-values';
import { kernels } from './kernels';

export interface TopkOptions {
  largest?: boolean;
  sorted?: boolean;
}

/** a before b in the result: larger first (NaN largest), ties by lower index. */
function before(a: number, ia: number, b: number, ib: number, largest: boolean): boolean {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an && bn ? ia < ib : largest ? an : bn;
  if (a !== b) return largest ? a > b : a < b;
  return ia < ib;
}

/** `torch.topk(input, k, dim=-1, largest=True, sorted=True)` → `{ values, indices }`. */
export function topk(input: Tensor, k: number, dim = -1, options: TopkOptions = {}): ValuesIndices {
  checkTensorArg('topk', input, 'input');
  const { largest = true } = options;
  const rank = input.shape.length;
  const d = rank === 0 ? 0 : normalizeDim(dim, rank, 'topk');
  const size = rank === 0 ? 1 : input.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size) throw new RangeError('selected index k out of range');
  if (input.dtype === 'bool') throw new TypeError('"topk_cpu" not implemented for \'Bool\'');
  const x = input.contiguous();
  const xv = x.data;
  const outer = rank === 0 ? 1 : numelOf(input.shape.slice(0, d));
  const inner = rank === 0 ? 1 : numelOf(input.shape.slice(d + 1));
  const outShape = rank === 0 ? [] : input.shape.map((s, i) => (i === d ? k : s));
  const values = allocate(input.dtype, numelOf(outShape), 'topk', outShape);
  const indices = new BigInt64Array(numelOf(outShape));
  const order = Array.from({ length: size }, (_, i) => i);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => Number(xv[(o * size + j) * inner + i]);
      order.forEach((_, j) => (order[j] = j));
      order.sort((a, b) => (before(at(a), a, at(b), b, largest) ? -1 : 1));
      for (let j = 0; j < k; j++) {
        const out = (o * k + j) * inner + i;
        (values as Float32Array)[out] = xv[(o * size + order[j]) * inner + i] as number;
        indices[out] = BigInt(order[j]);
      }
    }
  }
  const valuesT = Tensor._make(values, outShape, input.dtype);
  const indicesT = Tensor._make(indices, outShape, 'int64');
  if (recording(input)) {
    const inShape = input.shape;
    attach(
      valuesT,
      'TopkBackward0',
      [input],
      (g) => {
        const gv = g.contiguous().data as Float32Array;
        const gradIn = new Float32Array(numelOf(inShape));
        for (let o = 0; o < outer; o++) {
          for (let j = 0; j < k; j++) {
            for (let i = 0; i < inner; i++) {
              const out = (o * k + j) * inner + i;
              gradIn[(o * size + Number(indices[out])) * inner + i] += gv[out];
            }
          }
        }
        return [Tensor._make(gradIn, inShape, 'float32')];
      },
      SAVES_NOTHING,
    );
  }
  return { values: valuesT, indices: indicesT };
}

export interface MultinomialOptions {
  replacement?: boolean;
  generator?: Generator | null;
}

/** `torch.multinomial(input, num_samples, replacement=False, generator=None)`. */
export function multinomial(input: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor {
  checkTensorArg('multinomial', input, 'input');
  const { replacement = false, generator = null } = options;
  const rank = input.shape.length;
  if (rank !== 1 && rank !== 2) throw new RangeError(`prob_dist must be 1 or 2 dim, got ${rank}`);
  if (input.dtype !== 'float32') throw new TypeError(`multinomial only supports floating-point dtypes for input, got: ${input.dtype}`);
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError('cannot sample n_sample <= 0 samples');
  const categories = input.shape[rank - 1];
  if (!replacement && numSamples > categories) throw new RangeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
  const rows = rank === 1 ? 1 : input.shape[0];
  const w = input.contiguous().data as Float32Array;
  for (const v of w) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError('probability tensor contains either `inf`, `nan` or element < 0');
  }
  const uniforms = new Float32Array(rows * numSamples);
  if (uniforms.length > 0) generatorOf('multinomial', generator).draw((s, o) => kernels.fillUniform(uniforms, 0, 1, s, o));
  const out = new BigInt64Array(rows * numSamples);
  const weights = new Float64Array(categories);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let c = 0; c < categories; c++) {
      weights[c] = w[r * categories + c];
      total += weights[c];
    }
    if (!(total > 0)) throw new RangeError('invalid multinomial distribution (sum of probabilities <= 0)');
    for (let n = 0; n < numSamples; n++) {
      if (!(total > 0)) throw new RangeError('invalid multinomial distribution (with replacement=False, not enough non-negative category to sample)');
      // Inverse CDF of the row's remaining weights.
      const target = uniforms[r * numSamples + n] * total;
      let acc = 0;
      let chosen = -1;
      for (let c = 0; c < categories; c++) {
        if (weights[c] <= 0) continue;
        chosen = c;
        acc += weights[c];
        if (target < acc) break;
      }
      out[r * numSamples + n] = BigInt(chosen);
      if (!replacement) {
        total -= weights[chosen];
        weights[chosen] = 0;
      }
    }
  }
  return Tensor._make(out, rank === 1 ? [numSamples] : [rows, numSamples], 'int64');
}
