import { ADAMW_OPTIONS, Adam, type AdamGroupOptions, type AdamOptions } from './adam';
import { type Params, checkOptimizerOptions } from './optimizer';

/**
 * AdamW (Loshchilov & Hutter): Adam whose weight decay shrinks the weights directly
 * (`θ ← θ − lr·λ·θ`) instead of being added to the gradient. Default `weightDecay` 1e-2.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html
 *
 * @example
 * const optimizer = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  constructor(params: Params<AdamGroupOptions>, options: Omit<AdamOptions, 'decoupledWeightDecay'> = {}) {
    checkOptimizerOptions('AdamW', options, ADAMW_OPTIONS);
    super(params, { ...options, weightDecay: options.weightDecay ?? 1e-2, decoupledWeightDecay: true });
  }

  /** As in PyTorch, state loaded into an AdamW always keeps decoupled weight decay. */
  override loadStateDict(stateDict: Parameters<Adam['loadStateDict']>[0]): void {
    super.loadStateDict(stateDict);
    for (const group of this.paramGroups) group.decoupledWeightDecay = true;
  }
}
