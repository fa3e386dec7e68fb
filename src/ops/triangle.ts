/**
 * `tril` / `triu`: the lower / upper triangle of the last two dimensions (every leading dimension
 * is a batch of matrices), the rest zeroed; `diagonal` shifts the boundary (> 0 above the main
 * diagonal, < 0 below). Backward keeps the same triangle of the gradient (`TrilBackward0`,
 * `TriuBackward0`). Any dtype.
 */
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { type TypedArray } from '../dtype';
import { ShapeError } from '../errors';
import { Tensor } from '../tensor';
import { checkTensorArg } from './index-values';

/** A copy of `x` with the elements outside the triangle set to zero. */
function triangle(x: Tensor, diagonal: number, lower: boolean): Tensor {
  const data = (x.isContiguous() ? x.data.slice() : x.data) as TypedArray;
  const rank = x.shape.length;
  const rows = x.shape[rank - 2];
  const cols = x.shape[rank - 1];
  const plane = rows * cols;
  const zero = x.dtype === 'int64' ? 0n : 0;
  for (let base = 0; base < data.length; base += plane) {
    for (let i = 0; i < rows; i++) {
      const row = base + i * cols;
      // tril keeps j ≤ i + diagonal; triu keeps j ≥ i + diagonal.
      const from = lower ? Math.max(i + diagonal + 1, 0) : 0;
      const to = lower ? cols : Math.min(Math.max(i + diagonal, 0), cols);
      for (let j = from; j < to; j++) data[row + j] = zero as never;
    }
  }
  return Tensor._make(data, x.shape, x.dtype);
}

function run(op: 'tril' | 'triu', x: Tensor, diagonal: number): Tensor {
  checkTensorArg(op, x, 'input');
  if (typeof diagonal !== 'number' || !Number.isInteger(diagonal)) {
    throw new TypeError(`${op}(): argument 'diagonal' must be an integer, but got ${String(diagonal)}`);
  }
  if (x.shape.length < 2) throw new ShapeError(`${op}: input tensor must have at least 2 dimensions`);
  const lower = op === 'tril';
  const out = triangle(x, diagonal, lower);
  if (recording(x)) attach(out, lower ? 'TrilBackward0' : 'TriuBackward0', [x], (g) => [triangle(g, diagonal, lower)], SAVES_NOTHING);
  return out;
}

/** `torch.tril(x, diagonal = 0)`: the lower triangle (elements with `j ≤ i + diagonal`). */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return run('tril', x, diagonal);
}

/** `torch.triu(x, diagonal = 0)`: the upper triangle (elements with `j ≥ i + diagonal`). */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return run('triu', x, diagonal);
}
