/**
 * `nn.BatchNorm1d`, `nn.BatchNorm2d`: PyTorch's `_BatchNorm` — parameters `weight` (ones) and
 * `bias` (zeros), buffers `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked`
 * (int64 0) under PyTorch's `state_dict` keys; batch statistics in `train()`, the running ones in
 * `eval()`; `momentum: null` is the cumulative average (1 / num_batches_tracked).
 * https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
 */
import { checkOptions, positionalOptionError } from '../options';
import { batchNorm } from '../ops/batch-norm';
import { Tensor } from '../tensor';
import { pyBool, pyFloat } from './format';
import { Module } from './module';
import { Parameter } from './parameter';

export interface BatchNormModuleOptions {
  eps?: number;
  /** Default 0.1; `null`: cumulative moving average. */
  momentum?: number | null;
  /** Learnable `weight` and `bias`. Default true. */
  affine?: boolean;
  /** With `affine`, a learnable `bias`. Default true (PyTorch 2.15's `bias`). */
  bias?: boolean;
  trackRunningStats?: boolean;
}

const SPEC = { eps: 'number', momentum: 'number|null', affine: 'boolean', bias: 'boolean', trackRunningStats: 'boolean' } as const;

const filled = (n: number, v: number): Tensor => {
  const data = new Float32Array(n).fill(v);
  return Tensor._make(data, [n], 'float32');
};

abstract class BatchNormNd extends Module<[Tensor]> {
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  protected constructor(name: string, numFeatures: number, options: BatchNormModuleOptions) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw positionalOptionError(name, 'second', `new nn.${name}(${numFeatures}, { eps: ${String(options)} })`);
    }
    checkOptions(name, options, SPEC);
    if (!Number.isInteger(numFeatures) || numFeatures < 0) throw new RangeError(`${name}: num_features must be a non-negative integer, got ${String(numFeatures)}`);
    const { eps = 1e-5, momentum = 0.1, affine = true, bias = true, trackRunningStats = true } = options;
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(filled(numFeatures, 1)) : null;
    this.bias = affine && bias ? new Parameter(filled(numFeatures, 0)) : null;
    if (trackRunningStats) {
      this.registerBuffer('running_mean', filled(numFeatures, 0));
      this.registerBuffer('running_var', filled(numFeatures, 1));
      this.registerBuffer('num_batches_tracked', Tensor._make(new BigInt64Array(1), [], 'int64'));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** Zeros the running mean, ones the running variance, zeros the batch count. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    ((this.running_mean as Tensor).data as Float32Array).fill(0);
    ((this.running_var as Tensor).data as Float32Array).fill(1);
    ((this.num_batches_tracked as Tensor).data as BigInt64Array).fill(0n);
  }

  /** `resetRunningStats()`, then weight ones and bias zeros. */
  resetParameters(): void {
    this.resetRunningStats();
    (this.weight?.data as Float32Array | undefined)?.fill(1);
    (this.bias?.data as Float32Array | undefined)?.fill(0);
  }

  protected abstract checkInputDim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      const count = this.num_batches_tracked.data as BigInt64Array;
      count[0] += 1n;
      factor = this.momentum === null ? 1 / Number(count[0]) : this.momentum;
    }
    const useBatchStats = this.training || this.running_mean === null;
    const trackedNow = !this.training || this.trackRunningStats;
    return batchNorm(input, trackedNow ? this.running_mean : null, trackedNow ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Batch normalization of `[N, C]` or `[N, C, L]` inputs. */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }

  protected checkInputDim(input: Tensor): void {
    const d = input.shape.length;
    if (d !== 2 && d !== 3) throw new RangeError(`expected 2D or 3D input (got ${d}D input)`);
  }
}

/** Batch normalization of `[N, C, H, W]` inputs. */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }

  protected checkInputDim(input: Tensor): void {
    const d = input.shape.length;
    if (d !== 4) throw new RangeError(`expected 4D input (got ${d}D input)`);
  }
}
