/**
 * `x.repeat(...sizes)`: `x` tiled `sizes[d]` times along each dimension (extra leading sizes add
 * dimensions), as a new tensor. The copy reads `x` as the view `[r0, s0, r1, s1, …]` with stride 0
 * on every `r` (one strided copy, native for float32); backward sums the gradient over the `r`
 * dimensions (`RepeatBackward0`, one native `sumToShape`).
 */
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { ShapeError } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { contiguousStrides } from './broadcast';
import { checkTensorArg } from './index-values';
import { dims, kernels } from './kernels';
import { gather } from './shape';

/** `x.repeat(sizes)` (PyTorch's `Tensor.repeat`; there is no `torch.repeat`). */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  checkTensorArg('repeat', x, 'input');
  for (const s of sizes) {
    if (typeof s !== 'number' || !Number.isInteger(s)) throw new TypeError(`repeat(): argument 'repeats' must be a list of integers, but got ${String(s)} in [${sizes.join(', ')}]`);
  }
  const rank = x.shape.length;
  if (sizes.length < rank) throw new ShapeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  const padded = [...new Array<number>(sizes.length - rank).fill(1), ...x.shape];
  const outShape = padded.map((s, i) => s * sizes[i]);
  if (sizes.some((s) => s < 0)) {
    const negative = outShape.find((s) => s < 0) ?? sizes.find((s) => s < 0);
    throw new RangeError(`Trying to create tensor with negative dimension ${negative}: [${outShape.join(', ')}]`);
  }
  const src = x.detach().contiguous();
  const srcStrides = contiguousStrides(padded);
  const pairShape: number[] = [];
  const pairStrides: number[] = [];
  padded.forEach((s, i) => {
    pairShape.push(sizes[i], s);
    pairStrides.push(0, srcStrides[i]);
  });
  const tiled = numelOf(outShape) === 0 ? Tensor._make(src.data.slice(0, 0), outShape, x.dtype) : gather(src, pairShape, pairStrides, 'repeat');
  const out = Tensor._make(tiled.data, outShape, x.dtype);
  if (recording(x)) {
    const inShape = x.shape;
    const reduced = pairShape.map((s, i) => (i % 2 === 0 ? 1 : s));
    attach(out, 'RepeatBackward0', [x], (g) => {
      const grad = new Float32Array(numelOf(inShape));
      if (g.data.length > 0 && grad.length > 0) kernels.sumToShape(g.data as Float32Array, dims(pairShape), dims(reduced), grad);
      return [Tensor._make(grad, inShape, 'float32')];
    }, SAVES_NOTHING);
  }
  return out;
}
