/**
 * Loss functions with PyTorch's options: `crossEntropy`, `nllLoss`, `mseLoss`. Inputs are
 * `(N, C)`, `(C)` (unbatched) or `(N, C, d1, …)`; spatial layouts are moved to rows of C classes
 * (one strided copy) for the fused native kernels, which also return the gradient, so backward is a
 * single scale by the incoming gradient.
 */
import { attach, recording } from '../autograd/function';
import { scalarTypeName } from '../dtype';
import { ShapeError } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { contiguousStrides, sameShape } from './broadcast';
import { binaryPlain, scale } from './elementwise';
import { BinaryOp, Reduction, kernels } from './kernels';
import { gather, sumTo } from './shape';
import { JS_LOSS_SCALE_MAX_ELEMENTS } from '../tuning';
import { mean, sum } from './reduce';

export type ReductionMode = 'none' | 'mean' | 'sum';

export interface NllLossOptions {
  /** Per-class rescaling weight, float32 of length C. */
  weight?: Tensor | null;
  /** Target value that contributes neither loss nor gradient. Default -100. */
  ignoreIndex?: number;
  reduction?: ReductionMode;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution (0 = none, as PyTorch). */
  labelSmoothing?: number;
}

function reductionCode(reduction: string): number {
  if (reduction === 'none' || reduction === 'mean' || reduction === 'sum') return Reduction[reduction];
  // String(): a template literal would itself throw on a Symbol, with a message naming no op.
  throw new RangeError(`${String(reduction)} is not a valid value for reduction`);
}

/** PyTorch's Python type name of a JS value, for "must be int, not float" messages. */
function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/**
 * `ignoreIndex` and `labelSmoothing` are checked for type before any arithmetic on them: a string
 * or Symbol would otherwise fail inside a comparison or the binding with a message naming no op.
 * ignoreIndex must fit the kernels' int32.
 */
export function checkLossOptions(op: string, ignoreIndex: unknown, labelSmoothing?: unknown): void {
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex) || ignoreIndex < -(2 ** 31) || ignoreIndex >= 2 ** 31) {
    throw new TypeError(`${op}(): argument 'ignore_index' must be int (a 32-bit integer), not ${pyTypeName(ignoreIndex)} ${String(ignoreIndex)}`);
  }
  if (labelSmoothing !== undefined && typeof labelSmoothing !== 'number') {
    throw new TypeError(`${op}(): argument 'label_smoothing' must be float, not ${pyTypeName(labelSmoothing)}`);
  }
}

/** The (N, C, d…) → (N·d…, C) layout the kernels take; `classDim` is where C sits. */
interface Rows {
  values: Float32Array;
  rows: number;
  classes: number;
}

function toRows(x: Tensor): Rows {
  const rank = x.shape.length;
  if (rank <= 2) {
    return { values: x.data as Float32Array, rows: rank === 1 ? 1 : x.shape[0], classes: rank === 1 ? x.shape[0] : x.shape[1] };
  }
  const [n, c, ...spatial] = x.shape;
  const strides = contiguousStrides(x.shape);
  // Gather (N, d…, C) from (N, C, d…).
  const order = [0, ...spatial.map((_, i) => i + 2), 1];
  const moved = gather(x, [n, ...spatial, c], order.map((d) => strides[d]));
  return { values: moved.data as Float32Array, rows: n * numelOf(spatial), classes: c };
}

/** The inverse of `toRows` for a gradient of rows → the input's (N, C, d…) layout. */
function fromRows(rows: Float32Array, shape: readonly number[]): Tensor {
  if (shape.length <= 2) return Tensor._make(rows, shape, 'float32');
  const [n, c, ...spatial] = shape;
  const rowShape = [n, ...spatial, c];
  const strides = contiguousStrides(rowShape);
  // Output dim order (N, C, d…) reads row-layout dims (0, last, 1…).
  const order = [0, rowShape.length - 1, ...spatial.map((_, i) => i + 1)];
  return gather(Tensor._make(rows, rowShape, 'float32'), shape, order.map((d) => strides[d]));
}

/**
 * int64 class indices (PyTorch's norm) as the Int32Array the kernels take, each checked against
 * [0, classes) or `ignoreIndex` first, so no value is ever narrowed wrongly (targets are small).
 */
function int64Targets(values: BigInt64Array, classes: number, ignoreIndex: number): Int32Array {
  const out = new Int32Array(values.length);
  const limit = BigInt(classes);
  const ignore = Number.isInteger(ignoreIndex) ? BigInt(ignoreIndex) : null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((v < 0n || v >= limit) && v !== ignore) throw new RangeError(`Target ${v} is out of bounds.`);
    out[i] = Number(v);
  }
  return out;
}

