import { Tensor } from '../tensor';

/** A parameter group as the optimizers step it. */
type Group = { params: Tensor[] };

/** Per-parameter state of the optimizers that count steps (Adadelta, RMSprop, Adagrad). */
export interface SteppedState {
  step: number;
}

/**
 * The argument lists of one group's fused native step: the parameters that have gradients, their
 * data and gradient buffers, one list per state buffer (in the order of `keys`), and the step
 * counts after the increment.
 */
export interface FusedPlan<S> {
  keys: readonly string[];
  params: Tensor[];
  states: S[];
  paramData: Float32Array[];
  grads: Float32Array[];
  buffers: Float32Array[][];
  steps: Float64Array;
}

export function zerosLike(p: Tensor): Tensor {
  return new Tensor(new Float32Array(p.data.length), p.shape.slice(), 'float32');
}

/**
 * The fused steps' argument lists, kept per group between steps so a training step allocates
 * nothing here (as Adam's and SGD's plans): a plan is rebuilt only when the set of parameters with
 * gradients, their state objects, or the state buffers the step uses (`keys`, a constant array per
 * mode, compared by identity) change; otherwise only the gradient buffers and step counts are
 * refreshed.
 */
export class FusedPlans<S extends SteppedState> {
  readonly #plans = new WeakMap<object, FusedPlan<S>>();

  constructor(
    private readonly state: Map<Tensor, S>,
    /** Creates a parameter's state (step 0) on its first step. */
    private readonly create: (p: Tensor, group: Group) => S,
  ) {}

  /** Advances every stepped parameter's count and returns the group's plan for this step. */
  next(group: Group, keys: readonly (keyof S & string)[]): FusedPlan<S> {
    let plan = this.#plans.get(group);
    if (plan === undefined || !this.#refresh(plan, group, keys)) {
      plan = this.#build(group, keys);
      this.#plans.set(group, plan);
    }
    return plan;
  }

  #refresh(plan: FusedPlan<S>, group: Group, keys: readonly string[]): boolean {
    if (plan.keys !== keys) return false;
    let i = 0;
    for (const p of group.params) {
      if (p._peekGrad() === null) continue;
      if (plan.params[i] !== p || this.state.get(p) !== plan.states[i]) return false;
      i++;
    }
    if (i !== plan.params.length) return false;
    for (let j = 0; j < i; j++) {
      plan.grads[j] = (plan.params[j]._peekGrad() as Tensor).data as Float32Array;
      plan.steps[j] = ++plan.states[j].step;
    }
    return true;
  }

  #build(group: Group, keys: readonly (keyof S & string)[]): FusedPlan<S> {
    const plan: FusedPlan<S> = {
      keys,
      params: [],
      states: [],
      paramData: [],
      grads: [],
      buffers: keys.map(() => []),
      steps: new Float64Array(0),
    };
    const steps: number[] = [];
    for (const p of group.params) {
      if (p._peekGrad() === null) continue;
      let state = this.state.get(p);
      if (state === undefined) {
        state = this.create(p, group);
        this.state.set(p, state);
      }
      state.step += 1;
      plan.params.push(p);
      plan.states.push(state);
      plan.paramData.push(p.data as Float32Array);
      plan.grads.push((p._peekGrad() as Tensor).data as Float32Array);
      keys.forEach((key, k) => {
        // A buffer the mode started using mid-training (momentum or centered switched on) starts at 0.
        const record = state as unknown as Record<string, Tensor | undefined>;
        record[key] ??= zerosLike(p);
        plan.buffers[k].push(record[key].data as Float32Array);
      });
      steps.push(state.step);
    }
    plan.steps = Float64Array.from(steps);
    return plan;
  }
}
