import { kernels } from '../ops/kernels';
import { bumpVersion } from '../storage';
import { Tensor } from '../tensor';
import { FusedPlans, zerosLike } from './fused-plan';
import { type BaseGroupOptions, IMPLEMENTATION_OPTIONS, Optimizer, type Params, checkOptimizerOptions } from './optimizer';

const { fused: _noFused, ...IMPLEMENTATION } = IMPLEMENTATION_OPTIONS; // Adadelta has no fused flag

const ADADELTA_OPTIONS = {
  lr: 'number',
  rho: 'number',
  eps: 'number',
  weightDecay: 'number',
  maximize: 'boolean',
  ...IMPLEMENTATION,
} as const;

export interface AdadeltaOptions {
  /** Scales the update (`delta`). Default 1.0. */
  lr?: number;
  /** Decay rate of the running averages of the squared gradient and squared update. Default 0.9. */
  rho?: number;
  /** Added inside both square roots for stability. Default 1e-6. */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

export interface AdadeltaGroupOptions extends BaseGroupOptions, Required<AdadeltaOptions> {}

/** Per-parameter state, under PyTorch's names. */
export interface AdadeltaState {
  step: number;
  square_avg: Tensor;
  acc_delta: Tensor;
}

const KEYS = ['square_avg', 'acc_delta'] as const;

/**
 * Adadelta (Zeiler), exactly `torch.optim.Adadelta`: running averages of the squared gradient and
 * of the squared update, the update scaled by `lr`. Each group's step is one native call over all
 * its parameters that have gradients; state is created on first use.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.Adadelta.html
 *
 * @example
 * const optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0 });
 */
export class Adadelta extends Optimizer<AdadeltaGroupOptions, AdadeltaState> {
  readonly #plans = new FusedPlans<AdadeltaState>(this.state, (p) => ({ step: 0, square_avg: zerosLike(p), acc_delta: zerosLike(p) }));

  constructor(params: Params<AdadeltaGroupOptions>, options: AdadeltaOptions = {}) {
    checkOptimizerOptions('Adadelta', options, ADADELTA_OPTIONS);
    const { lr = 1.0, rho = 0.9, eps = 1e-6, weightDecay = 0, maximize = false } = options;
    if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
    if (!(rho >= 0 && rho <= 1)) throw new RangeError(`Invalid rho value: ${rho}`);
    if (!(eps >= 0)) throw new RangeError(`Invalid epsilon value: ${eps}`);
    if (!(weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${weightDecay}`);
    super(params, { lr, rho, eps, weightDecay, maximize });
  }

  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure?.();
    for (const group of this.paramGroups) {
      const plan = this.#plans.next(group, KEYS);
      if (plan.params.length === 0) continue;
      kernels.adadeltaStep(plan.paramData, plan.grads, plan.buffers[0], plan.buffers[1], {
        lr: group.lr,
        rho: group.rho,
        eps: group.eps,
        weightDecay: group.weightDecay,
        maximize: group.maximize,
      });
      for (let j = 0; j < plan.params.length; j++) bumpVersion(plan.params[j]); // the step wrote every parameter in place
    }
    return loss;
  }
}
