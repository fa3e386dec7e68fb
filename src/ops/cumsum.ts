/**
 * `torch.cumsum(input, dim)`: running sums along one dim. float32 input sums in float64 and
 * rounds each prefix once (PyTorch's CPU kernel accumulates float in double too); integer and
 * bool input give exact int64 sums (wrapping like PyTorch's int64 on overflow). Backward is the
 * reversed running sum of the gradient (`CumsumBackward0`): input j feeds every prefix k ≥ j.
 */
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { uninitF32 } from '../dtype';
import { Tensor } from '../tensor';
import { checkInput, dimOf, splitAt } from './reduce-dims';

/** Running sums of float32 `v` along the middle axis of `(outer, size, inner)`, last to first when `reverse`. */
function runningSum(v: Float32Array, outer: number, size: number, inner: number, reverse: boolean): Float32Array {
  const out = uninitF32(v.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let acc = 0;
      for (let s = 0; s < size; s++) {
        const at = base + (reverse ? size - 1 - s : s) * inner;
        acc += v[at];
        out[at] = acc;
      }
    }
  }
  return out;
}

/** `torch.cumsum(input, dim)`: float32 → float32 (differentiable); integer and bool → int64. */
export function cumsum(input: Tensor, dim: number): Tensor {
  checkInput('cumsum', input);
  if (dim === undefined) throw new TypeError('cumsum() missing 1 required positional arguments: "dim"');
  const d = dimOf('cumsum', dim, input.shape.length);
  const [outer, size, inner] = splitAt(input.shape, d);
  if (input.dtype !== 'float32') {
    const xv = input.data;
    const out = new BigInt64Array(xv.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        let acc = 0n;
        for (let s = 0; s < size; s++) {
          acc += BigInt(xv[base + s * inner]);
          out[base + s * inner] = acc; // BigInt64Array stores modulo 2^64: int64 wrap-around
        }
      }
    }
    return Tensor._make(out, input.shape, 'int64');
  }
  const out = Tensor._make(runningSum(input.data as Float32Array, outer, size, inner, false), input.shape, 'float32');
  if (recording(input)) {
    const shape = input.shape;
    attach(out, 'CumsumBackward0', [input], (g) => [Tensor._make(runningSum(g.data as Float32Array, outer, size, inner, true), shape, 'float32')], SAVES_NOTHING);
  }
  return out;
}
