/**
 * `F.scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal, scale)`:
 * `softmax(query·keyᵀ·scale + mask)·value` over the last two dimensions, on one fused native
 * kernel (crates/kindling-core/src/attention): the `[…, L, S]` attention matrix is never stored;
 * backward recomputes each row from the saved log-sum-exp. Leading (batch, head) dimensions of
 * key and value broadcast against the query's, as PyTorch's; a boolean mask keeps where true, a
 * float mask is added to the scores; a row with every key masked gives zeros (as PyTorch).
 */
import { attach, recording } from '../autograd/function';
import { uninitF32 } from '../dtype';
import { ShapeError } from '../errors';
import { type Generator, generatorOf } from '../random/generator';
import { Tensor, numelOf } from '../tensor';
import { broadcastShapes } from './broadcast';
import { checkTensorArg } from './index-values';
import { type AttentionOptions, kernels } from './kernels';
import { expand } from './shape';

export interface ScaledDotProductAttentionOptions {
  /** Bool (true = attend) or float32 (added to the scores), broadcastable to `[…, L, S]`. */
  attnMask?: Tensor | null;
  /** Dropout on the attention probabilities (applied whenever > 0, as PyTorch's). */
  dropoutP?: number;
  /** Mask out keys after each query (`j > i`); not together with `attnMask`. */
  isCausal?: boolean;
  /** Score scale; default `1/√E`. */
  scale?: number | null;
  generator?: Generator | null;
}

/** The mask as the kernel takes it: float32 `[layers, L, S]` with layers 1 or every batch·head. */
function kernelMask(mask: Tensor, lead: readonly number[], l: number, s: number): { data: Float32Array; layers: number } {
  if (mask.dtype !== 'bool' && mask.dtype !== 'float32') {
    throw new TypeError(`Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: ${mask.dtype} and  query.dtype: float32 instead.`);
  }
  const full = [...lead, l, s];
  broadcastShapes(full, mask.shape); // PyTorch's "size of tensor a … must match" when it does not
  if (mask.shape.length > full.length || broadcastShapes(full, mask.shape).some((d, i) => d !== full[i])) {
    throw new ShapeError(`scaled_dot_product_attention: attn_mask of shape [${mask.shape.join(', ')}] does not broadcast to the attention's [${full.join(', ')}]`);
  }
  const sharedByAll = mask.shape.slice(0, Math.max(0, mask.shape.length - 2)).every((d) => d === 1);
  const shape = sharedByAll ? [l, s] : full;
  // A mask with only size-1 leading dimensions is one [L, S] layer for every batch·head.
  const base = sharedByAll && mask.shape.length > 2 ? mask.detach().reshape(mask.shape.slice(-2)) : mask.detach();
  const expanded = expand(base, shape).contiguous();
  const values = expanded.data;
  const data = uninitF32(numelOf(shape));
  if (mask.dtype === 'bool') {
    for (let i = 0; i < data.length; i++) data[i] = values[i] ? 0 : -Infinity;
  } else {
    data.set(values as Float32Array);
  }
  return { data, layers: sharedByAll ? 1 : numelOf(lead) };
}

/** `torch.nn.functional.scaled_dot_product_attention`. */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = 'scaled_dot_product_attention';
  checkTensorArg(op, query, 'query');
  checkTensorArg(op, key, 'key');
  checkTensorArg(op, value, 'value');
  const { attnMask = null, dropoutP = 0, isCausal = false, scale = null, generator = null } = options;
  for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
    if (t.dtype !== 'float32') throw new TypeError(`${op}: ${name} must be float32, got ${t.dtype}`);
    if (t.shape.length < 2) throw new ShapeError(`${op}: ${name} must have at least 2 dimensions ([…, L, E]), got shape [${t.shape.join(', ')}]`);
  }
  if (isCausal && attnMask !== null) throw new RangeError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${String(dropoutP)}`);
  if (dropoutP === 1) throw new RangeError(`${op}: dropoutP 1 drops every probability; kindling supports 0 ≤ dropoutP < 1`);
  const [l, e] = query.shape.slice(-2);
  const [s, ek] = key.shape.slice(-2);
  const [sv, ev] = value.shape.slice(-2);
  const shapes = `(query [${query.shape.join(', ')}], key [${key.shape.join(', ')}], value [${value.shape.join(', ')}])`;
  if (ek !== e) throw new ShapeError(`${op}: key has ${ek} features per position, expected the query's ${e} ${shapes}`);
  if (sv !== s) throw new ShapeError(`${op}: value has ${sv} positions, expected the key's ${s} ${shapes}`);
  const lead = broadcastShapes(broadcastShapes(query.shape.slice(0, -2), key.shape.slice(0, -2)), value.shape.slice(0, -2));
  const q = expand(query, [...lead, l, e]);
  const k = expand(key, [...lead, s, e]);
  const v = expand(value, [...lead, s, ev]);
  if (attnMask !== null && attnMask.requiresGrad && recording(attnMask)) {
    throw new TypeError(`${op}: kindling does not compute a gradient for attn_mask; pass attnMask.detach()`);
  }
  const mask = attnMask === null ? null : kernelMask(attnMask, lead, l, s);
  const bh = numelOf(lead);
  const o: AttentionOptions = {
    batchHeads: bh,
    qLen: l,
    kvLen: s,
    headDim: e,
    valueDim: ev,
    scale: scale ?? 1 / Math.sqrt(e),
    causal: isCausal,
    maskLayers: mask === null ? 0 : mask.layers,
    dropoutP,
    seed: 0,
    offset: 0,
  };
  const [qd, kd, vd] = [q.contiguous().data as Float32Array, k.contiguous().data as Float32Array, v.contiguous().data as Float32Array];
  const outData = uninitF32(bh * l * ev);
  const lse = uninitF32(bh * l);
  if (dropoutP > 0) {
    generatorOf(op, generator).draw((seed, offset) => {
      o.seed = seed;
      o.offset = offset;
      return kernels.attention(qd, kd, vd, mask?.data, outData, lse, o);
    });
  } else {
    kernels.attention(qd, kd, vd, mask?.data, outData, lse, o);
  }
  const out = Tensor._make(outData, [...lead, l, ev], 'float32');
  if (recording(q, k, v)) {
    attach(
      out,
      'ScaledDotProductFlashAttentionForCpuBackward0',
      [q, k, v],
      (g) => {
        const gq = uninitF32(qd.length);
        const gk = uninitF32(kd.length);
        const gv = uninitF32(vd.length);
        kernels.attentionBackward(qd, kd, vd, mask?.data, outData, lse, g.contiguous().data as Float32Array, gq, gk, gv, o);
        return [Tensor._make(gq, q.shape, 'float32'), Tensor._make(gk, k.shape, 'float32'), Tensor._make(gv, v.shape, 'float32')];
      },
      [q, k, v, out],
    );
  }
  return out;
}
