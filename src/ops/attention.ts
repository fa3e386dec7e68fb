/**
 * `F.scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal, scale)`:
 * `softmax(query·keyᵀ·scale + mask)·value` over the last two dimensions, on one fused native
 * kernel (crates/kindling-core/src/attention): the `[…, L, S]` attention matrix is never stored;
 * backward recomputes each row from the saved log-sum-exp. Leading (batch, head) dimensions of
 * key and value broadcast against the query's, as PyTorch's; a boolean mask keeps where true, a
 * float mask is added to the scores; a row with every key masked gives zeros (as PyTorch).
 */
import { isTracing, traced } from '../autograd/trace';
import { anomalyMode } from '../autograd/anomaly';
import { contributeGrad } from '../autograd/engine';
import { attach, recording } from '../autograd/function';
import type { Node } from '../autograd/node';
import { uninitF32 } from '../dtype';
import { ShapeError } from '../errors';
import { type Generator, generatorOf } from '../random/generator';
import { Tensor, numelOf } from '../tensor';
import { broadcastShapes } from './broadcast';
import { checkTensorArg } from './index-values';
import { type AttentionLayout, type AttentionOptions, kernels } from './kernels';
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

/**
 * `t` (already expanded to `[...lead, rows, cols]`) as the kernel reads it: its storage in place
 * when its rows are contiguous and its lead dims are at most two (batch, heads) — q, k and v split
 * from one projection and transposed to `[B, H, T, D]` need no copy — else a contiguous copy.
 */
function operand(t: Tensor, lead: readonly number[]): { data: Float32Array; layout: AttentionLayout; heads: number } {
  const st = t.stride();
  const r = t.shape.length;
  const [rows, cols] = t.shape.slice(-2);
  if (lead.length <= 2 && (st[r - 1] === 1 || cols <= 1)) {
    return {
      data: t.storage.data as Float32Array,
      heads: lead.length === 2 ? lead[1] : 1,
      layout: {
        offset: t.storageOffset(),
        batchStride: lead.length >= 1 ? st[0] : 0,
        headStride: lead.length === 2 ? st[1] : 0,
        rowStride: rows <= 1 ? cols : st[r - 2],
      },
    };
  }
  return contiguousOperand(t);
}

/** A contiguous copy of `t` as `[batch·heads, rows, cols]`. */
function contiguousOperand(t: Tensor): { data: Float32Array; layout: AttentionLayout; heads: number } {
  const [rows, cols] = t.shape.slice(-2);
  return { data: t.contiguous().data as Float32Array, heads: 1, layout: { offset: 0, batchStride: rows * cols, headStride: 0, rowStride: cols } };
}

/** `[B, H, rows, cols]` over `data` stored as `[B, rows, H, cols]`. */
function interleavedView(data: Float32Array, lead: readonly number[], rows: number, cols: number): Tensor {
  const [b, h] = lead as [number, number];
  const base = Tensor._make(data, [b, rows, h, cols], 'float32');
  return Tensor._view(base, [b, h, rows, cols], [rows * h * cols, cols, h * cols, 1], 0);
}

/**
 * The node and tensor a chain of view nodes from `t` ends at, when nothing else feeds any node of
 * the chain this backward pass (each waits only on the one edge from above, holds no gradient yet
 * and retains none); null otherwise.
 */
function viewChainEnd(t: Tensor): { node: Node; input: Tensor } | null {
  let node = t.gradFn;
  let input: Tensor | null = null;
  while (node !== null && node.viewInput !== null) {
    if (node._dependencies !== 1 || node._pending !== null || node.retained !== null) return null;
    input = node.viewInput;
    node = node.next[0] ?? null;
  }
  return node === null || input === null ? null : { node, input };
}

/**
 * The node whose gradient q, k and v's gradients are, placed where they sit, when all three are
 * views of one tensor that spans its storage (a projection split into q, k and v and viewed as
 * heads) and tile it exactly: the backward then writes them straight into that tensor's gradient
 * (NOTE [ Attention gradients in the projection's layout ] in docs/PERFORMANCE.md). Null when
 * anything else could see the view nodes' gradients.
 */
