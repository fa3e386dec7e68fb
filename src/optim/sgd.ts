import { kernels } from '../ops/kernels';
import { bumpVersion } from '../storage';
import { Tensor } from '../tensor';
import { type BaseGroupOptions, IMPLEMENTATION_OPTIONS, Optimizer, type Params, checkOptimizerOptions } from './optimizer';

const SGD_OPTIONS = {
  lr: 'number',
  momentum: 'number',
  dampening: 'number',
  nesterov: 'boolean',
  weightDecay: 'number',
  maximize: 'boolean',
  ...IMPLEMENTATION_OPTIONS,
} as const;

export interface SGDOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Momentum factor. Default 0 (plain SGD, no state). */
  momentum?: number;
  /** Dampening of the momentum. Default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and zero dampening). Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

export interface SGDGroupOptions extends BaseGroupOptions, Required<SGDOptions> {}

/** Per-parameter state, under PyTorch's name; only kept when momentum ≠ 0. */
export interface SGDState {
  momentum_buffer: Tensor;
}

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
 * decay, exactly `torch.optim.SGD` (the first momentum step copies the gradient into the buffer).
 * Each group's step is one native call over all its parameters that have gradients.
 *
 * https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
 *
 * @example
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDGroupOptions, SGDState> {
  constructor(params: Params<SGDGroupOptions>, options: SGDOptions = {}) {
    checkOptimizerOptions('SGD', options, SGD_OPTIONS);
    const { lr = 1e-3, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0, maximize = false } = options;
    if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
    if (!(momentum >= 0)) throw new RangeError(`Invalid momentum value: ${momentum}`);
    if (!(weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${weightDecay}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    }
    super(params, { lr, momentum, dampening, nesterov, weightDecay, maximize });
  }

  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure?.();
    for (const group of this.paramGroups) this.#stepGroup(group);
    return loss;
  }

  /**
   * The native call's argument lists, kept per group between steps (see Adam): rebuilt only when
   * the parameters with gradients, their state objects or the use of momentum change. The
   * `bufferInitialized` flags live here too; the kernel sets them as it fills new buffers.
   */
  readonly #plans = new WeakMap<object, SGDPlan>();

  #stepGroup(group: SGDGroupOptions & { params: Tensor[] }): void {
    let plan = this.#plans.get(group);
    if (plan === undefined || !this.#refresh(plan, group)) {
      plan = this.#buildPlan(group);
      this.#plans.set(group, plan);
    }
    if (plan.params.length === 0) return;
    kernels.sgdStep(plan.paramData, plan.grads, plan.buffers, plan.initialized, {
      lr: group.lr,
      momentum: group.momentum,
      dampening: group.dampening,
      nesterov: group.nesterov,
      weightDecay: group.weightDecay,
      maximize: group.maximize,
    });
    for (let j = 0; j < plan.params.length; j++) bumpVersion(plan.params[j]); // the step wrote every parameter in place
  }

  #refresh(plan: SGDPlan, group: SGDGroupOptions & { params: Tensor[] }): boolean {
    if (plan.useMomentum !== (group.momentum !== 0)) return false;
    let i = 0;
    for (const p of group.params) {
      if (p._peekGrad() === null) continue;
      if (plan.params[i] !== p || (plan.useMomentum && this.state.get(p) !== plan.states[i])) return false;
      i++;
    }
    if (i !== plan.params.length) return false;
    for (let j = 0; j < i; j++) plan.grads[j] = (plan.params[j]._peekGrad() as Tensor).data as Float32Array;
    return true;
  }

  #buildPlan(group: SGDGroupOptions & { params: Tensor[] }): SGDPlan {
    const useMomentum = group.momentum !== 0;
    const plan: SGDPlan = {
      useMomentum,
      params: [],
      states: [],
      paramData: [],
      grads: [],
      buffers: [],
      initialized: new Uint8Array(0),
    };
    const initialized: number[] = [];
    for (const p of group.params) {
      if (p._peekGrad() === null) continue;
      plan.params.push(p);
      plan.paramData.push(p.data as Float32Array);
      plan.grads.push((p._peekGrad() as Tensor).data as Float32Array);
      if (!useMomentum) continue;
      let state = this.state.get(p);
      // A state exists only once a step has filled its buffer, so its flag is 1; a new buffer
      // gets 0 and the kernel copies the gradient into it, as torch.optim.SGD's first step does.
      initialized.push(state === undefined ? 0 : 1);
      if (state === undefined) {
        state = { momentum_buffer: new Tensor(new Float32Array(p.data.length), p.shape.slice(), 'float32') };
        this.state.set(p, state);
      }
      plan.states.push(state);
      plan.buffers.push(state.momentum_buffer.data as Float32Array);
    }
    plan.initialized = Uint8Array.from(initialized);
    return plan;
  }
}

interface SGDPlan {
  useMomentum: boolean;
  params: Tensor[];
  states: SGDState[];
  paramData: Float32Array[];
  grads: Float32Array[];
  buffers: Float32Array[];
  initialized: Uint8Array;
}
