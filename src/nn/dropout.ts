import type { Tensor } from '../tensor';
import { pyFloat } from './format';
import * as F from './functional';
import { dropout1d, dropout2d } from '../ops/channel-dropout';
import { Module } from './module';
import { checkOptions, positionalOptionError } from '../options';

export interface DropoutOptions {
  /** Must be false: kindling has no in-place dropout yet. */
  inplace?: boolean;
}

const DROPOUT_OPTIONS = { inplace: { notImplemented: 'no in-place dropout; drop the option', unless: [false] } } as const;

/**
 * Inverted dropout: in training, zeroes each element with probability `p` and scales the rest by
 * 1/(1−p), so evaluation (`model.eval()`) is the identity. Masks come from the default generator
 * and are regenerated in backward rather than stored.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html
 *
 * @example
 * const drop = new nn.Dropout(0.5);
 * drop.forward(torch.ones([4])); // two or so zeros, the rest 2
 * drop.eval().forward(torch.ones([4])); // ones
 */
export class Dropout extends Module<[Tensor]> {
  readonly p: number;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    if (typeof p === 'object' && p !== null && 'p' in p) {
      throw new TypeError(`Dropout: the first argument is the probability p; use new nn.Dropout(${String((p as { p: unknown }).p)})`);
    }
    if (typeof options === 'boolean') throw positionalOptionError('Dropout', 'second', `new nn.Dropout(${p}, { inplace: ${options} })`);
    checkOptions('Dropout', options, DROPOUT_OPTIONS);
    F.checkDropoutProbability(p);
    this.p = p;
  }

  forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** `nn.Dropout`'s constructor and repr, for the channel dropouts. */
abstract class ChannelDropout extends Module<[Tensor]> {
  readonly p: number;

  protected constructor(name: string, p: number, options: DropoutOptions) {
    super();
    if (typeof options === 'boolean') throw positionalOptionError(name, 'second', `new nn.${name}(${p}, { inplace: ${options} })`);
    checkOptions(name, options, DROPOUT_OPTIONS);
    F.checkDropoutProbability(p);
    this.p = p;
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/**
 * Zeroes whole channels of `[N, C, L]` (or `[C, L]`) inputs with probability `p` in training,
 * scaling the rest by 1/(1−p).
 * https://pytorch.org/docs/stable/generated/torch.nn.Dropout1d.html
 */
export class Dropout1d extends ChannelDropout {
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('Dropout1d', p, options);
  }

  forward(input: Tensor): Tensor {
    return dropout1d(input, this.p, this.training);
  }
}

/**
 * Zeroes whole channels of `[N, C, H, W]` inputs with probability `p` in training, scaling the
 * rest by 1/(1−p).
 * https://pytorch.org/docs/stable/generated/torch.nn.Dropout2d.html
 */
export class Dropout2d extends ChannelDropout {
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('Dropout2d', p, options);
  }

  forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training);
  }
}
