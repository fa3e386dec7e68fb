import { kernels } from '../ops/kernels';
import { bumpVersion } from '../storage';
import { Tensor } from '../tensor';
import { FusedPlans } from './fused-plan';
import { type BaseGroupOptions, IMPLEMENTATION_OPTIONS, Optimizer, type Params, checkOptimizerOptions } from './optimizer';

const { capturable: _noCapturable, ...IMPLEMENTATION } = IMPLEMENTATION_OPTIONS; // Adagrad has no capturable flag

const ADAGRAD_OPTIONS = {
  lr: 'number',
  lrDecay: 'number',
  weightDecay: 'number',
  initialAccumulatorValue: 'number',
  eps: 'number',
  maximize: 'boolean',
  ...IMPLEMENTATION,
} as const;

export interface AdagradOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** The rate at step t is `lr / (1 + (t − 1)·lrDecay)`. Default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** The starting value of the sum of squared gradients. Default 0. */
  initialAccumulatorValue?: number;
  /** Added to the denominator for stability. Default 1e-10. */
  eps?: number;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

export interface AdagradGroupOptions extends BaseGroupOptions, Required<AdagradOptions> {}

/** Per-parameter state, under PyTorch's names. */
export interface AdagradState {
  step: number;
  sum: Tensor;
}

const KEYS = ['sum'] as const;

function initialState(p: Tensor, group: { initialAccumulatorValue?: number }): AdagradState {
  const sum = new Tensor(new Float32Array(p.data.length).fill(group.initialAccumulatorValue ?? 0), p.shape.slice(), 'float32');
  return { step: 0, sum };
}

/**
 * Adagrad (Duchi et al.), exactly `torch.optim.Adagrad` for dense gradients: the sum of squared
 * gradients (starting at `initialAccumulatorValue`) scales each update; `lrDecay` decays the rate
 * per step. As in PyTorch, every parameter's state exists from construction. Each group's step is
 * one native call over all its parameters that have gradients.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html
 *
 * @example
 * const optimizer = new optim.Adagrad(model.parameters(), { lr: 0.01 });
 */
export class Adagrad extends Optimizer<AdagradGroupOptions, AdagradState> {
  readonly #plans = new FusedPlans<AdagradState>(this.state, (p, group) => initialState(p, group as unknown as AdagradGroupOptions));

  constructor(params: Params<AdagradGroupOptions>, options: AdagradOptions = {}) {
    checkOptimizerOptions('Adagrad', options, ADAGRAD_OPTIONS);
    const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false } = options;
    if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
    if (!(lrDecay >= 0)) throw new RangeError(`Invalid lr_decay value: ${lrDecay}`);
    if (!(weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${weightDecay}`);
    if (!(initialAccumulatorValue >= 0)) {
      throw new RangeError(`Invalid initial_accumulator_value value: ${initialAccumulatorValue}`);
    }
    if (!(eps >= 0)) throw new RangeError(`Invalid epsilon value: ${eps}`);
    super(params, { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize });
    for (const group of this.paramGroups) {
      for (const p of group.params) if (!this.state.has(p)) this.state.set(p, initialState(p, group));
    }
  }

  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure?.();
    for (const group of this.paramGroups) {
      const plan = this.#plans.next(group, KEYS);
      if (plan.params.length === 0) continue;
      kernels.adagradStep(plan.paramData, plan.grads, plan.buffers[0], plan.steps, {
        lr: group.lr,
        lrDecay: group.lrDecay,
        weightDecay: group.weightDecay,
        eps: group.eps,
        maximize: group.maximize,
      });
      for (let j = 0; j < plan.params.length; j++) bumpVersion(plan.params[j]); // the step wrote every parameter in place
    }
    return loss;
  }
}
