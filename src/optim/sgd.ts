import { native } from '../native';
import { Tensor } from '../tensor';
import { type BaseGroupOptions, Optimizer, type Params } from './optimizer';

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
  constructor(
    params: Params<SGDGroupOptions>,
    { lr = 1e-3, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0, maximize = false }: SGDOptions = {},
  ) {
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

  #stepGroup(group: SGDGroupOptions & { params: Tensor[] }): void {
    const params: Float32Array[] = [];
    const grads: Float32Array[] = [];
    const buffers: Float32Array[] = [];
    const initialized: number[] = [];
    const useMomentum = group.momentum !== 0;
    for (const p of group.params) {
      if (p.grad === null) continue;
      params.push(p.data as Float32Array);
      grads.push(p.grad.data as Float32Array);
      if (!useMomentum) continue;
      let state = this.state.get(p);
      initialized.push(state === undefined ? 0 : 1);
      if (state === undefined) {
        // The kernel copies the gradient into a fresh buffer on its first step, as PyTorch does.
        state = { momentum_buffer: new Tensor(new Float32Array(p.data.length), p.shape.slice(), 'float32') };
        this.state.set(p, state);
      }
      buffers.push(state.momentum_buffer.data as Float32Array);
    }
    if (params.length === 0) return;
    native.sgdStep(
      params,
      grads,
      buffers,
      Uint8Array.from(initialized),
      group.lr,
      group.momentum,
      group.dampening,
      group.nesterov,
      group.weightDecay,
      group.maximize,
    );
  }
}