function projectionTarget(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions, storage: Float32Array): { node: Node; input: Tensor } | null {
  if (!o.interleaved || anomalyMode.enabled || o.qLen !== o.kvLen) return null;
  const end = viewChainEnd(q);
  if (end === null) return null;
  for (const t of [k, v]) {
    const other = viewChainEnd(t);
    if (other === null || other.node !== end.node || other.input !== end.input) return null;
  }
  const r = end.input;
  if (r.storage.data !== storage || r.storageOffset() !== 0 || r.numel() !== storage.length || !r.isContiguous()) return null;
  // Exact tiling: the three segments fill each row (the kernel checks them disjoint), the rows
  // each batch, the batches the storage.
  const { q: lq, k: lk, v: lv, heads } = o;
  const rowStride = lq.rowStride;
  if (heads * (2 * o.headDim + o.valueDim) !== rowStride || o.qLen * rowStride !== lq.batchStride) return null;
  if ((o.batchHeads / heads) * lq.batchStride !== storage.length) return null;
  if ([lk, lv].some((l) => l.rowStride !== rowStride || l.batchStride !== lq.batchStride)) return null;
  return end;
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
  const [qo, ko, vo] = [operand(q, lead), operand(k, lead), operand(v, lead)];
  // One `heads` for all three: where they differ (a copy beside a view), copy all.
  const same = qo.heads === ko.heads && ko.heads === vo.heads;
  const [qa, ka, va] = same ? [qo, ko, vo] : [q, k, v].map(contiguousOperand);
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
    heads: qa.heads,
    q: qa.layout,
    k: ka.layout,
    v: va.layout,
    // q read in place from [B, L, H, E] memory (a projection split into heads): the output and
    // the gradients are written in that order too, as PyTorch's output is, so the transposes and
    // views around attention copy nothing (NOTE [ Attention output order ] in docs/PERFORMANCE.md).
    interleaved: lead.length === 2 && qa.heads > 1 && qa.layout.rowStride > qa.layout.headStride,
  };
  const [qd, kd, vd] = [qa.data, ka.data, va.data];
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
  const out = o.interleaved ? interleavedView(outData, lead, l, ev) : Tensor._make(outData, [...lead, l, ev], 'float32');
  if (isTracing()) traced(out, { attnMask, isCausal, scale: o.scale, dropoutP });
  if (recording(q, k, v)) {
    attach(
      out,
      'ScaledDotProductFlashAttentionForCpuBackward0',
      [q, k, v],
      (g) => {
        // The upstream gradient in the output's order: for an interleaved output it usually
        // arrives as exactly that view, and `contiguous()` then copies nothing.
        const gOrdered = o.interleaved ? g.transpose(1, 2).contiguous() : g.contiguous();
        const target = qd === kd && kd === vd ? projectionTarget(q, k, v, o, qd) : null;
        if (target !== null) {
          const grad = uninitF32(qd.length);
          kernels.attentionBackwardIntoStorage(qd, kd, vd, mask?.data, outData, lse, gOrdered.data as Float32Array, grad, o);
          contributeGrad(target.node, Tensor._make(grad, target.input.shape, 'float32'));
          return [null, null, null];
        }
        const gq = uninitF32(bh * l * e);
        const gk = uninitF32(bh * s * e);
        const gv = uninitF32(bh * s * ev);
        kernels.attentionBackward(qd, kd, vd, mask?.data, outData, lse, gOrdered.data as Float32Array, gq, gk, gv, o);
        if (o.interleaved) return [interleavedView(gq, lead, l, e), interleavedView(gk, lead, s, e), interleavedView(gv, lead, s, ev)];
        return [Tensor._make(gq, q.shape, 'float32'), Tensor._make(gk, k.shape, 'float32'), Tensor._make(gv, v.shape, 'float32')];
      },
      [q, k, v, out],
      true, // gq, gk and gv are new buffers, one per input
    );
  }
  return out;
}
