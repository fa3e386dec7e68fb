/**
 * `nn.MultiheadAttention`, as PyTorch's module and its `F.multi_head_attention_forward`: the
 * query, key and value projected by `in_proj_weight` (or `q/k/v_proj_weight` when `kdim`/`vdim`
 * differ from `embedDim`), split into heads, attended, merged and projected by `out_proj`.
 * Masks follow MultiheadAttention's convention, the opposite of `scaledDotProductAttention`'s: a
 * `true` in `attnMask` or `keyPaddingMask` means "may NOT attend"; float masks are added.
 * With `needWeights` (PyTorch's default) the attention runs as explicit matmul + softmax so the
 * weights can be returned (averaged over heads unless `averageAttnWeights: false`); without, it
 * runs on the fused `scaledDotProductAttention` kernel.
 * Parameter names and `stateDict` keys are PyTorch's (`in_proj_weight`, `in_proj_bias`,
 * `out_proj.weight`, …); so is the initialisation (Xavier-uniform projections, zero biases).
 */
import { scaledDotProductAttention } from '../ops/attention';
import { bmm } from '../ops/matmul';
import { softmax } from '../ops/softmax';
import { checkOptions } from '../options';
import { Tensor } from '../tensor';
import { empty, zeros } from '../creation';
import { dropout, linear } from './functional';
import { constant_, xavierUniform_ } from './init';
import { Linear } from './linear';
import { Module } from './module';
import { Parameter } from './parameter';

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  addBiasKv?: boolean;
  addZeroAttn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  batchFirst?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
  isCausal?: boolean;
}

const MODULE_OPTIONS = { dropout: 'number', bias: 'boolean', addBiasKv: 'boolean', addZeroAttn: 'boolean', kdim: 'integer|null', vdim: 'integer|null', batchFirst: 'boolean' } as const;
const FORWARD_OPTIONS = { keyPaddingMask: 'object|null', needWeights: 'boolean', attnMask: 'object|null', averageAttnWeights: 'boolean', isCausal: 'boolean' } as const;

/** `out_proj`'s class in PyTorch (a `Linear` that quantization leaves alone); same maths. */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** A mask as the float bias MultiheadAttention adds: `true` → −∞, false → 0; floats as given. */
function asBias(mask: Tensor, what: string): Tensor {
  if (mask.dtype === 'bool') return zeros(mask.shape).maskedFill(mask, -Infinity);
  if (mask.dtype !== 'float32') throw new TypeError(`only bool and floating types of ${what} are supported`);
  return mask;
}

