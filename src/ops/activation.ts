/**
 * The activation functions on the native `unary` kernel (one call forward, one `unaryBackward`
 * call backward, saving the input as PyTorch's autograd does): erf, leaky_relu, elu, silu, gelu
 * (exact and tanh), hardtanh, softplus. Forward and derivative formulas are PyTorch's CPU kernels'
 * (`kindling_core::elementwise::math`); integer inputs give float32.
 */
import { describeValue } from '../options';
import type { Tensor } from '../tensor';
import { unaryOp } from './elementwise';
import { UnaryOp } from './kernels';

function checkNumber(op: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${op}(): argument '${name}' must be a number, got ${describeValue(value)}`);
}

/** `torch.erf(x)`: the error function. */
export const erf = (x: Tensor): Tensor => unaryOp('erf', UnaryOp.erf, 'ErfBackward0', x, false);

/** `F.leaky_relu(x, negative_slope)`: `x > 0 ? x : negativeSlope·x`. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkNumber('leaky_relu', 'negative_slope', negativeSlope);
  return unaryOp('leaky_relu', UnaryOp.leakyRelu, 'LeakyReluBackward0', x, false, negativeSlope);
}

/** `F.elu(x, alpha)`: `x > 0 ? x : alpha·(eˣ − 1)`. */
export function elu(x: Tensor, alpha = 1.0): Tensor {
  checkNumber('elu', 'alpha', alpha);
  return unaryOp('elu', UnaryOp.elu, 'EluBackward0', x, false, alpha);
}

/** `F.silu(x)`: `x·sigmoid(x)`. */
export const silu = (x: Tensor): Tensor => unaryOp('silu', UnaryOp.silu, 'SiluBackward0', x, false);

export type GeluApproximate = 'none' | 'tanh';

/** `F.gelu(x, approximate)`: `x·Φ(x)` exactly (erf), or PyTorch's tanh approximation. */
export function gelu(x: Tensor, approximate: GeluApproximate = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(`gelu(): approximate argument must be either none or tanh, got ${describeValue(approximate)}`);
  }
  const op = approximate === 'tanh' ? UnaryOp.geluTanh : UnaryOp.gelu;
  return unaryOp('gelu', op, 'GeluBackward0', x, false);
}

/** `F.hardtanh(x, min_val, max_val)`: `clamp(x, minVal, maxVal)`, gradient 0 at and beyond the bounds. */
export function hardtanh(x: Tensor, minVal = -1.0, maxVal = 1.0): Tensor {
  checkNumber('hardtanh', 'min_val', minVal);
  checkNumber('hardtanh', 'max_val', maxVal);
  if (minVal > maxVal) throw new RangeError('hardtanh(): min_val cannot be greater than max_val');
  return unaryOp('hardtanh', UnaryOp.hardtanh, 'HardtanhBackward0', x, false, minVal, maxVal);
}

/** `F.softplus(x, beta, threshold)`: `log(1 + e^(beta·x)) / beta`, and `x` where `beta·x > threshold`. */
export function softplus(x: Tensor, beta = 1.0, threshold = 20.0): Tensor {
  checkNumber('softplus', 'beta', beta);
  checkNumber('softplus', 'threshold', threshold);
  return unaryOp('softplus', UnaryOp.softplus, 'SoftplusBackward0', x, false, beta, threshold);
}
