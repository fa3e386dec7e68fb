/**
 * `nn.TransformerEncoderLayer` and `nn.TransformerEncoder`, as PyTorch's
 * (`torch/nn/modules/transformer.py`): self-attention and a feed-forward block, each with dropout,
 * a residual connection and LayerNorm — after the block (`normFirst: false`, PyTorch's default)
 * or before it (`normFirst: true`, the GPT arrangement). Children, their order, `stateDict` keys
 * and reprs are PyTorch's; `TransformerEncoder` stacks `numLayers` copies of the given layer.
 */
import { noGrad } from '../autograd/grad_mode';
import { checkOptions } from '../options';
import { Tensor } from '../tensor';
import { Dropout } from './dropout';
import { gelu, relu } from './functional';
import { Linear } from './linear';
import { Module } from './module';
import { ModuleList } from './module-list';
import { MultiheadAttention } from './multihead-attention';
import { LayerNorm } from './normalization';

export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

export interface TransformerEncoderLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: TransformerActivation;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
  bias?: boolean;
}

export interface TransformerEncoderForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

const LAYER_OPTIONS = {
  dimFeedforward: 'integer',
  dropout: 'number',
  activation: 'string|function',
  layerNormEps: 'number',
  batchFirst: 'boolean',
  normFirst: 'boolean',
  bias: 'boolean',
} as const;
const FORWARD_OPTIONS = { srcMask: 'object|null', srcKeyPaddingMask: 'object|null', isCausal: 'boolean' } as const;

export class TransformerEncoderLayer extends Module<[Tensor, TransformerEncoderForwardOptions?]> {
  readonly dModel: number;
  readonly nhead: number;
  readonly settings: Required<TransformerEncoderLayerOptions>;
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;

  constructor(dModel: number, nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    checkOptions('TransformerEncoderLayer', options, LAYER_OPTIONS);
    const { dimFeedforward = 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5, batchFirst = false, normFirst = false, bias = true } = options;
    this.dModel = dModel;
    this.nhead = nhead;
    this.settings = { dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias };
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout, bias, batchFirst });
    this.linear1 = new Linear(dModel, dimFeedforward, { bias });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dimFeedforward, dModel, { bias });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, bias });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, bias });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    if (activation === 'relu') this.activation = relu;
    else if (activation === 'gelu') this.activation = (x) => gelu(x);
    else if (typeof activation === 'function') this.activation = activation;
    else throw new RangeError(`activation should be relu/gelu, not ${String(activation)}`);
  }

  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    checkOptions('TransformerEncoderLayer.forward', options, FORWARD_OPTIONS);
    const { srcMask = null, srcKeyPaddingMask = null, isCausal = false } = options;
    let x = src;
    if (this.normFirst) {
      x = x.add(this.selfAttentionBlock(this.norm1.forward(x), srcMask, srcKeyPaddingMask, isCausal));
      x = x.add(this.feedForwardBlock(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this.selfAttentionBlock(x, srcMask, srcKeyPaddingMask, isCausal)));
      x = this.norm2.forward(x.add(this.feedForwardBlock(x)));
    }
    return x;
  }

  /** PyTorch's `_sa_block`: self-attention without weights, then dropout1. */
  private selfAttentionBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false, isCausal });
    return this.dropout1.forward(out);
  }

  /** PyTorch's `_ff_block`: linear2(dropout(activation(linear1(x)))), then dropout2. */
  private feedForwardBlock(x: Tensor): Tensor {
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activation(this.linear1.forward(x)))));
  }

  /** A new layer with the same settings and a copy of this one's parameters (PyTorch's deepcopy). */
  clone(): TransformerEncoderLayer {
    const copy = new TransformerEncoderLayer(this.dModel, this.nhead, this.settings);
    noGrad(() => copy.loadStateDict(Object.fromEntries(Object.entries(this.stateDict()).map(([k, v]) => [k, v.clone()]))));
    copy.train(this.training);
    return copy;
  }
}

export interface TransformerEncoderOptions {
  /** A final normalisation after the last layer (e.g. `new nn.LayerNorm(dModel)`). */
  norm?: Module<[Tensor]> | null;
  enableNestedTensor?: boolean;
  maskCheck?: boolean;
}

export class TransformerEncoder extends Module<[Tensor, TransformerEncoderForwardOptions?]> {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module<[Tensor]> | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options: TransformerEncoderOptions = {}) {
    super();
    checkOptions('TransformerEncoder', options, { norm: 'object|null', enableNestedTensor: 'boolean', maskCheck: 'boolean' });
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new TypeError('TransformerEncoder: encoder_layer must be an nn.TransformerEncoderLayer');
    if (!Number.isInteger(numLayers) || numLayers < 0) throw new RangeError(`TransformerEncoder: num_layers must be a non-negative integer, got ${String(numLayers)}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.numLayers = numLayers;
    this.norm = options.norm ?? null;
  }

  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).forward(x, options);
    return this.norm === null ? x : this.norm.forward(x);
  }
}
