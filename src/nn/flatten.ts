import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { describeValue } from '../options';

/**
 * Flattens dims `startDim` … `endDim` into one (a view: no copy). The default keeps the batch dim.
 *
 * Shape: `[N, 1, 28, 28]` → `[N, 784]` with the defaults (startDim = 1, endDim = −1).
 * https://pytorch.org/docs/stable/generated/torch.nn.Flatten.html
 *
 * @example
 * new nn.Flatten().forward(torch.zeros([10, 1, 28, 28])).shape; // [10, 784]
 */
export class Flatten extends Module<[Tensor]> {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
    checkDim('startDim', startDim);
    checkDim('endDim', endDim);
  }

  forward(input: Tensor): Tensor {
    return F.flatten(input, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * `new nn.Flatten({ startDim: 2 })` (a keyword habit) is refused at construction; a number that is
 * not an integer is left to the op, which names it at the first forward (as PyTorch does).
 */
function checkDim(name: string, value: unknown): void {
  if (typeof value !== 'number') {
    const fix = typeof value === 'object' && value !== null ? '; use new nn.Flatten(startDim, endDim), e.g. new nn.Flatten(1, -1)' : '';
    throw new TypeError(`Flatten: ${name} must be an integer, got ${describeValue(value)}${fix}`);
  }
}
