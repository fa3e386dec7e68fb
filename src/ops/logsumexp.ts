/**
 * `torch.logsumexp(input, dim, keepdim=False)`: log Σ exp(x) over one dim or a list, stable by
 * subtracting each slice's max first. An infinite max is not subtracted (PyTorch masks it to 0),
 * so a slice of all −inf gives −inf and one holding +inf gives +inf instead of NaN. Integer and
 * bool input is read as float32 (the result is float32, as PyTorch). Backward is
 * grad · exp(x − result) (`LogsumexpBackward0`; NaN for an all −inf slice, as PyTorch).
 */
import { attach, recording } from '../autograd/function';
import { numelOf, Tensor } from '../tensor';
import { boolOption, checkInput, dimsOf, outputIndex, reducedShape } from './reduce-dims';
import { f32 } from './elementwise';

/** `torch.logsumexp(input, dim, keepdim=False)`; `dim` is required (a number or a list). */
export function logsumexp(input: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  checkInput('logsumexp', input);
  if (dim === undefined) throw new TypeError('logsumexp() missing 1 required positional arguments: "dim"');
  const keep = boolOption('logsumexp', 'keepdim', keepdim, false);
  const shape = input.shape;
  const dims = dimsOf('logsumexp', shape.length, dim);
  const outShape = shape.length === 0 ? [] : reducedShape(shape, dims, keep);
  const outN = numelOf(outShape);
  const map = outputIndex(shape, dims);
  const xv = f32(input);
  const max = new Float64Array(outN).fill(-Infinity);
  for (let k = 0; k < xv.length; k++) if (xv[k] > max[map[k]]) max[map[k]] = xv[k];
  for (let j = 0; j < outN; j++) if (!Number.isFinite(max[j])) max[j] = 0;
  const sums = new Float64Array(outN);
  for (let k = 0; k < xv.length; k++) sums[map[k]] += Math.exp(xv[k] - max[map[k]]);
  const values = new Float32Array(outN);
  for (let j = 0; j < outN; j++) values[j] = Math.log(sums[j]) + max[j];
  const out = Tensor._make(values, outShape, 'float32');
  if (input.dtype === 'float32' && recording(input)) {
    attach(
      out,
      'LogsumexpBackward0',
      [input],
      (g) => {
        const gv = g.data as Float32Array;
        const gradIn = new Float32Array(xv.length);
        for (let k = 0; k < xv.length; k++) gradIn[k] = gv[map[k]] * Math.exp(xv[k] - values[map[k]]);
        return [Tensor._make(gradIn, shape, 'float32')];
      },
      [input, out],
    );
  }
  return out;
}