/** Checks the class-index target against the input and returns its values as int32 plus the `none` output shape. */
function checkIndexTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number, classes: number): { target: Int32Array; shape: number[] } {
  if (target.dtype !== 'int64' && target.dtype !== 'int32' && target.dtype !== 'uint8') {
    throw new TypeError(
      `expected target dtype to be Long or Byte, but got ${scalarTypeName(target.dtype)} (${op}: class-index targets are int64/int32/uint8; class-probability targets must be float32 with the input's shape [${input.shape.join(', ')}], got [${target.shape.join(', ')}])`,
    );
  }
  const rank = input.shape.length;
  let expected: number[];
  if (rank === 1) {
    if (target.shape.length !== 0) {
      throw new ShapeError(`${op}: 0D target tensor expected for an unbatched (1-D) input, got shape [${target.shape.join(', ')}]`);
    }
    expected = [];
  } else {
    if (target.shape.length === 0 || target.shape[0] !== input.shape[0]) {
      throw new ShapeError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0] ?? 0}).`);
    }
    expected = [input.shape[0], ...input.shape.slice(2)];
    if (rank === 2 && target.shape.length !== 1) throw new ShapeError('0D or 1D target tensor expected, multi-target not supported');
    if (!sameShape(target.shape, expected)) {
      throw new ShapeError(`Expected target size [${expected.join(', ')}], got [${target.shape.join(', ')}]`);
    }
  }
  if (target.dtype === 'int64') return { target: int64Targets(target.data as BigInt64Array, classes, ignoreIndex), shape: expected };
  const values = target.dtype === 'int32' ? (target.data as Int32Array) : Int32Array.from(target.data as Uint8Array);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((v < 0 || v >= classes) && v !== ignoreIndex) throw new RangeError(`Target ${v} is out of bounds.`);
  }
  return { target: values, shape: expected };
}

function checkInput(op: string, input: Tensor): void {
  if (!(input instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor`);
  if (input.dtype !== 'float32') throw new TypeError(`${op}: expected a float32 input, got ${input.dtype}`);
  if (input.shape.length === 0) throw new ShapeError(`${op}: input must have a class dimension, got a 0-d tensor`);
}

function checkWeight(weight: Tensor | null | undefined, classes: number): Float32Array | undefined {
  if (weight == null) return undefined;
  if (weight.dtype !== 'float32') throw new TypeError(`expected scalar type Float but found ${scalarTypeName(weight.dtype)}`);
  if (weight.shape.length !== 1 || weight.shape[0] !== classes) {
    throw new ShapeError(
      `weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: [${weight.shape.join(', ')}]`,
    );
  }
  return weight.data as Float32Array;
}


/** Attaches the fused loss backward: gradient rows scaled by the incoming gradient (per row for `none`). */
function attachLossBackward(out: Tensor, name: string, input: Tensor, target: Tensor, gradRows: Float32Array, rows: number, classes: number, none: boolean): void {
  attach(out, name, [input], (g) => {
    let scaled: Float32Array;
    if (none) {
      const rowsT = Tensor._make(gradRows, [rows, classes], 'float32');
      const perRow = Tensor._make(g.data, [rows, 1], 'float32');
      scaled = binaryPlain(BinaryOp.mul, rowsT, perRow).data as Float32Array;
    } else if (gradRows.length <= JS_LOSS_SCALE_MAX_ELEMENTS) {
      // The seed's 10×10 gradient: a JS loop is cheaper than a native call (fresh buffer each
      // time, since the graph may be retained and run again).
      const s = g.data[0] as number;
      scaled = new Float32Array(gradRows.length);
      for (let i = 0; i < gradRows.length; i++) scaled[i] = gradRows[i] * s;
    } else {
      scaled = scale(Tensor._make(gradRows, [rows * classes], 'float32'), g.data[0] as number).data as Float32Array;
    }
    return [fromRows(scaled, input.shape)];
  }, [target]);
}

