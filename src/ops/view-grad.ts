/**
 * The gradient of a view that picks some of its input's elements (`split` pieces, `select`,
 * `narrow`, `diagonal`, `unfold`…): zero outside the view, the view's gradient inside.
 */
import type { Node } from '../autograd/node';
import { Tensor, isRowMajor, numelOf } from '../tensor';
import { addStrided } from './broadcast';

/**
 * Adds `g` at the view's place (`offset`, `shape`, `strides` in the input's contiguous layout)
 * into the buffer in which the engine sums the input's gradients when it offers one
 * (`Node.gradAccumulator`: the views of one input then share one buffer; returns null), else
 * into zeros of the input's shape (returned). Adding, so overlapping windows (`unfold`) sum.
 */
export function viewGradient(node: Node, inShape: readonly number[], offset: number, shape: readonly number[], strides: readonly number[], g: Tensor): Tensor | null {
  // A view that is one contiguous run of its input (a narrow of the leading dimension, say) is
  // copied into a new sum rather than added to zeros.
  const run = isRowMajor(shape, strides) ? { offset, length: numelOf(shape) } : null;
  const sum = node.gradAccumulator(0, inShape, run);
  if (sum !== null && sum.fresh) {
    sum.data.set(g.contiguous().data as Float32Array, offset);
    return null;
  }
  const into = sum?.data ?? new Float32Array(numelOf(inShape));
  addStrided(into, offset, shape, strides, g.data as Float32Array);
  return sum !== null ? null : Tensor._make(into, inShape, 'float32');
}

