import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { checkOptions, describeValue, positionalOptionError } from '../options';
import type { GeluApproximate } from '../ops/activation';
import { pyFloat } from './format';

export interface ReLUOptions {
  /** Must be false: kindling has no in-place ReLU module yet (use `tensor.relu_()` by hand). */
  inplace?: boolean;
}

const RELU_OPTIONS = { inplace: { notImplemented: 'no in-place ReLU module; drop the option', unless: [false] } } as const;

/**
 * `new nn.Softmax({ dim: 1 })` (a keyword habit) is refused at construction; a number that is not
 * an integer is left to the op, which names it at the first forward (as PyTorch does).
 */
function checkSoftmaxDim(owner: string, dim: unknown): void {
  if (dim === null || typeof dim === 'number') return;
  if (typeof dim === 'object' && 'dim' in dim) {
    throw new TypeError(`${owner}: the first argument is dim; use new nn.${owner}(${String((dim as { dim: unknown }).dim)})`);
  }
  throw new TypeError(`${owner}: dim must be an integer or null, got ${describeValue(dim)}`);
}

/**
 * `max(0, x)` elementwise.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.ReLU.html
 *
 * @example
 * new nn.ReLU().forward(torch.tensor([-1, 2])); // [0, 2]
 */
export class ReLU extends Module<[Tensor]> {
  constructor(options: ReLUOptions = {}) {
    super();
    if (typeof options === 'boolean') throw positionalOptionError('ReLU', 'first', `new nn.ReLU({ inplace: ${options} })`);
    checkOptions('ReLU', options, RELU_OPTIONS);
  }

  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

/**
 * `1 / (1 + e^−x)` elementwise.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html
 *
 * @example
 * new nn.Sigmoid().forward(torch.tensor([0])); // [0.5]
 */
export class Sigmoid extends Module<[Tensor]> {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/**
 * Hyperbolic tangent elementwise.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.Tanh.html
 *
 * @example
 * new nn.Tanh().forward(torch.tensor([0])); // [0]
 */
export class Tanh extends Module<[Tensor]> {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/**
 * Softmax along `dim`: each slice along it is positive and sums to 1. Without `dim` PyTorch's
 * deprecated implicit choice applies (0 for 0-, 1- and 3-d inputs, else 1), with its warning.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.Softmax.html
 *
 * @example
 * new nn.Softmax(1).forward(logits); // rows sum to 1
 */
export class Softmax extends Module<[Tensor]> {
  constructor(readonly dim: number | null = null) {
    super();
    checkSoftmaxDim('Softmax', dim);
  }

  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/**
 * `log(softmax(x))` along `dim`, computed stably; pair it with `NLLLoss`.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.LogSoftmax.html
 *
 * @example
 * new nn.LogSoftmax(1).forward(logits);
 */
export class LogSoftmax extends Module<[Tensor]> {
  constructor(readonly dim: number | null = null) {
    super();
    checkSoftmaxDim('LogSoftmax', dim);
  }

  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/** The `inplace` option of the activation modules: only `false` (kindling has no in-place activations). */
function inplaceOption(owner: string) {
  return { inplace: { notImplemented: `no in-place ${owner} module; drop the option`, unless: [false] } } as const;
}

/**
 * A positional number argument (`new nn.LeakyReLU(0.2)`): the keyword habit
 * `new nn.LeakyReLU({ negativeSlope: 0.2 })` is refused with the positional form.
 */
function checkPositionalNumber(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value === 'number') return;
  if (typeof value === 'object' && value !== null && name in value) {
    throw new TypeError(`${owner}: the first argument is ${name}; use new nn.${owner}(${String((value as Record<string, unknown>)[name])})`);
  }
  throw new TypeError(`${owner}: ${name} must be a number, got ${describeValue(value)}`);
}

/** An options object where a number or string was passed positionally (`new nn.ELU(0.5)`). */
function checkOptionsObject(owner: string, options: unknown, key: string): void {
  if (typeof options === 'number' || typeof options === 'string') {
    const shown = typeof options === 'string' ? `'${options}'` : String(options);
    throw positionalOptionError(owner, 'first', `new nn.${owner}({ ${key}: ${shown} })`);
  }
}

export interface InplaceOptions {
  /** Must be false: kindling has no in-place activation modules. */
  inplace?: boolean;
}

/**
 * `x` where positive, `negativeSlope·x` elsewhere.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.LeakyReLU.html
 *
 * @example
 * new nn.LeakyReLU(0.2).forward(torch.tensor([-1, 2])); // [-0.2, 2]
 */
export class LeakyReLU extends Module<[Tensor]> {
  readonly negativeSlope: number;

