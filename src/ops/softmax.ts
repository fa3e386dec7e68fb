/** `softmax(x, dim)` and `logSoftmax(x, dim)`: one native pass over an `(outer, dim, inner)` view. */
import { isTracing, traced } from '../autograd/trace';
import { uninitF32 } from '../dtype';
import { attach, recording } from '../autograd/function';
import { normalizeDim } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { kernels } from './kernels';

function softmaxOp(x: Tensor, dim: number, log: boolean): Tensor {
  const op = log ? 'log_softmax' : 'softmax';
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor`);
  if (dim === undefined) throw new TypeError(`${op}(): argument 'dim' is required`);
  if (x.dtype !== 'float32') throw new TypeError(`"${op}_lastdim_kernel_impl" not implemented for '${x.dtype}'`);
  const rank = x.shape.length;
  const d = normalizeDim(dim, rank, op);
  const outer = numelOf(x.shape.slice(0, d));
  const size = rank === 0 ? 1 : x.shape[d];
  const inner = numelOf(x.shape.slice(d + 1));
  const out = uninitF32(x.data.length);
  kernels.softmax(x.data as Float32Array, outer, size, inner, out, log);
  const result = Tensor._make(out, x.shape, 'float32');
  if (isTracing()) traced(result, { dim: d });
  if (recording(x)) {
    attach(result, log ? 'LogSoftmaxBackward0' : 'SoftmaxBackward0', [x], (g) => {
      const gradIn = uninitF32(out.length);
      kernels.softmaxBackward(g.data as Float32Array, out, outer, size, inner, gradIn, log);
      return [Tensor._make(gradIn, x.shape, 'float32')];
    }, [result]);
  }
  return result;
}

/** `torch.softmax(x, dim)`: exp(x) / Σ exp(x) along `dim`. */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxOp(x, dim, false);
}

/** `torch.log_softmax(x, dim)`: numerically stable log of softmax along `dim`. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxOp(x, dim, true);
}
