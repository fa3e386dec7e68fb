/**
 * `torch.any` and `torch.all` over all elements or some dims (one or a list, keepdim). An element
 * counts as true when it is non-zero (NaN included). The result is bool like the comparisons in
 * compare.ts, except for uint8 input, which PyTorch keeps as uint8 (0/1) for backward
 * compatibility. Never differentiable. any over nothing is false, all over nothing is true.
 */
import { numelOf, Tensor } from '../tensor';
import { boolOption, checkInput, dimsOf, outputIndex, reducedShape } from './reduce-dims';

type DimArg = number | readonly number[] | null | undefined;

function logicalReduce(op: 'any' | 'all', input: Tensor, dim: DimArg, keepdimArg: unknown): Tensor {
  checkInput(op, input);
  const keepdim = boolOption(op, 'keepdim', keepdimArg, false);
  const shape = input.shape;
  const dims = dimsOf(op, shape.length, dim);
  const outShape = shape.length === 0 ? [] : reducedShape(shape, dims, keepdim);
  const map = outputIndex(shape, dims);
  const xv = input.data;
  // any: start false, flip on a true element; all: start true, flip on a false one.
  const out = new Uint8Array(numelOf(outShape)).fill(op === 'all' ? 1 : 0);
  const flipsOn = op === 'any';
  for (let k = 0; k < xv.length; k++) {
    const truthy = xv[k] !== 0 && xv[k] !== 0n; // NaN !== 0: true, as PyTorch
    if (truthy === flipsOn) out[map[k]] = flipsOn ? 1 : 0;
  }
  return Tensor._make(out, outShape, input.dtype === 'uint8' ? 'uint8' : 'bool');
}

/** `torch.any(input)` / `torch.any(input, dim, keepdim=False)`: whether any element is non-zero. */
export function any(input: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return logicalReduce('any', input, dim, keepdim);
}

/** `torch.all(input)` / `torch.all(input, dim, keepdim=False)`: whether every element is non-zero. */
export function all(input: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return logicalReduce('all', input, dim, keepdim);
}
