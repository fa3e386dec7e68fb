import { kernels } from '../ops/kernels';
import { bumpVersion } from '../storage';
import { Tensor } from '../tensor';
import { FusedPlans, zerosLike } from './fused-plan';
import { type BaseGroupOptions, IMPLEMENTATION_OPTIONS, Optimizer, type Params, checkOptimizerOptions } from './optimizer';

const { fused: _noFused, ...IMPLEMENTATION } = IMPLEMENTATION_OPTIONS; // RMSprop has no fused flag

const RMSPROP_OPTIONS = {
  lr: 'number',
  alpha: 'number',
  eps: 'number',
  weightDecay: 'number',
  momentum: 'number',
  centered: 'boolean',
  maximize: 'boolean',
  ...IMPLEMENTATION,
} as const;

export interface RMSpropOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** Smoothing constant of the running average of the squared gradient. Default 0.99. */
  alpha?: number;
  /** Added to the denominator for stability. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Normalise by the estimated variance of the gradient instead of its second moment. Default false. */
  centered?: boolean;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

export interface RMSpropGroupOptions extends BaseGroupOptions, Required<RMSpropOptions> {}

/** Per-parameter state, under PyTorch's names: `momentum_buffer` when momentum > 0, `grad_avg` when centered. */
export interface RMSpropState {
  step: number;
  square_avg: Tensor;
  momentum_buffer?: Tensor;
  grad_avg?: Tensor;
}

// The state buffers each mode passes to the native step, in its argument order (constant arrays:
// the plan cache compares them by identity).
const PLAIN = ['square_avg'] as const;
const CENTERED = ['square_avg', 'grad_avg'] as const;
const MOMENTUM = ['square_avg', 'momentum_buffer'] as const;
const CENTERED_MOMENTUM = ['square_avg', 'grad_avg', 'momentum_buffer'] as const;
const NONE: Float32Array[] = [];

/**
 * RMSprop (Hinton), exactly `torch.optim.RMSprop`: optional centering, momentum, weight decay and
 * maximize. Each group's step is one native call over all its parameters that have gradients;
 * state is created on first use.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html
 *
 * @example
 * const optimizer = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropGroupOptions, RMSpropState> {
  readonly #plans = new FusedPlans<RMSpropState>(this.state, (p, group) => {
    const { momentum, centered } = group as unknown as RMSpropGroupOptions;
    const state: RMSpropState = { step: 0, square_avg: zerosLike(p) };
    if (momentum > 0) state.momentum_buffer = zerosLike(p);
    if (centered) state.grad_avg = zerosLike(p);
    return state;
  });

  constructor(params: Params<RMSpropGroupOptions>, options: RMSpropOptions = {}) {
    checkOptimizerOptions('RMSprop', options, RMSPROP_OPTIONS);
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false } = options;
    if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
    if (!(eps >= 0)) throw new RangeError(`Invalid epsilon value: ${eps}`);
    if (!(momentum >= 0)) throw new RangeError(`Invalid momentum value: ${momentum}`);
    if (!(weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${weightDecay}`);
    if (!(alpha >= 0)) throw new RangeError(`Invalid alpha value: ${alpha}`);
    super(params, { lr, alpha, eps, weightDecay, momentum, centered, maximize });
  }

  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure?.();
    for (const group of this.paramGroups) {
      const useMomentum = group.momentum > 0;
      const keys = group.centered ? (useMomentum ? CENTERED_MOMENTUM : CENTERED) : useMomentum ? MOMENTUM : PLAIN;
      const plan = this.#plans.next(group, keys);
      if (plan.params.length === 0) continue;
      const gradAvgs = group.centered ? plan.buffers[1] : NONE;
      const momentumBuffers = useMomentum ? plan.buffers[keys.length - 1] : NONE;
      kernels.rmspropStep(plan.paramData, plan.grads, plan.buffers[0], gradAvgs, momentumBuffers, {
        lr: group.lr,
        alpha: group.alpha,
        eps: group.eps,
        weightDecay: group.weightDecay,
        momentum: group.momentum,
        centered: group.centered,
        maximize: group.maximize,
      });
      for (let j = 0; j < plan.params.length; j++) bumpVersion(plan.params[j]); // the step wrote every parameter in place
    }
    return loss;
  }
}
