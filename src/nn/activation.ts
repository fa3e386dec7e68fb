import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { checkOptions, describeValue, positionalOptionError } from '../options';

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
