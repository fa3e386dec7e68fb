/**
 * `nn.Conv1d`, `nn.Conv2d`: PyTorch's `_ConvNd` — its constructor checks, initialisation
 * (`reset_parameters`), parameter names (`weight` `[out, in/groups, *kernel]`, `bias`) and repr.
 * https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
 */
import { allocate } from '../dtype';
import { checkOptions, positionalOptionError } from '../options';
import { conv1d, conv2d, type ConvSize1d, type ConvSize2d } from '../ops/conv';
import { pad, type PadMode } from '../ops/pad';
import { Tensor, numelOf } from '../tensor';
import { pyBool } from './format';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init';
import { Module } from './module';
import { Parameter } from './parameter';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvModuleOptions<S> {
  stride?: S;
  padding?: S | 'valid' | 'same';
  dilation?: S;
  groups?: number;
  /** Whether the layer has a learnable bias. Default true. */
  bias?: boolean;
  /** Only 'zeros' (PyTorch's default) is implemented. */
  paddingMode?: PaddingMode;
}

const sizeCheck = (n: number) => (v: unknown): string | null =>
  Number.isInteger(v) || (Array.isArray(v) && v.length === n && v.every(Number.isInteger)) ? null : n === 1 ? 'an integer or a tuple of one integer' : 'an integer or a tuple of two integers';
const MODULE_SPEC = (n: number) => ({
  stride: sizeCheck(n),
  padding: (v: unknown) => (typeof v === 'string' ? null : sizeCheck(n)(v)),
  dilation: sizeCheck(n),
  groups: 'integer',
  bias: 'boolean',
  paddingMode: 'string',
}) as const;

/** PyTorch's tuple repr: `(3,)`, `(3, 3)`. */
const pyTuple = (v: readonly number[]): string => (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`);
const tuple = (v: unknown, n: number): number[] => (Array.isArray(v) ? [...(v as number[])] : new Array<number>(n).fill(v as number));

/** The shared part of Conv1d and Conv2d (PyTorch's `_ConvNd`). */
abstract class ConvNd extends Module<[Tensor]> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'valid' | 'same';
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  protected constructor(name: string, dims: number, inChannels: number, outChannels: number, kernelSize: unknown, options: ConvModuleOptions<unknown>) {
    super();
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw positionalOptionError(name, 'fourth', `new nn.${name}(${inChannels}, ${outChannels}, ${String(kernelSize)}, { stride: ${String(options)} })`);
    }
    checkOptions(name, options, MODULE_SPEC(dims));
    for (const [what, v] of [['in_channels', inChannels], ['out_channels', outChannels]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name}: ${what} must be a non-negative integer, got ${String(v)}`);
    }
    if (sizeCheck(dims)(kernelSize) !== null) throw new TypeError(`${name}: kernel_size must be ${sizeCheck(dims)(kernelSize)}, got ${JSON.stringify(kernelSize)}`);
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros' } = options;
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new RangeError('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new RangeError('out_channels must be divisible by groups');
    this.stride = tuple(stride, dims);
    if (typeof padding === 'string') {
      if (padding !== 'valid' && padding !== 'same') throw new RangeError(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
      if (padding === 'same' && this.stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
      this.padding = padding;
    } else {
      this.padding = tuple(padding, dims);
    }
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(paddingMode)) {
      throw new RangeError(`padding_mode must be one of {'zeros', 'circular', 'reflect', 'replicate'}, but got padding_mode='${paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(kernelSize, dims);
    this.dilation = tuple(dilation, dims);
    this.groups = groups;
    this.paddingMode = paddingMode;
    const shape = [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(new Tensor(allocate('float32', numelOf(shape), name, shape), shape, 'float32'));
    this.bias = bias ? new Parameter(new Tensor(allocate('float32', outChannels, name, [outChannels]), [outChannels], 'float32')) : null;
    this.resetParameters();
  }

  /** Re-draws weight and bias exactly as PyTorch's `_ConvNd.reset_parameters`. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += `, bias=${pyBool(false)}`;
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }

  protected convOptions<S>(): { stride: S; padding: S | 'valid' | 'same'; dilation: S; groups: number } {
    // Other padding modes pad the input first (F.pad) and convolve without padding, as PyTorch.
    const padding = this.paddingMode === 'zeros' ? this.padding : this.padding === 'same' ? 'valid' : this.padding === 'valid' ? 'valid' : this.padding.map(() => 0);
    return { stride: this.stride as unknown as S, padding: padding as unknown as S, dilation: this.dilation as unknown as S, groups: this.groups };
  }

  /**
   * The input padded by `paddingMode` ('reflect', 'replicate', 'circular'; 'zeros' is the
   * convolution's own padding): PyTorch's `_reversed_padding_repeated_twice`, last dimension
   * first, with 'same' split as PyTorch splits it (the extra element after).
   */
  protected padInput(input: Tensor): Tensor {
    if (this.paddingMode === 'zeros' || this.padding === 'valid') return input;
    const pads: number[] = [];
    for (let d = this.kernelSize.length - 1; d >= 0; d--) {
      if (this.padding === 'same') {
        const total = this.dilation[d] * (this.kernelSize[d] - 1);
        const left = Math.floor(total / 2);
        pads.push(left, total - left);
      } else {
        pads.push(this.padding[d], this.padding[d]);
      }
    }
    return pad(input, pads, this.paddingMode as PadMode);
  }
}

/**
 * A 1-D convolution over `[N, C_in, L]` (or `[C_in, L]`) → `[N, C_out, L_out]`.
 *
 * @example
 * const conv = new nn.Conv1d(16, 33, 3, { stride: 2 });
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSize1d, options: ConvModuleOptions<ConvSize1d> = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv1d(this.padInput(input), this.weight, this.bias, this.convOptions<ConvSize1d>());
  }
}

/**
 * A 2-D convolution over `[N, C_in, H, W]` (or `[C_in, H, W]`) → `[N, C_out, H_out, W_out]`.
 *
 * @example
 * const conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
 * conv1.forward(torch.randn([64, 1, 28, 28])).shape; // [64, 32, 26, 26]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSize2d, options: ConvModuleOptions<ConvSize2d> = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv2d(this.padInput(input), this.weight, this.bias, this.convOptions<ConvSize2d>());
  }
}
