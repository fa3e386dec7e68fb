/**
 * Inverted dropout on the native counter-based kernel: the mask comes from the generator's
 * `(seed, offset)` and backward regenerates it from the same pair instead of storing it.
 */
import { uninitF32 } from '../dtype';
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { type Generator, generatorOf } from '../random/generator';
import { Tensor } from '../tensor';
import { kernels } from './kernels';

/** PyTorch's check of a dropout probability: a number in [0, 1]. */
export function checkDropoutProbability(p: number): void {
  if (typeof p !== 'number') throw new TypeError(`dropout probability must be a number, but got ${typeof p}`);
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  }
}

/**
 * `torch.nn.functional.dropout(x, p=0.5, training=true)`: zeroes each element with probability
 * `p` and scales the rest by 1/(1−p); the identity when not training or `p` is 0.
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError("dropout(): argument 'input' must be Tensor");
  checkDropoutProbability(p);
  if (!training || p === 0) return x;
  if (x.dtype !== 'float32') throw new TypeError(`dropout: expected a float32 tensor, got ${x.dtype}`);
  const out = uninitF32(x.data.length);
  let seed = 0;
  let offset = 0;
  generatorOf('dropout', generator).draw((s, o) => {
    seed = s;
    offset = o;
    return kernels.dropout(x.data as Float32Array, out, p, s, o);
  });
  const result = Tensor._make(out, x.shape, 'float32');
  if (recording(x)) {
    attach(result, 'NativeDropoutBackward0', [x], (g) => {
      const gradIn = uninitF32(g.data.length);
      kernels.dropoutBackward(g.data as Float32Array, gradIn, p, seed, offset);
      return [Tensor._make(gradIn, x.shape, 'float32')];
    }, SAVES_NOTHING, true);
  }
  return result;
}
