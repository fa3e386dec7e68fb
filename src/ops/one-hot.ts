/**
 * `F.one_hot(tensor, num_classes=-1)`: int64 class indices → int64 rows with a 1 at each index,
 * a new last dimension of `numClasses` (max + 1 when −1). Not differentiable (integer in and out).
 * The checks and their order are PyTorch's (`aten/src/ATen/native/Onehot.cpp`).
 */
import { allocate } from '../dtype';
import { describeValue } from '../options';
import { Tensor } from '../tensor';

export function oneHot(tensor: Tensor, numClasses = -1): Tensor {
  if (!(tensor instanceof Tensor)) throw new TypeError(`one_hot(): argument 'input' must be Tensor, got ${describeValue(tensor)}`);
  if (!Number.isInteger(numClasses)) throw new TypeError(`one_hot(): argument 'num_classes' must be an integer, got ${describeValue(numClasses)}`);
  if (tensor.dtype !== 'int64') {
    throw new TypeError(`one_hot: one_hot is only applicable to index tensor of type LongTensor. (got ${tensor.dtype})`);
  }
  const indices = tensor.data as BigInt64Array;
  if (indices.length === 0) {
    if (numClasses <= 0) throw new RangeError('one_hot: Can not infer total number of classes from empty tensor.');
    return Tensor._make(new BigInt64Array(0), [...tensor.shape, numClasses], 'int64');
  }
  let lo = indices[0];
  let hi = indices[0];
  for (const v of indices) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo < 0n) throw new RangeError(`one_hot: Class values must be non-negative. (got ${lo})`);
  const classes = numClasses === -1 ? Number(hi) + 1 : numClasses;
  if (BigInt(classes) <= hi) throw new RangeError(`one_hot: Class values must be smaller than num_classes. (got ${hi} with num_classes=${classes})`);
  const shape = [...tensor.shape, classes];
  const out = allocate('int64', indices.length * classes, 'one_hot', shape) as BigInt64Array;
  for (let i = 0; i < indices.length; i++) out[i * classes + Number(indices[i])] = 1n;
  return Tensor._make(out, shape, 'int64');
}
