/**
 * Weight initialisation, `torch.nn.init`: PyTorch's formulas, defaults and error messages. Every
 * function fills the tensor in place without recording a graph, draws from the default generator
 * (or `generator`), and returns the tensor.
 *
 * Mode and nonlinearity names are PyTorch's (`'fan_in'`, `'leaky_relu'`); the camelCase spellings
 * (`'fanIn'`, `'leakyRelu'`, `'convTranspose2d'`) are accepted too.
 *
 * https://pytorch.org/docs/stable/nn.init.html
 */
import { noGrad } from '../autograd/grad_mode';
import { checkOptions, describeValue, positionalOptionError } from '../options';
import { Generator } from '../random/generator';
import type { Tensor } from '../tensor';

const KAIMING_OPTIONS = {
  a: 'number',
  mode: 'string',
  nonlinearity: 'string',
  generator: (v: unknown) => (v === null || v instanceof Generator ? null : 'a torch.Generator'),
} as const;

/** `kaimingUniform_(w, Math.sqrt(5))` (PyTorch's positional `a`) gets the call that works. */
function checkKaimingOptions(op: string, options: unknown): void {
  if (typeof options === 'number') throw positionalOptionError(op, 'second', `nn.init.${op}(tensor, { a: ${options} })`);
  checkOptions(op, options, KAIMING_OPTIONS);
}

/** The positional numbers (`gain`, `mean`, `std`, …): an options object there would give NaN weights. */
function checkNumber(op: string, name: string, value: unknown): void {
  if (typeof value !== 'number') throw new TypeError(`${op}: ${name} must be a number, got ${describeValue(value)}`);
}

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'convTranspose1d'
  | 'convTranspose2d'
  | 'convTranspose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'leakyRelu'
  | 'selu';

export type FanMode = 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (only used with `leaky_relu`). Default 0. */
  a?: number;
  /** `'fan_in'` (default) keeps the forward pass's variance, `'fan_out'` the backward pass's. */
  mode?: FanMode;
  /** Default `'leaky_relu'`. */
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

const LINEAR_FNS = new Set([
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
]);

/** `convTranspose2d` → `conv_transpose2d`, `leakyRelu` → `leaky_relu`, `fanIn` → `fan_in`. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The recommended gain for a nonlinearity (`calculate_gain`): e.g. √2 for relu, 5/3 for tanh. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const name = typeof nonlinearity === 'string' ? snakeCase(nonlinearity) : nonlinearity;
  if (LINEAR_FNS.has(name) || name === 'sigmoid') return 1;
  if (name === 'tanh') return 5.0 / 3;
  if (name === 'relu') return Math.sqrt(2.0);
  if (name === 'leaky_relu') {
    let negativeSlope: number;
    if (param === undefined || param === null) negativeSlope = 0.01;
    else if (typeof param === 'number') negativeSlope = param;
    else throw new TypeError(`negative_slope ${String(param)} not a valid number`);
    return Math.sqrt(2.0 / (1 + negativeSlope ** 2));
  }
  if (name === 'selu') return 3.0 / 4;
  throw new RangeError(`Unsupported nonlinearity ${String(nonlinearity)}`);
}

/** `[fanIn, fanOut]` of a weight: dim 1 and dim 0, times the receptive field (dims 2…). */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  if (tensor.shape.length < 2) {
    throw new RangeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  }
  let receptiveField = 1;
  for (const size of tensor.shape.slice(2)) receptiveField *= size;
  return [tensor.shape[1] * receptiveField, tensor.shape[0] * receptiveField];
}

function correctFan(tensor: Tensor, mode: FanMode): number {
  const name = snakeCase(String(mode)).toLowerCase();
  if (name !== 'fan_in' && name !== 'fan_out') {
    throw new RangeError(`Mode ${String(mode)} not supported, please use one of ['fan_in', 'fan_out']`);
  }
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return name === 'fan_in' ? fanIn : fanOut;
}

/** Fills `tensor` from U(a, b). */
export function uniform_(tensor: Tensor, a = 0.0, b = 1.0, generator?: Generator): Tensor {
  checkNumber('uniform_', 'a', a);
  checkNumber('uniform_', 'b', b);
  return noGrad(() => tensor.uniform_(a, b, { generator }));
}

/** Fills `tensor` from N(mean, std²). */
export function normal_(tensor: Tensor, mean = 0.0, std = 1.0, generator?: Generator): Tensor {
  checkNumber('normal_', 'mean', mean);
  checkNumber('normal_', 'std', std);
  return noGrad(() => tensor.normal_(mean, std, { generator }));
}

/** Fills `tensor` with `value`. */
export function constant_(tensor: Tensor, value: number): Tensor {
  checkNumber('constant_', 'value', value);
  return noGrad(() => tensor.fill_(value));
}

export function ones_(tensor: Tensor): Tensor {
  return noGrad(() => tensor.fill_(1.0));
}

export function zeros_(tensor: Tensor): Tensor {
  return noGrad(() => tensor.zero_());
}

/** Glorot uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_(tensor: Tensor, gain = 1.0, generator?: Generator): Tensor {
  checkNumber('xavierUniform_', 'gain', gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return noGrad(() => tensor.uniform_(-a, a, { generator }));
}

/** Glorot normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal_(tensor: Tensor, gain = 1.0, generator?: Generator): Tensor {
  checkNumber('xavierNormal_', 'gain', gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return noGrad(() => tensor.normal_(0.0, std, { generator }));
}

function kaimingStd(tensor: Tensor, { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' }: KaimingOptions): number {
  const fan = correctFan(tensor, mode);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

function isEmpty(tensor: Tensor): boolean {
  if (!tensor.shape.includes(0)) return false;
  process.emitWarning('Initializing zero-element tensors is a no-op');
  return true;
}

/** He uniform: U(−bound, bound) with bound = gain·√(3 / fan). `nn.Linear` uses it with a = √5. */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  checkKaimingOptions('kaimingUniform_', options);
  if (isEmpty(tensor)) return tensor;
  const bound = Math.sqrt(3.0) * kaimingStd(tensor, options);
  return noGrad(() => tensor.uniform_(-bound, bound, { generator: options.generator }));
}

/** He normal: N(0, std²) with std = gain / √fan. */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  checkKaimingOptions('kaimingNormal_', options);
  if (isEmpty(tensor)) return tensor;
  return noGrad(() => tensor.normal_(0, kaimingStd(tensor, options), { generator: options.generator }));
}
