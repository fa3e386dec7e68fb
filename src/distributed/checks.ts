/**
 * Argument checks of the collectives, with PyTorch's messages (`_check_single_tensor`,
 * `_check_tensor_list`, `_ensure_all_tensors_same_dtype`, ProcessGroupMPI's own) prefixed by the
 * op's name. They only look at this rank's arguments; what must agree across ranks is checked
 * by `agree` (agreement.ts).
 */
import type { DType, TypedArray } from '../dtype';
import { ShapeError, typeName } from '../errors';
import { Tensor } from '../tensor';
import { ReduceOp } from './reduce-op';

/** The dtypes the MPI backend carries, with the code `agree` compares across ranks. */
export const DTYPE_CODES: Readonly<Partial<Record<DType, number>>> = { float32: 1, int32: 2, int64: 3 };

export function checkTensor(op: string, value: unknown, param: string): Tensor {
  if (!(value instanceof Tensor)) {
    throw new TypeError(`${op}: Invalid function argument. Expected parameter \`${param}\` of type Tensor but got ${typeName(value)} instead.`);
  }
  if (DTYPE_CODES[value.dtype] === undefined) {
    throw new TypeError(`${op}: the MPI backend supports float32, int32 and int64 tensors, but \`${param}\` is ${value.dtype}`);
  }
  if (!value.isContiguous()) throw new RangeError(`${op}: input tensor has to be contiguous (\`${param}\`; call .contiguous() first)`);
  return value;
}

export function checkTensorList(op: string, value: unknown, param: string): Tensor[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${op}: Invalid function argument. Expected parameter \`${param}\` of type Tensor[] but got ${typeName(value)} instead.`);
  }
  const bad = value.findIndex((t) => !(t instanceof Tensor));
  if (bad >= 0) {
    throw new TypeError(
      `${op}: Invalid function argument. Expected parameter \`${param}\` of type Tensor[] but element ${bad} is ${typeName(value[bad])}.`,
    );
  }
  return value.map((t: Tensor, i) => checkTensor(op, t, `${param}[${i}]`));
}

/** PyTorch's `_ensure_all_tensors_same_dtype`. */
export function checkSameDType(op: string, tensors: readonly Tensor[]): void {
  for (const t of tensors) {
    if (t.dtype !== tensors[0].dtype) {
      throw new TypeError(`${op}: Invalid usage of tensors with different dtypes. Found ${tensors[0].dtype} and ${t.dtype}`);
    }
  }
}

/** ProcessGroupMPI's `checkSameSizeAndType`: every tensor of a list has `numel` elements. */
export function checkSameSize(op: string, tensors: readonly Tensor[], numel: number, param: string): void {
  tensors.forEach((t, i) => {
    if (t.numel() !== numel) {
      throw new ShapeError(`${op}: Tensors are not equal in size or data type: \`${param}[${i}]\` has ${t.numel()} elements, expected ${numel}`);
    }
  });
}

export function checkListLength(op: string, list: readonly Tensor[], size: number, what: string): void {
  if (list.length !== size) {
    throw new RangeError(`${op}: number of ${what} tensors should equal to the world size (${size}), but got ${list.length}`);
  }
}

export function checkAvg(op: string, reduceOp: ReduceOp, dtype: DType): void {
  if (reduceOp === ReduceOp.AVG && dtype !== 'float32') {
    throw new TypeError(`${op}: ReduceOp.AVG needs a floating-point tensor, but got ${dtype}`);
  }
}

/**
 * The tensors' elements as one typed array without copying, when they are consecutive pieces of
 * one buffer (as `torch.empty(n * size).chunk(size)` gives); null otherwise.
 */
export function consecutive(tensors: readonly Tensor[]): TypedArray | null {
  const first = tensors[0].data;
  let end = first.byteOffset;
  for (const t of tensors) {
    const d = t.data;
    if (d.buffer !== first.buffer || d.byteOffset !== end) return null;
    end += d.byteLength;
  }
  const Ctor = first.constructor as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray;
  return new Ctor(first.buffer, first.byteOffset, (end - first.byteOffset) / first.BYTES_PER_ELEMENT);
}

/** Whether two typed arrays share any memory (MPI forbids aliased send and receive buffers). */
export function overlaps(a: TypedArray, b: TypedArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
