/**
 * `nn.LayerNorm` and `nn.RMSNorm`, as PyTorch's: learnable `weight` (ones) and, for LayerNorm,
 * `bias` (zeros) of `normalizedShape` when `elementwiseAffine`; the maths in src/ops/layer-norm.ts.
 * `stateDict` keys `weight`, `bias`; reprs as PyTorch's.
 */
import { ones, zeros } from '../creation';
import { checkOptions } from '../options';
import { layerNorm, rmsNorm } from '../ops/layer-norm';
import { Tensor } from '../tensor';
import { pyBool, pyFloat } from './format';
import { Module } from './module';
import { Parameter } from './parameter';

const pyTuple = (v: readonly number[]): string => (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`);

function shapeOf(owner: string, normalizedShape: number | readonly number[]): number[] {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.from(normalizedShape);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new TypeError(`${owner}: normalized_shape must be an integer or a list of integers, got ${JSON.stringify(normalizedShape)}`);
  return shape;
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  bias?: boolean;
}

export class LayerNorm extends Module<[Tensor]> {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', options, { eps: 'number', elementwiseAffine: 'boolean', bias: 'boolean' });
    const { eps = 1e-5, elementwiseAffine = true, bias = true } = options;
    this.normalizedShape = shapeOf('LayerNorm', normalizedShape);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = elementwiseAffine && bias ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

export interface RMSNormOptions {
  /** Default null: float32's machine epsilon, as PyTorch's. */
  eps?: number | null;
  elementwiseAffine?: boolean;
}

export class RMSNorm extends Module<[Tensor]> {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: RMSNormOptions = {}) {
    super();
    checkOptions('RMSNorm', options, { eps: 'number|null', elementwiseAffine: 'boolean' });
    const { eps = null, elementwiseAffine = true } = options;
    this.normalizedShape = shapeOf('RMSNorm', normalizedShape);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
  }

  forward(input: Tensor): Tensor {
    return rmsNorm(input, this.normalizedShape, this.weight, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${this.eps === null ? 'None' : pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
