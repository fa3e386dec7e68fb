/**
 * `nn.Embedding`, as PyTorch's (`torch/nn/modules/sparse.py`): a `[numEmbeddings, embeddingDim]`
 * `weight` initialised N(0, 1) from kindling's generator with the `paddingIdx` row zeroed, looked
 * up by `F.embedding` (src/ops/embedding.ts). `stateDict` key `weight`; repr as PyTorch's.
 */
import { noGrad } from '../autograd/grad_mode';
import { empty } from '../creation';
import { checkOptions } from '../options';
import { type EmbeddingOptions, embedding, normalizePaddingIdx } from '../ops/embedding';
import { Tensor } from '../tensor';
import { pyBool, pyFloat } from './format';
import { normal_ } from './init';
import { Module } from './module';
import { Parameter } from './parameter';

export interface EmbeddingModuleOptions extends EmbeddingOptions {
  /** Start from this `[num, dim]` weight instead of drawing one. */
  _weight?: Tensor | null;
  /** With `_weight`: keep it fixed (no gradient). */
  _freeze?: boolean;
}

const OPTIONS = { paddingIdx: 'integer|null', maxNorm: 'number|null', normType: 'number', scaleGradByFreq: 'boolean', sparse: 'boolean', _weight: 'object|null', _freeze: 'boolean' } as const;

export class Embedding extends Module<[Tensor]> {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingModuleOptions = {}) {
    super();
    checkOptions('Embedding', options, OPTIONS);
    for (const [what, v] of [['num_embeddings', numEmbeddings], ['embedding_dim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Embedding: ${what} must be a non-negative integer, got ${String(v)}`);
    }
    const { paddingIdx = null, maxNorm = null, normType = 2, scaleGradByFreq = false, sparse = false, _weight = null, _freeze = false } = options;
    if (sparse) throw new RangeError('Embedding: sparse gradients are not supported by kindling (sparse must be false)');
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = normalizePaddingIdx(paddingIdx, numEmbeddings);
    this.maxNorm = maxNorm;
    this.normType = normType;
    this.scaleGradByFreq = scaleGradByFreq;
    this.sparse = sparse;
    if (_weight === null) {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim]));
      this.resetParameters();
    } else {
      if (_weight.shape.length !== 2 || _weight.shape[0] !== numEmbeddings || _weight.shape[1] !== embeddingDim) {
        throw new RangeError('Shape of weight does not match num_embeddings and embedding_dim');
      }
      this.weight = new Parameter(_weight.detach().contiguous(), !_freeze);
    }
  }

  /** N(0, 1), then the padding row zeroed (PyTorch's `reset_parameters`). */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.narrow(0, row, 1).zero_());
    }
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(true)}`;
    return s;
  }

  /** `nn.Embedding.from_pretrained(embeddings, freeze=True, …)`. */
  static fromPretrained(embeddings: Tensor, options: EmbeddingOptions & { freeze?: boolean } = {}): Embedding {
    const { freeze = true, ...rest } = options;
    if (embeddings.shape.length !== 2) throw new RangeError('Embeddings parameter is expected to be 2-dimensional');
    const [rows, cols] = embeddings.shape;
    return new Embedding(rows, cols, { ...rest, _weight: embeddings, _freeze: freeze });
  }
}
