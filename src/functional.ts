/**
 * The `torch.*` function forms of the Tensor methods (`torch.add(a, b)`, `torch.reshape(x, shape)`, …),
 * so `import * as torch from 'kindling'` reads like PyTorch.
 */
import type { Tensor } from './tensor';
import * as shapeOps from './ops/shape';

export { add, sub, mul, div, pow, neg, exp, log, sqrt, relu, sigmoid, tanh, abs } from './ops/elementwise';
export { erf } from './ops/activation';
export { eq, ne, gt, lt, ge, le } from './ops/compare';
export { sum, mean, max, min, argmax, argmin } from './ops/reduce';
export { softmax, logSoftmax } from './ops/softmax';
export { topk, multinomial, type TopkOptions, type MultinomialOptions } from './ops/topk';
// Sorting, scans and more reductions
export { sort, argsort, type SortOptions } from './ops/sort';
export { cumsum } from './ops/cumsum';
export { prod, type ProdOptions } from './ops/prod';
export { variance as var, std, varMean, stdMean, type VarOptions } from './ops/variance';
export { norm, type NormOrd } from './ops/norm';
export { logsumexp } from './ops/logsumexp';
export { any, all } from './ops/logical-reduce';
export { matmul, mm, bmm, addmm } from './ops/matmul';
export { cat, stack } from './ops/join';
export { maximum, minimum, clamp, clampMin, clampMax } from './ops/minmax';
export { sin, cos } from './ops/trig';
export { einsum } from './ops/einsum';
export { flatten, unsqueeze, squeeze, transpose, t, permute, clone, narrow, select, diagonal } from './ops/shape';

/** `torch.reshape(x, shape)`. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return shapeOps.reshape(x, shape);
}

/** `torch.detach(x)`. */
export function detach(x: Tensor): Tensor {
  return x.detach();
}
export { conv1d, conv2d } from './ops/conv';
export { maxPool1d, maxPool2d, avgPool1d, adaptiveAvgPool1d } from './ops/pool';

// Indexing and manipulation (#14)
export {
  indexSelect,
  take,
  gather,
  scatter,
  scatterAdd,
  where,
  maskedFill,
  maskedSelect,
  split,
  chunk,
  unbind,
  flip,
  roll,
  tril,
  triu,
  indexPut,
  resultType,
  slice,
} from './ops/index-ops';
export type { IndexItem, IndexSlice, IndexArray, IndexPutOptions, ScatterOptions, ScatterReduce, ScatterValue, WhereOperand, FillValue } from './ops/index-ops';
