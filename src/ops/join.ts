/**
 * `cat` and `stack`: block copies (`TypedArray.set`, no arithmetic) of whole slabs, with
 * backward rules that copy each input's slice of the gradient back out.
 */
import { isTracing, traced } from '../autograd/trace';
import { attach, recordingAny, SAVES_NOTHING } from '../autograd/function';
import { allocate, castArray, promoteTypes, type DType, uninitF32 } from '../dtype';
import { ShapeError, normalizeDim } from '../errors';
import { Tensor, numelOf } from '../tensor';

/**
 * Joins `inputs` along dimension `dim` of `outShape`; input i contributes `sizes[i]` slabs of
 * `inner` elements per outer index. (For `stack` every size is 1.)
 */
function join(name: string, inputs: readonly Tensor[], outShape: number[], dim: number, sizes: readonly number[]): Tensor {
  let dtype: DType = inputs[0].dtype;
  for (const t of inputs) dtype = promoteTypes(dtype, t.dtype);
  const outer = numelOf(outShape.slice(0, dim));
  const inner = numelOf(outShape.slice(dim + 1));
  const total = outShape[dim];
  const out = allocate(dtype, numelOf(outShape));
  let offset = 0;
  inputs.forEach((t, i) => {
    const src = t.dtype === dtype ? t.data : castArray(t.data, dtype);
    const block = sizes[i] * inner;
    for (let o = 0; o < outer; o++) (out as Float32Array).set((src as Float32Array).subarray(o * block, (o + 1) * block), (o * total + offset) * inner);
    offset += sizes[i];
  });
  const result = Tensor._make(out, outShape, dtype);
  if (isTracing()) traced(result, { dim });
  if (recordingAny(inputs)) {
    const shapes = inputs.map((t) => t.shape);
    attach(result, name, inputs, (g, node) => {
      const gv = g.data as Float32Array;
      const grads: Array<Tensor | null> = [];
      let start = 0;
      for (let i = 0; i < shapes.length; i++) {
        const block = sizes[i] * inner;
        if (node.needsGrad(i)) {
          const gi = uninitF32(outer * block);
          for (let o = 0; o < outer; o++) {
            const from = (o * total + start) * inner;
            gi.set(gv.subarray(from, from + block), o * block);
          }
          grads.push(Tensor._make(gi, shapes[i], 'float32'));
        } else {
          grads.push(null);
        }
        start += sizes[i];
      }
      return grads;
    }, SAVES_NOTHING);
  }
  return result;
}

function checkList(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new RangeError(`${op}(): expected a non-empty list of Tensors`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}(): expected Tensor as element ${i} in argument 0`);
  });
}

/** `torch.cat(tensors, dim=0)`: joins tensors along an existing dimension (`CatBackward0`). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('cat', tensors);
  const first = tensors[0];
  const rank = first.shape.length;
  if (rank === 0) throw new ShapeError('zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normalizeDim(dim, rank, 'cat');
  tensors.forEach((t, i) => {
    if (t.shape.length !== rank) throw new ShapeError(`Tensors must have same number of dimensions: got ${rank} and ${t.shape.length}`);
    for (let k = 0; k < rank; k++) {
      if (k !== d && t.shape[k] !== first.shape[k]) {
        throw new ShapeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[k]} but got size ${t.shape[k]} for tensor number ${i} in the list.`,
        );
      }
    }
  });
  const sizes = tensors.map((t) => t.shape[d]);
  const outShape = first.shape.slice();
  outShape[d] = sizes.reduce((a, b) => a + b, 0);
  return join('CatBackward0', tensors, outShape, d, sizes);
}

/** `torch.stack(tensors, dim=0)`: joins equal-shaped tensors along a new dimension (`StackBackward0`). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('stack', tensors);
  const first = tensors[0];
  const d = normalizeDim(dim, first.shape.length + 1, 'stack');
  tensors.forEach((t, i) => {
    const same = t.shape.length === first.shape.length && t.shape.every((s, k) => s === first.shape[k]);
    if (!same) {
      throw new ShapeError(
        `stack expects each tensor to be equal size, but got [${first.shape.join(', ')}] at entry 0 and [${t.shape.join(', ')}] at entry ${i}`,
      );
    }
  });
  const outShape = [...first.shape.slice(0, d), tensors.length, ...first.shape.slice(d)];
  return join('StackBackward0', tensors, outShape, d, tensors.map(() => 1));
}
