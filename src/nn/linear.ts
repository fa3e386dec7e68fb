import { allocate } from '../dtype';
import { Tensor, numelOf } from '../tensor';
import { pyBool } from './format';
import * as F from './functional';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init';
import { Module } from './module';
import { checkOptions, positionalOptionError } from '../options';
import { Parameter } from './parameter';

export interface LinearOptions {
  /** Whether the layer has a learnable bias. Default true. */
  bias?: boolean;
}

const LINEAR_OPTIONS = { bias: 'boolean' } as const;

/**
 * Affine map `y = x·Wᵀ + b`, one fused GEMM with the bias in its epilogue.
 * Initialised like PyTorch: `weight` ~ Kaiming-uniform with a = √5, i.e. U(±1/√inFeatures), then
 * `bias` ~ U(±1/√inFeatures), drawn in that order from the default generator.
 *
 * Shape: `[*, inFeatures]` → `[*, outFeatures]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
 *
 * @example
 * const fc = new nn.Linear(784, 64);
 * fc.forward(torch.randn([10, 784])).shape; // [10, 64]
 */
export class Linear extends Module<[Tensor]> {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    if (typeof options === 'boolean') {
      throw positionalOptionError('Linear', 'third', `new nn.Linear(${inFeatures}, ${outFeatures}, { bias: ${options} })`);
    }
    checkOptions('Linear', options, LINEAR_OPTIONS);
    const { bias = true } = options;
    checkFeatures('in_features', inFeatures);
    checkFeatures('out_features', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(emptyTensor([outFeatures, inFeatures]));
    this.bias = bias ? new Parameter(emptyTensor([outFeatures])) : null;
    this.resetParameters();
  }

  /** Re-draws weight and bias exactly as PyTorch's `Linear.reset_parameters`. */
  resetParameters(): void {
    // kaiming_uniform_(a=√5) gives bound = gain·√(3/fanIn) with gain = √(2/(1+5)): 1/√fanIn.
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

function checkFeatures(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`Linear: ${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/** Storage for a parameter that `resetParameters` fills right away (an absurd size throws naming Linear). */
function emptyTensor(shape: number[]): Tensor {
  return new Tensor(allocate('float32', numelOf(shape), 'Linear', shape), shape, 'float32');
}
