import type { Tensor } from '../tensor';
import { Module } from './module';

/**
 * Returns its input unchanged: a placeholder that keeps a model's structure (and `stateDict` keys)
 * when a layer is switched off.
 *
 * Shape: `[*]` → `[*]`.
 * https://pytorch.org/docs/stable/generated/torch.nn.Identity.html
 *
 * @example
 * const head = useDropout ? new nn.Dropout(0.5) : new nn.Identity();
 */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