export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, MultiheadAttentionForwardOptions?], [Tensor, Tensor | null]> {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  out_proj: NonDynamicallyQuantizableLinear;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('MultiheadAttention', options, MODULE_OPTIONS);
    const { dropout: p = 0, bias = true, addBiasKv = false, addZeroAttn = false, kdim = null, vdim = null, batchFirst = false } = options;
    if (!Number.isInteger(embedDim) || embedDim <= 0 || !Number.isInteger(numHeads) || numHeads <= 0) {
      throw new RangeError(`embed_dim and num_heads must be greater than 0, got embed_dim=${embedDim} and num_heads=${numHeads} instead`);
    }
    if (embedDim % numHeads !== 0) throw new RangeError('embed_dim must be divisible by num_heads');
    if (addBiasKv || addZeroAttn) throw new RangeError('MultiheadAttention: addBiasKv and addZeroAttn are not supported by kindling yet');
    this.embedDim = embedDim;
    this.kdim = kdim ?? embedDim;
    this.vdim = vdim ?? embedDim;
    this.numHeads = numHeads;
    this.dropout = p;
    this.batchFirst = batchFirst;
    this.headDim = embedDim / numHeads;
    const sameDims = this.kdim === embedDim && this.vdim === embedDim;
    const param = (shape: number[]): Parameter => new Parameter(empty(shape));
    if (sameDims) {
      this.in_proj_weight = param([3 * embedDim, embedDim]);
      this.q_proj_weight = this.k_proj_weight = this.v_proj_weight = null;
    } else {
      this.in_proj_weight = null;
      this.q_proj_weight = param([embedDim, embedDim]);
      this.k_proj_weight = param([embedDim, this.kdim]);
      this.v_proj_weight = param([embedDim, this.vdim]);
    }
    this.in_proj_bias = bias ? param([3 * embedDim]) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias });
    this.resetParameters();
  }

  /** PyTorch's `_reset_parameters`: Xavier-uniform projections, zero in/out biases. */
  resetParameters(): void {
    if (this.in_proj_weight !== null) xavierUniform_(this.in_proj_weight);
    else for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) xavierUniform_(w as Parameter);
    if (this.in_proj_bias !== null) {
      constant_(this.in_proj_bias, 0);
      constant_(this.out_proj.bias as Parameter, 0);
    }
  }

  /**
   * `[attnOutput, attnWeights]`: output `[L, N, E]` (`[N, L, E]` with `batchFirst`, `[L, E]`
   * unbatched); weights `[N, L, S]` (per head `[N, H, L, S]` without averaging), or null when
   * `needWeights` is false.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    checkOptions('MultiheadAttention.forward', options, FORWARD_OPTIONS);
    const { keyPaddingMask = null, needWeights = true, attnMask = null, averageAttnWeights = true, isCausal = false } = options;
    if (isCausal && attnMask === null) throw new RangeError('Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.');
    const batched = query.shape.length === 3;
    if (!batched && query.shape.length !== 2) {
      throw new RangeError(`query should be unbatched 2D or batched 3D tensor but received ${query.shape.length}-D query tensor`);
    }
    for (const [name, t] of [['key', key], ['value', value]] as const) {
      if (t.shape.length !== query.shape.length) {
        throw new RangeError(`For ${batched ? 'batched (3-D)' : 'unbatched (2-D)'} \`query\`, expected \`${name}\` and \`value\` to be ${batched ? '3-D' : '2-D'} but found ${key.shape.length}-D and ${value.shape.length}-D tensors respectively`);
      }
    }
    // To PyTorch's internal layout: [L, N, E].
    let [q, k, v] = [query, key, value];
    if (!batched) [q, k, v] = [q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1)];
    else if (this.batchFirst) [q, k, v] = [q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)];
    const [tgtLen, bsz, embedDim] = q.shape;
    const srcLen = k.shape[0];
    if (embedDim !== this.embedDim) throw new RangeError(`was expecting embedding dimension of ${this.embedDim}, but got ${embedDim}`);
    if (k.shape[0] !== v.shape[0] || k.shape[1] !== v.shape[1]) {
      throw new RangeError(`key shape [${key.shape.join(', ')}] does not match value shape [${value.shape.join(', ')}]`);
    }
    const E = this.embedDim;
    const H = this.numHeads;
    const hd = this.headDim;
    const b = this.in_proj_bias;
    const part = (t: Tensor | null, i: number): Tensor | null => (t === null ? null : t.narrow(0, i * E, E));
    const wq = this.in_proj_weight !== null ? part(this.in_proj_weight, 0) : this.q_proj_weight;
    const wk = this.in_proj_weight !== null ? part(this.in_proj_weight, 1) : this.k_proj_weight;
    const wv = this.in_proj_weight !== null ? part(this.in_proj_weight, 2) : this.v_proj_weight;
    const qp = linear(q, wq as Tensor, part(b, 0));
    const kp = linear(k, wk as Tensor, part(b, 1));
    const vp = linear(v, wv as Tensor, part(b, 2));
    // [T, N, E] → [N·H, T, hd]
    const heads = (t: Tensor, len: number): Tensor => t.reshape([len, bsz * H, hd]).transpose(0, 1);
    const qh = heads(qp, tgtLen);
    const kh = heads(kp, srcLen);
    const vh = heads(vp, srcLen);

    // One float bias [N·H or 1, L, S] from the attention mask and the key padding mask.
    let bias: Tensor | null = null;
    if (attnMask !== null) {
      const m = asBias(attnMask, 'attn_mask');
      if (m.shape.length === 2) {
        if (m.shape[0] !== tgtLen || m.shape[1] !== srcLen) throw new RangeError(`The shape of the 2D attn_mask is [${m.shape.join(', ')}], but should be (${tgtLen}, ${srcLen}).`);
        bias = m.unsqueeze(0);
      } else if (m.shape.length === 3) {
        if (m.shape[0] !== bsz * H || m.shape[1] !== tgtLen || m.shape[2] !== srcLen) {
          throw new RangeError(`The shape of the 3D attn_mask is [${m.shape.join(', ')}], but should be (${bsz * H}, ${tgtLen}, ${srcLen}).`);
        }
        bias = m;
      } else {
        throw new RangeError(`attn_mask's dimension ${m.shape.length} is not supported`);
      }
    }
    if (keyPaddingMask !== null) {
      const kpm = asBias(keyPaddingMask, 'key_padding_mask');
      const want = batched ? [bsz, srcLen] : [srcLen];
      if (kpm.shape.length !== want.length || kpm.shape.some((d, i) => d !== want[i])) {
        throw new RangeError(`expecting key_padding_mask shape of (${want.join(', ')}), but got [${kpm.shape.join(', ')}]`);
      }
      const perHead = kpm.reshape([bsz, 1, 1, srcLen]).expand([bsz, H, 1, srcLen]).reshape([bsz * H, 1, srcLen]);
      bias = bias === null ? perHead : bias.add(perHead);
    }
    const p = this.training ? this.dropout : 0;

    let out: Tensor;
    let weights: Tensor | null = null;
    if (needWeights) {
      let scores = bmm(qh.mul(1 / Math.sqrt(hd)), kh.transpose(1, 2));
      if (bias !== null) scores = scores.add(bias);
      let attn = softmax(scores, -1);
      if (p > 0) attn = dropout(attn, p, true);
      // PyTorch returns the weights after dropout.
      weights = attn;
      out = bmm(attn, vh);
    } else {
      const q4 = qh.reshape([bsz, H, tgtLen, hd]);
      const k4 = kh.reshape([bsz, H, srcLen, hd]);
      const v4 = vh.reshape([bsz, H, srcLen, hd]);
      const mask = bias === null ? null : bias.shape[0] === 1 ? bias.reshape([tgtLen, srcLen]) : bias.expand([bsz * H, tgtLen, srcLen]).reshape([bsz, H, tgtLen, srcLen]);
      out = scaledDotProductAttention(q4, k4, v4, { attnMask: mask, dropoutP: p }).reshape([bsz * H, tgtLen, hd]);
    }
    // [N·H, L, hd] → [L, N, E] → out_proj
    let y = this.out_proj.forward(out.transpose(0, 1).contiguous().reshape([tgtLen * bsz, E])).reshape([tgtLen, bsz, E]);
    if (!batched) y = y.squeeze(1);
    else if (this.batchFirst) y = y.transpose(0, 1);
    if (weights !== null) {
      weights = weights.reshape([bsz, H, tgtLen, srcLen]);
      if (averageAttnWeights) weights = weights.mean(1);
      if (!batched) weights = weights.squeeze(0);
    }
    return [y, weights];
  }
}
