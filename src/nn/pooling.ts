/**
 * Pooling modules: `MaxPool1d/2d`, `AvgPool1d/2d`, `AdaptiveAvgPool1d/2d`, `AdaptiveMaxPool2d`,
 * holding PyTorch's settings and calling the functional ops (src/ops/pool.ts, which check them).
 * `toString()` prints PyTorch's repr: sizes as they were given (a tuple as Python prints it),
 * except `AvgPool1d`, which PyTorch stores as one-element tuples.
 */
import type { Tensor } from '../tensor';
import { checkOptions, positionalOptionError } from '../options';
import { pyBool } from './format';
import { Module } from './module';
import * as P from '../ops/pool';

/** Python's repr of an int, a tuple or None. */
function pySize(v: number | readonly (number | null)[] | null): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return String(v);
  const items = v.map((e) => (e === null ? 'None' : String(e)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

const ADAPTIVE_MAX_OPTIONS = { returnIndices: 'boolean' } as const;

function checkSecond(owner: string, k: unknown, options: unknown, option: string): void {
  if (typeof options === 'number' || typeof options === 'boolean' || Array.isArray(options)) {
    throw positionalOptionError(owner, 'second', `new nn.${owner}(${JSON.stringify(k)}, { ${option}: ${JSON.stringify(options)} })`);
  }
}

type MaxOut<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

/** Options of `MaxPool1d/2d` (PyTorch's keyword arguments; `stride` defaults to `kernelSize`). */
export interface MaxPoolModuleOptions<S, R extends boolean> {
  stride?: S | null;
  padding?: S;
  dilation?: S;
  returnIndices?: R;
  ceilMode?: boolean;
}

abstract class MaxPoolNd<S extends P.Size1d | P.Size2d, R extends boolean> extends Module<[Tensor], MaxOut<R>> {
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S;
  readonly dilation: S;
  readonly returnIndices: R;
  readonly ceilMode: boolean;

  constructor(owner: string, kernelSize: S, options: MaxPoolModuleOptions<S, R>) {
    super();
    checkSecond(owner, kernelSize, options, 'stride');
    checkOptions(owner, options, owner === 'MaxPool1d' ? P.MAX1 : P.MAX2);
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? (0 as S);
    this.dilation = options.dilation ?? (1 as S);
    this.returnIndices = (options.returnIndices ?? false) as R;
    this.ceilMode = options.ceilMode ?? false;
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}, dilation=${pySize(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-D max pooling over `[N, C, L]` or `[C, L]`; with `returnIndices` the output is `[values, indices]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.MaxPool1d.html
 *
 * @example
 * new nn.MaxPool1d(2).forward(torch.tensor([[1, 3, 2, 0]])); // [[3, 2]]
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<P.Size1d, R> {
  constructor(kernelSize: P.Size1d, options: MaxPoolModuleOptions<P.Size1d, R> = {}) {
    super('MaxPool1d', kernelSize, options);
  }

  forward(input: Tensor): MaxOut<R> {
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return (this.returnIndices ? P.maxPool1d(input, this.kernelSize, { ...o, returnIndices: true }) : P.maxPool1d(input, this.kernelSize, o)) as MaxOut<R>;
  }
}

/**
 * 2-D max pooling over `[N, C, H, W]` or `[C, H, W]`; with `returnIndices` the output is `[values, indices]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
 *
 * @example
 * const pool = new nn.MaxPool2d(2); // MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
 * pool.forward(torch.randn([1, 3, 28, 28])).shape; // [1, 3, 14, 14]
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<P.Size2d, R> {
  constructor(kernelSize: P.Size2d, options: MaxPoolModuleOptions<P.Size2d, R> = {}) {
    super('MaxPool2d', kernelSize, options);
  }

  forward(input: Tensor): MaxOut<R> {
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return (this.returnIndices ? P.maxPool2d(input, this.kernelSize, { ...o, returnIndices: true }) : P.maxPool2d(input, this.kernelSize, o)) as MaxOut<R>;
  }
}

/** Options of `AvgPool1d` (PyTorch's keyword arguments; `stride` defaults to `kernelSize`). */
export interface AvgPool1dOptions {
  stride?: P.Size1d | null;
  padding?: P.Size1d;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** Options of `AvgPool2d`. */
export interface AvgPool2dOptions {
  stride?: P.Size2d | null;
  padding?: P.Size2d;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

const single = (v: P.Size1d): [number] => (typeof v === 'number' ? [v] : [v[0]]);

/**
 * 1-D average pooling over `[N, C, L]` or `[C, L]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.AvgPool1d.html
 */
export class AvgPool1d extends Module<[Tensor]> {
  readonly kernelSize: [number];
  readonly stride: [number];
  readonly padding: [number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: P.Size1d, options: AvgPool1dOptions = {}) {
    super();
    checkSecond('AvgPool1d', kernelSize, options, 'stride');
    checkOptions('AvgPool1d', options, P.AVG1);
    this.kernelSize = single(kernelSize);
    this.stride = single(options.stride ?? kernelSize);
    this.padding = single(options.padding ?? 0);
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }

  forward(input: Tensor): Tensor {
    return P.avgPool1d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/**
 * 2-D average pooling over `[N, C, H, W]` or `[C, H, W]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html
 */
export class AvgPool2d extends Module<[Tensor]> {
  readonly kernelSize: P.Size2d;
  readonly stride: P.Size2d;
  readonly padding: P.Size2d;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: P.Size2d, options: AvgPool2dOptions = {}) {
    super();
    checkSecond('AvgPool2d', kernelSize, options, 'stride');
    checkOptions('AvgPool2d', options, P.AVG2);
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    return P.avgPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/**
 * 1-D adaptive average pooling to `outputSize` over `[N, C, L]` or `[C, L]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool1d.html
 */
export class AdaptiveAvgPool1d extends Module<[Tensor]> {
  constructor(readonly outputSize: P.Size1d) {
    super();
  }

  forward(input: Tensor): Tensor {
    return P.adaptiveAvgPool1d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/**
 * 2-D adaptive average pooling to `outputSize` (`null` in a pair keeps that input size).
 * https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool2d.html
 */
export class AdaptiveAvgPool2d extends Module<[Tensor]> {
  constructor(readonly outputSize: P.AdaptiveSize2d) {
    super();
  }

  forward(input: Tensor): Tensor {
    return P.adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/**
 * 2-D adaptive max pooling; with `returnIndices` the output is `[values, indices]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveMaxPool2d.html
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module<[Tensor], MaxOut<R>> {
  readonly returnIndices: R;

  constructor(
    readonly outputSize: P.AdaptiveSize2d,
    options: { returnIndices?: R } = {},
  ) {
    super();
    checkSecond('AdaptiveMaxPool2d', outputSize, options, 'returnIndices');
    checkOptions('AdaptiveMaxPool2d', options, ADAPTIVE_MAX_OPTIONS);
    this.returnIndices = (options.returnIndices ?? false) as R;
  }

  forward(input: Tensor): MaxOut<R> {
    return (this.returnIndices ? P.adaptiveMaxPool2d(input, this.outputSize, { returnIndices: true }) : P.adaptiveMaxPool2d(input, this.outputSize)) as MaxOut<R>;
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}