  constructor(negativeSlope: number = 0.01, options: InplaceOptions = {}) {
    super();
    checkPositionalNumber('LeakyReLU', 'negativeSlope', negativeSlope);
    if (typeof options === 'boolean') throw positionalOptionError('LeakyReLU', 'second', `new nn.LeakyReLU(${negativeSlope}, { inplace: ${options} })`);
    checkOptions('LeakyReLU', options, inplaceOption('LeakyReLU'));
    this.negativeSlope = negativeSlope;
  }

  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

export interface ELUOptions extends InplaceOptions {
  /** The negative saturation value: `alpha·(eˣ − 1)` for x ≤ 0 (default 1.0). */
  alpha?: number;
}

/**
 * `x` where positive, `alpha·(eˣ − 1)` elsewhere.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.ELU.html
 *
 * @example
 * new nn.ELU({ alpha: 1.0 }).forward(x);
 */
export class ELU extends Module<[Tensor]> {
  readonly alpha: number;

  constructor(options: ELUOptions = {}) {
    super();
    checkOptionsObject('ELU', options, 'alpha');
    checkOptions('ELU', options, { alpha: 'number', ...inplaceOption('ELU') });
    this.alpha = options.alpha ?? 1.0;
  }

  forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/**
 * `x·sigmoid(x)` (swish).
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.SiLU.html
 *
 * @example
 * new nn.SiLU().forward(x);
 */
export class SiLU extends Module<[Tensor]> {
  constructor(options: InplaceOptions = {}) {
    super();
    if (typeof options === 'boolean') throw positionalOptionError('SiLU', 'first', `new nn.SiLU({ inplace: ${options} })`);
    checkOptions('SiLU', options, inplaceOption('SiLU'));
  }

  forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

export interface GELUOptions {
  /** `'none'` (default): `x·Φ(x)` with the exact erf; `'tanh'`: PyTorch's tanh approximation. */
  approximate?: GeluApproximate;
}

/**
 * `x·Φ(x)`, Φ the standard normal CDF (exact, or its tanh approximation).
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.GELU.html
 *
 * @example
 * new nn.GELU({ approximate: 'tanh' }).forward(x);
 */
export class GELU extends Module<[Tensor]> {
  readonly approximate: GeluApproximate;

  constructor(options: GELUOptions = {}) {
    super();
    checkOptionsObject('GELU', options, 'approximate');
    checkOptions('GELU', options, { approximate: 'string' });
    const approximate = options.approximate ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new RangeError(`GELU: approximate argument must be either none or tanh, got ${describeValue(approximate)}`);
    }
    this.approximate = approximate;
  }

  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * `clamp(x, minVal, maxVal)`; the gradient is 0 at and beyond the bounds.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.Hardtanh.html
 *
 * @example
 * new nn.Hardtanh(-2, 2).forward(x);
 */
export class Hardtanh extends Module<[Tensor]> {
  readonly minVal: number;
  readonly maxVal: number;

  constructor(minVal: number = -1.0, maxVal: number = 1.0, options: InplaceOptions = {}) {
    super();
    checkPositionalNumber('Hardtanh', 'minVal', minVal);
    if (typeof maxVal !== 'number') throw new TypeError(`Hardtanh: maxVal must be a number, got ${describeValue(maxVal)}`);
    if (typeof options === 'boolean') throw positionalOptionError('Hardtanh', 'third', `new nn.Hardtanh(${minVal}, ${maxVal}, { inplace: ${options} })`);
    checkOptions('Hardtanh', options, inplaceOption('Hardtanh'));
    if (!(maxVal > minVal)) throw new RangeError(`Hardtanh: max_val (${pyFloat(maxVal)}) must be greater than min_val (${pyFloat(minVal)})`);
    this.minVal = minVal;
    this.maxVal = maxVal;
  }

  forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

export interface SoftplusOptions {
  /** `log(1 + e^(beta·x)) / beta` (default 1.0). */
  beta?: number;
  /** Above `beta·x > threshold` the output is `x` (default 20.0). */
  threshold?: number;
}

/**
 * `log(1 + e^(beta·x)) / beta`, a smooth ReLU; linear where `beta·x > threshold`.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.Softplus.html
 *
 * @example
 * new nn.Softplus({ beta: 2 }).forward(x);
 */
export class Softplus extends Module<[Tensor]> {
  readonly beta: number;
  readonly threshold: number;

  constructor(options: SoftplusOptions = {}) {
    super();
    checkOptionsObject('Softplus', options, 'beta');
    checkOptions('Softplus', options, { beta: 'number', threshold: 'number' });
    this.beta = options.beta ?? 1.0;
    this.threshold = options.threshold ?? 20.0;
  }

  forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}
