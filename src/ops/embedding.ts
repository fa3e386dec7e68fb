/**
 * `F.embedding(input, weight, …)`, as PyTorch's: the rows of `weight` (`[num, dim]`) at the
 * int32/int64 indices of `input` (any shape) → `[...input.shape, dim]`, on the native
 * `gatherRows`; backward adds each output row's gradient into its weight row (`scatterAddRows`,
 * duplicates in index order), except the `paddingIdx` row, which gets none. `maxNorm` first
 * rescales, in place, every referenced row whose `normType`-norm exceeds it (PyTorch's
 * `embedding_renorm_`: `row · maxNorm / (norm + 1e-7)`), bumping the weight's version.
 */
import { isTracing, traced } from '../autograd/trace';
import { attach, recording } from '../autograd/function';
import { uninitF32 } from '../dtype';
import { bumpVersion } from '../storage';
import { Tensor } from '../tensor';
import { checkTensorArg, checkedIndices, indexValues, isIndexDType } from './index-values';
import { gatherRowsOf, scatterAddRowsGrad } from './index-select';

export interface EmbeddingOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
}

const TORCH_TYPE: Record<string, string> = { float32: 'torch.FloatTensor', bool: 'torch.BoolTensor', uint8: 'torch.ByteTensor' };

/** `paddingIdx` made non-negative, checked against `num` (PyTorch's wording). */
export function normalizePaddingIdx(paddingIdx: number | null | undefined, num: number): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx)) throw new TypeError(`padding_idx must be an integer, got ${String(paddingIdx)}`);
  if (paddingIdx >= num || paddingIdx < -num) throw new RangeError('Padding_idx must be within num_embeddings');
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/** PyTorch's `embedding_renorm_` on the rows `idx` of a contiguous `[num, dim]` float weight. */
function renorm(weight: Tensor, idx: Int32Array, dim: number, maxNorm: number, normType: number): void {
  const w = weight.data as Float32Array;
  const seen = new Set<number>();
  let changed = false;
  for (const r of idx) {
    if (seen.has(r)) continue;
    seen.add(r);
    const row = w.subarray(r * dim, (r + 1) * dim);
    let norm = 0;
    if (normType === Infinity) for (const v of row) norm = Math.max(norm, Math.abs(v));
    else {
      for (const v of row) norm += Math.abs(v) ** normType;
      norm **= 1 / normType;
    }
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      for (let i = 0; i < dim; i++) row[i] *= scale;
      changed = true;
    }
  }
  if (changed) bumpVersion(weight);
}

/** `torch.nn.functional.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse)`. */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  checkTensorArg('embedding', input, 'input');
  checkTensorArg('embedding', weight, 'weight');
  const { paddingIdx = null, maxNorm = null, normType = 2, scaleGradByFreq = false, sparse = false } = options;
  if (sparse) throw new RangeError('embedding: sparse gradients are not supported by kindling (sparse must be false)');
  if (!isIndexDType(input.dtype)) {
    throw new TypeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${TORCH_TYPE[input.dtype] ?? input.dtype} instead (while checking arguments for embedding)`,
    );
  }
  if (weight.shape.length !== 2) throw new RangeError(`'weight' must be 2-D, got shape [${weight.shape.join(', ')}]`);
  if (weight.dtype !== 'float32') throw new TypeError(`embedding: weight must be float32, got ${weight.dtype}`);
  const [num, dim] = weight.shape;
  const pad = normalizePaddingIdx(paddingIdx, num);
  const idx = checkedIndices(indexValues(input), num, false, () => new RangeError('index out of range in self'));
  const w = weight.contiguous();
  if (maxNorm !== null) {
    if (w !== weight) throw new RangeError('embedding: maxNorm renormalises the weight in place, which must be contiguous');
    renorm(weight, idx, dim, maxNorm, normType);
  }
  const outShape = [...input.shape, dim];
  const out = gatherRowsOf(w, 1, dim, idx, outShape, 'embedding');
  if (isTracing()) traced(out, { indices: input });
  if (recording(weight)) {
    const wShape = weight.shape;
    attach(
      out,
      'EmbeddingBackward0',
      [weight],
      (g) => {
        let grad = g.contiguous();
        if (scaleGradByFreq) {
          const counts = new Map<number, number>();
          for (const r of idx) counts.set(r, (counts.get(r) ?? 0) + 1);
          const scaled = uninitF32(grad.data.length);
          const gv = grad.data as Float32Array;
          for (let k = 0; k < idx.length; k++) {
            const f = 1 / (counts.get(idx[k]) as number);
            for (let i = 0; i < dim; i++) scaled[k * dim + i] = gv[k * dim + i] * f;
          }
          grad = Tensor._make(scaled, grad.shape, 'float32');
        }
        const gw = scatterAddRowsGrad(grad, 1, dim, idx, wShape, null) as Tensor;
        if (pad !== null) (gw.data as Float32Array).fill(0, pad * dim, (pad + 1) * dim);
        return [gw];
      },
      [input],
    );
  }
  return out;
}
