import { kernels } from '../ops/kernels';
import { bumpVersion } from '../storage';
import { Tensor } from '../tensor';
import { type BaseGroupOptions, IMPLEMENTATION_OPTIONS, Optimizer, type Params, checkOptimizerOptions, tupleOfNumbers } from './optimizer';

export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the running averages of the gradient and its square. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator (after bias correction) for stability. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (Adam) or decoupled decay of the weights (AdamW). */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad). Default false. */
  amsgrad?: boolean;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
  /** Decay the weights directly instead of adding the penalty to the gradient (AdamW). Default false. */
  decoupledWeightDecay?: boolean;
}

export interface AdamGroupOptions extends BaseGroupOptions, Required<AdamOptions> {}

/** Per-parameter state, under PyTorch's names so checkpoints map one to one. */
export interface AdamState {
  step: number;
  exp_avg: Tensor;
  exp_avg_sq: Tensor;
  max_exp_avg_sq?: Tensor;
}

/** The options of `AdamW`: Adam's, whose decoupled weight decay it always uses. */
export const ADAMW_OPTIONS = {
  lr: 'number',
  betas: tupleOfNumbers(2),
  eps: 'number',
  weightDecay: 'number',
  amsgrad: 'boolean',
  maximize: 'boolean',
  ...IMPLEMENTATION_OPTIONS,
} as const;

const ADAM_OPTIONS = { ...ADAMW_OPTIONS, decoupledWeightDecay: 'boolean' } as const;

/** PyTorch's constructor checks, one per line, with its messages. */
export function checkAdamOptions({ lr, eps, betas, weightDecay }: AdamGroupOptions): void {
  if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
  if (!(eps >= 0)) throw new RangeError(`Invalid epsilon value: ${eps}`);
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new TypeError(`betas must be a pair of numbers, got ${String(betas)}`);
  }
  if (!(betas[0] >= 0 && betas[0] < 1)) throw new RangeError(`Invalid beta parameter at index 0: ${betas[0]}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) throw new RangeError(`Invalid beta parameter at index 1: ${betas[1]}`);
  if (!(weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${weightDecay}`);
}

function zerosLike(p: Tensor): Tensor {
  return new Tensor(new Float32Array(p.data.length), p.shape.slice(), 'float32');
}

/**
 * Adam (Kingma & Ba), exactly `torch.optim.Adam`: bias corrections in f64, eps added after the
 * bias correction, coupled L2 weight decay, optional AMSGrad and maximize. Each group's step is
 * one native call over all its parameters that have gradients; state is created on first use.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
 *
 * @example
 * const optimizer = new optim.Adam(model.parameters(), { lr: 1e-4 });
 * optimizer.zeroGrad();
 * lossFunction.forward(model.forward(inputs), targets).backward();
 * optimizer.step();
 */
export class Adam extends Optimizer<AdamGroupOptions, AdamState> {
  constructor(params: Params<AdamGroupOptions>, options: AdamOptions = {}) {
    checkOptimizerOptions('Adam', options, ADAM_OPTIONS);
    const {
      lr = 1e-3,
      betas = [0.9, 0.999],
      eps = 1e-8,
      weightDecay = 0,
      amsgrad = false,
      maximize = false,
      decoupledWeightDecay = false,
    } = options;
    const defaults: AdamGroupOptions = { lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay };
    checkAdamOptions(defaults);
    super(params, defaults);
  }

  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure?.();
    for (const group of this.paramGroups) this.#stepGroup(group);
    return loss;
  }

  /**
   * The native call's argument lists, kept per group between steps so a training step allocates
   * nothing here: they are rebuilt only when the set of parameters with gradients, their state
   * objects, or `amsgrad` change. Only the gradient buffers and step counts are refreshed.
   */
  readonly #plans = new WeakMap<object, AdamPlan>();

  #stepGroup(group: AdamGroupOptions & { params: Tensor[] }): void {
    let plan = this.#plans.get(group);
    if (plan === undefined || !this.#refresh(plan, group)) {
      plan = this.#buildPlan(group);
      this.#plans.set(group, plan);
    }
    if (plan.params.length === 0) return;
    const [beta1, beta2] = group.betas;
    kernels.adamStep(plan.paramData, plan.grads, plan.expAvgs, plan.expAvgSqs, plan.maxExpAvgSqs, plan.steps, {
      lr: group.lr,
      beta1,
      beta2,
      eps: group.eps,
      weightDecay: group.weightDecay,
      amsgrad: group.amsgrad,
      maximize: group.maximize,
      decoupledWeightDecay: group.decoupledWeightDecay,
    });
    for (let j = 0; j < plan.params.length; j++) bumpVersion(plan.params[j]); // the step wrote every parameter in place
  }

  /** Advances the cached plan by one step; false (nothing changed) when it no longer fits. */
  #refresh(plan: AdamPlan, group: AdamGroupOptions & { params: Tensor[] }): boolean {
    if (plan.amsgrad !== group.amsgrad) return false;
    let i = 0;
    for (const p of group.params) {
      if (p._peekGrad() === null) continue;
      if (plan.params[i] !== p || this.state.get(p) !== plan.states[i]) return false;
      i++;
    }
    if (i !== plan.params.length) return false;
    for (let j = 0; j < i; j++) {
      const state = plan.states[j];
      plan.grads[j] = (plan.params[j]._peekGrad() as Tensor).data as Float32Array;
      plan.steps[j] = ++state.step;
    }
    return true;
  }

  /** Collects the parameters that have gradients, creating their state on first use, and steps them. */
  #buildPlan(group: AdamGroupOptions & { params: Tensor[] }): AdamPlan {
    const plan: AdamPlan = {
      amsgrad: group.amsgrad,
      params: [],
      states: [],
      paramData: [],
      grads: [],
      expAvgs: [],
      expAvgSqs: [],
      maxExpAvgSqs: [],
      steps: new Float64Array(0),
    };
    const steps: number[] = [];
    for (const p of group.params) {
      if (p._peekGrad() === null) continue;
      let state = this.state.get(p);
      if (state === undefined) {
        state = { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
        if (group.amsgrad) state.max_exp_avg_sq = zerosLike(p);
        this.state.set(p, state);
      } else if (group.amsgrad && state.max_exp_avg_sq === undefined) {
        state.max_exp_avg_sq = zerosLike(p); // amsgrad switched on for a group mid-training
      }
      state.step += 1;
      plan.params.push(p);
      plan.states.push(state);
      plan.paramData.push(p.data as Float32Array);
      plan.grads.push((p._peekGrad() as Tensor).data as Float32Array);
      plan.expAvgs.push(state.exp_avg.data as Float32Array);
      plan.expAvgSqs.push(state.exp_avg_sq.data as Float32Array);
      if (group.amsgrad) plan.maxExpAvgSqs.push((state.max_exp_avg_sq as Tensor).data as Float32Array);
      steps.push(state.step);
    }
    plan.steps = Float64Array.from(steps);
    return plan;
  }
}

interface AdamPlan {
  amsgrad: boolean;
  params: Tensor[];
  states: AdamState[];
  paramData: Float32Array[];
  grads: Float32Array[];
  expAvgs: Float32Array[];
  expAvgSqs: Float32Array[];
  maxExpAvgSqs: Float32Array[];
  steps: Float64Array;
}
