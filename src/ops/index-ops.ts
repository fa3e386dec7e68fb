/**
 * The indexing and manipulation ops of #14 in one namespace, for `Tensor`'s methods and the
 * `torch.*` functions (one import each). Each lives in its own file.
 */
export { indexSelect, take } from './index-select';
export { gather, scatter, scatter_, scatterAdd, scatterAdd_ } from './scatter';
export type { ScatterOptions, ScatterReduce, ScatterValue } from './scatter';
export { where, maskedFill, maskedFill_, maskedSelect, resultType } from './where';
export type { WhereOperand, FillValue } from './where';
export { split, chunk, unbind } from './split';
export { repeat } from './repeat';
export { flip, roll } from './flip';
export { tril, triu } from './triangle';
export { index, indexPut, indexPut_, setIndex_, slice } from './indexing';
export type { IndexItem, IndexSlice, IndexArray, IndexPutOptions } from './indexing';
