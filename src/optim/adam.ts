import { native } from '../native';
import { Tensor } from '../tensor';
import { type BaseGroupOptions, Optimizer, type Params } from './optimizer';

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
  constructor(
    params: Params<AdamGroupOptions>,
    {
      lr = 1e-3,
      betas = [0.9, 0.999],
      eps = 1e-8,
      weightDecay = 0,
      amsgrad = false,
      maximize = false,
      decoupledWeightDecay = false,
    }: AdamOptions = {},
  ) {
    const defaults: AdamGroupOptions = { lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay };
    checkAdamOptions(defaults);
    super(params, defaults);
  }

  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure?.();
    for (const group of this.paramGroups) this.#stepGroup(group);
    return loss;
  }

  #stepGroup(group: AdamGroupOptions & { params: Tensor[] }): void {
    const params: Float32Array[] = [];
    const grads: Float32Array[] = [];
    const expAvgs: Float32Array[] = [];
    const expAvgSqs: Float32Array[] = [];
    const maxExpAvgSqs: Float32Array[] = [];
    const stepCounts: number[] = [];
    for (const p of group.params) {
      if (p.grad === null) continue;
      let state = this.state.get(p);
      if (state === undefined) {
        state = { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
        if (group.amsgrad) state.max_exp_avg_sq = zerosLike(p);
        this.state.set(p, state);
      } else if (group.amsgrad && state.max_exp_avg_sq === undefined) {
        state.max_exp_avg_sq = zerosLike(p); // amsgrad switched on for a group mid-training
      }
      state.step += 1;
      params.push(p.data as Float32Array);
      grads.push(p.grad.data as Float32Array);
      expAvgs.push(state.exp_avg.data as Float32Array);
      expAvgSqs.push(state.exp_avg_sq.data as Float32Array);
      if (group.amsgrad) maxExpAvgSqs.push((state.max_exp_avg_sq as Tensor).data as Float32Array);
      stepCounts.push(state.step);
    }
    if (params.length === 0) return;
    const [beta1, beta2] = group.betas;
    native.adamStep(
      params,
      grads,
      expAvgs,
      expAvgSqs,
      maxExpAvgSqs,
      Float64Array.from(stepCounts),
      group.lr,
      beta1,
      beta2,
      group.eps,
      group.weightDecay,
      group.amsgrad,
      group.maximize,
      group.decoupledWeightDecay,
    );
  }
}
