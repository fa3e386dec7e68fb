/**
 * Channel dropout, PyTorch's `feature_dropout`: `dropout1d`, `dropout2d`. One draw per (sample,
 * channel) — a mask of shape `[N, C, 1, …]` made by the native dropout kernel from the
 * generator, 0 or 1/(1−p) — times the input, broadcast over the spatial dimensions, so the
 * gradient is the same mask (autograd's `MulBackward0`).
 */
import type { Generator } from '../random/generator';
import { Tensor } from '../tensor';
import { checkDropoutProbability, dropout } from './dropout';

/** PyTorch warns once per call site; kindling once per message and process. */
const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, 'UserWarning');
}

/** `input · mask[n, c]` with one Bernoulli(1 − p) draw per (sample, channel), scaled by 1/(1−p). */
function featureDropout(input: Tensor, p: number, training: boolean, generator?: Generator): Tensor {
  if (!training || p === 0) return input;
  if (input.dtype !== 'float32') throw new TypeError(`feature_dropout: expected a float32 tensor, got ${input.dtype}`);
  const maskShape = input.shape.map((d, i) => (i < 2 ? d : 1));
  const ones = Tensor._make(new Float32Array(maskShape[0] * maskShape[1]).fill(1), maskShape, 'float32');
  return input.mul(dropout(ones, p, true, generator));
}

function checkInput(op: string, input: unknown, p: number): asserts input is Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor`);
  checkDropoutProbability(p);
}

/** `F.dropout1d(input, p, training)`: `[N, C, L]`, or `[C, L]` (one sample). */
export function dropout1d(input: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  checkInput('dropout1d', input, p);
  const dim = input.shape.length;
  if (dim !== 2 && dim !== 3) {
    throw new RangeError(
      `dropout1d: Expected 2D or 3D input, but received a ${dim}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`,
    );
  }
  if (dim === 2) return featureDropout(input.unsqueeze(0), p, training, generator).squeeze(0);
  return featureDropout(input, p, training, generator);
}

/** `F.dropout2d(input, p, training)`: `[N, C, H, W]`; a 3-D input is `[N, C, L]`, as PyTorch (with its warning). */
export function dropout2d(input: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  checkInput('dropout2d', input, p);
  const dim = input.shape.length;
  if (dim !== 3 && dim !== 4) {
    warnOnce(
      `dropout2d: Received a ${dim}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).`,
    );
  }
  if (dim === 3) {
    warnOnce(
      'dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.',
    );
  }
  return featureDropout(input, p, training, generator);
}