/**
 * `torch.nn.functional.cross_entropy(input, target, { weight, ignoreIndex, reduction,
 * labelSmoothing })`. `target` holds class indices (int32/uint8, shape `input` without C) or class
 * probabilities (float32, the input's shape). Fused log-softmax + NLL (`NllLossBackward0`).
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkInput('cross_entropy', input);
  if (!(target instanceof Tensor)) throw new TypeError("cross_entropy(): argument 'target' must be Tensor");
  const reduction = options.reduction ?? 'mean';
  const code = reductionCode(reduction);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const labelSmoothing = options.labelSmoothing ?? 0;
  checkLossOptions('cross_entropy', ignoreIndex, labelSmoothing);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
  }
  const probabilities = sameShape(target.shape, input.shape);
  if (probabilities && target.dtype !== 'float32') {
    throw new TypeError(`Expected floating point type for target with class probabilities, got ${scalarTypeName(target.dtype)}`);
  }
  const { values, rows, classes } = toRows(input);
  const weight = checkWeight(options.weight, classes);
  const gradRows = new Float32Array(rows * classes);
  let out: Tensor;
  if (probabilities) {
    const targetRows = toRows(target).values;
    const loss = new Float32Array(code === Reduction.none ? rows : 1);
    kernels.crossEntropyProbs(values, targetRows, weight, loss, gradRows, { n: rows, c: classes, labelSmoothing, reduction: code });
    const noneShape = input.shape.length === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
    out = Tensor._make(loss, code === Reduction.none ? noneShape : [], 'float32');
    if (recording(input)) attachLossBackward(out, 'CrossEntropyLossBackward0', input, target, gradRows, rows, classes, code === Reduction.none);
    return out;
  }
  const checked = checkIndexTarget('cross_entropy', input, target, ignoreIndex, classes);
  const loss = new Float32Array(code === Reduction.none ? rows : 1);
  kernels.crossEntropy(values, checked.target, weight, loss, gradRows, { n: rows, c: classes, ignoreIndex, labelSmoothing, reduction: code });
  out = Tensor._make(loss, code === Reduction.none ? checked.shape : [], 'float32');
  if (recording(input)) attachLossBackward(out, 'NllLossBackward0', input, target, gradRows, rows, classes, code === Reduction.none);
  return out;
}

/**
 * `torch.nn.functional.nll_loss(input, target, { weight, ignoreIndex, reduction })` on
 * log-probabilities (`NllLossBackward0`).
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  checkInput('nll_loss', input);
  if (!(target instanceof Tensor)) throw new TypeError("nll_loss(): argument 'target' must be Tensor");
  const code = reductionCode(options.reduction ?? 'mean');
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkLossOptions('nll_loss', ignoreIndex);
  const { values, rows, classes } = toRows(input);
  const weight = checkWeight(options.weight, classes);
  const checked = checkIndexTarget('nll_loss', input, target, ignoreIndex, classes);
  const loss = new Float32Array(code === Reduction.none ? rows : 1);
  const gradRows = new Float32Array(rows * classes);
  kernels.nllLoss(values, checked.target, weight, loss, gradRows, { n: rows, c: classes, ignoreIndex, reduction: code });
  const out = Tensor._make(loss, code === Reduction.none ? checked.shape : [], 'float32');
  if (recording(input)) attachLossBackward(out, 'NllLossBackward0', input, target, gradRows, rows, classes, code === Reduction.none);
  return out;
}

/**
 * `torch.nn.functional.mse_loss(input, target, { reduction })`: mean/sum/none of (input − target)²,
 * broadcasting like PyTorch (`MseLossBackward0`).
 */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: ReductionMode } = {}): Tensor {
  checkInput('mse_loss', input);
  if (!(target instanceof Tensor)) throw new TypeError("mse_loss(): argument 'target' must be Tensor");
  if (target.dtype !== 'float32') throw new TypeError(`expected scalar type Float but found ${scalarTypeName(target.dtype)}`);
  const reduction = options.reduction ?? 'mean';
  reductionCode(reduction);
  const diff = binaryPlain(BinaryOp.sub, input, target);
  const squared = binaryPlain(BinaryOp.mul, diff, diff);
  const out = reduction === 'none' ? squared : reduction === 'sum' ? sum(squared) : mean(squared);
  if (recording(input, target)) {
    const count = diff.data.length;
    attach(out, 'MseLossBackward0', [input, target], (g, node) => {
      // d/dinput = 2·(input − target)·g (/count for mean); d/dtarget is its negative.
      const base =
        reduction === 'none' ? scale(binaryPlain(BinaryOp.mul, diff, g), 2) : scale(diff, (2 * (g.data[0] as number)) / (reduction === 'mean' ? count : 1));
      return [
        node.needsGrad(0) ? sumTo(base, input.shape) : null,
        node.needsGrad(1) ? sumTo(scale(base, -1), target.shape) : null,
      ];
    }, [input, target]);
  }
  return out;
}
