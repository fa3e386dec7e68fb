/**
 * Selection by a boolean condition: `where(cond, x, y)` (scalars allowed on either side, NumPy
 * broadcasting, PyTorch's result type), `where(cond)` (the coordinates of the true elements),
 * `maskedFill` / `maskedFill_` and `maskedSelect`. TypeScript loops (one comparison and a copy
 * per element). Gradients go to the tensor operands through the same masks, summed back over
 * broadcast dimensions.
 */
import { isTracing, traced, tracedOp } from '../autograd/trace';
import { attach, recording } from '../autograd/function';
import { type DType, type TypedArray, allocate, castArray, promoteTypes, scalarTo, scalarTypeName } from '../dtype';
import { ShapeError } from '../errors';
import { bumpVersion } from '../storage';
import { Tensor, numelOf } from '../tensor';
import { broadcastShapes, broadcastStrides, gatherStrided, sameShape } from './broadcast';
import { offsetsOf, viewTables } from './gather-tables';
import { guard } from './inplace';
import { C_DTYPE_NAMES, checkTensorArg } from './index-values';
import { sumTo } from './shape';

/** A `where` operand: a tensor, or a scalar (number, bigint for int64, boolean). */
export type WhereOperand = Tensor | number | bigint | boolean;

/** `t`'s values as `dtype`, laid out contiguous in `shape` (broadcast). */
function expanded(op: string, t: Tensor, dtype: DType, shape: readonly number[]): TypedArray {
  const own = t.dtype === dtype ? t.data : castArray(t.data, dtype, op);
  if (sameShape(t.shape, shape)) return own;
  const out = allocate(dtype, numelOf(shape), op, shape);
  gatherStrided(own, shape, broadcastStrides(t.shape, shape), out);
  return out;
}

/** Whether each element of a broadcast bool (or uint8) condition is true, laid out in `shape`. */
function maskIn(op: string, mask: Tensor, shape: readonly number[]): Uint8Array {
  return expanded(op, mask, mask.dtype, shape) as Uint8Array;
}

/** PyTorch's `combine_categories(higher, lower)` of `result_type`. */
function combine(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null || higher === 'float32') return higher;
  if (higher === 'bool' || lower === 'float32') return promoteTypes(higher, lower);
  return higher;
}

const promote = (a: DType | null, b: DType): DType => (a === null ? b : promoteTypes(a, b));

/**
 * PyTorch's `result_type` of the operands: tensors with dimensions decide within their category
 * (bool < integer < float), 0-d tensors next, scalars last (a bigint counts as int64, a boolean
 * as bool, an integral number as an integer, any other number as float32). Two scalars and no
 * tensor: float32 when either is a number (kindling's rule for numbers), else int64 or bool.
 */
export function resultType(operands: readonly WhereOperand[]): DType {
  let dim: DType | null = null;
  let zero: DType | null = null;
  let wrapped: DType | null = null;
  let anyTensor = false;
  let anyNumber = false;
  for (const v of operands) {
    if (v instanceof Tensor) {
      anyTensor = true;
      if (v.shape.length > 0) dim = promote(dim, v.dtype);
      else zero = promote(zero, v.dtype);
    } else if (typeof v === 'bigint') wrapped = promote(wrapped, 'int64');
    else if (typeof v === 'boolean') wrapped = promote(wrapped, 'bool');
    else {
      anyNumber = true;
      wrapped = promote(wrapped, Number.isInteger(v) ? 'int64' : 'float32');
    }
  }
  if (!anyTensor && anyNumber) return 'float32';
  return combine(dim, combine(zero, wrapped)) as DType;
}

function checkOperand(op: string, v: unknown, role: string): asserts v is WhereOperand {
  if (v instanceof Tensor || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return;
  throw new TypeError(`${op}(): argument '${role}' must be Tensor or a number, bigint or boolean, not ${v === null ? 'null' : typeof v}`);
}

function checkCondition(cond: Tensor): void {
  if (cond.dtype !== 'bool' && cond.dtype !== 'uint8') {
    throw new TypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${scalarTypeName(cond.dtype)}`);
  }
}

/** An operand as a tensor of `dtype` (a scalar becomes a 0-d one). */
function asTensor(op: string, v: WhereOperand, dtype: DType): Tensor {
  if (v instanceof Tensor) return v;
  const data = allocate(dtype, 1);
  data[0] = scalarTo(op, v, dtype) as never;
  return Tensor._make(data, [], dtype);
}

/**
 * A bool mask laid over a broadcast shape: element `i` is masked when `bits[i % period] !== 0`. A
 * mask whose shape is a suffix of the broadcast shape (leading 1s aside: a causal `[T, T]` mask
 * over `[B, H, T, T]` scores) keeps its own elements with `period` = its size; any other mask is
 * expanded to the full shape.
 */
interface PeriodicMask {
  bits: Uint8Array;
  period: number;
}

function periodicMask(op: string, mask: Tensor, shape: readonly number[]): PeriodicMask {
  let lead = 0;
  while (lead < mask.shape.length && mask.shape[lead] === 1) lead++;
  const own = mask.shape.slice(lead);
  if (sameShape(own, shape.slice(shape.length - own.length))) {
    const bits = mask.data as Uint8Array;
    return { bits, period: Math.max(bits.length, 1) };
  }
  const bits = maskIn(op, mask, shape);
  return { bits, period: Math.max(bits.length, 1) };
}

/** The float32 gradient of one side: `g` where the mask is `keepWhere`, else 0, summed back to `shape`. */
function maskedGrad(g: Tensor, mask: PeriodicMask, keepWhere: boolean, shape: readonly number[]): Tensor {
  const gv = g.data as Float32Array;
  const out = keepWhere ? new Float32Array(gv.length) : gv.slice();
  const { bits, period } = mask;
  for (let base = 0; base < gv.length; base += period) {
    for (let j = 0; j < period; j++) {
      if (bits[j] !== 0) {
        if (keepWhere) out[base + j] = gv[base + j];
        else out[base + j] = 0;
      }
    }
  }
  return sumTo(Tensor._make(out, g.shape, 'float32'), shape);
}

/** `torch.where(condition)`: the coordinates of the true elements, one int64 vector per dimension. */
export function nonzeroColumns(cond: Tensor): Tensor[] {
  const mask = cond.data;
  const rank = cond.shape.length;
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++;
  const columns = Array.from({ length: rank }, () => new BigInt64Array(count));
  const coords = new Array<number>(rank).fill(0);
  let k = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0) {
      for (let d = 0; d < rank; d++) columns[d][k] = BigInt(coords[d]);
      k++;
    }
    for (let d = rank - 1; d >= 0; d--) {
      if (++coords[d] < cond.shape[d]) break;
      coords[d] = 0;
    }
  }
  if (rank === 0) return [Tensor._make(new BigInt64Array(count), [count], 'int64')];
  return columns.map((c) => Tensor._make(c, [count], 'int64'));
}

/**
 * `torch.where(condition, x, y)`: `x` where the condition holds, else `y`, broadcast together, in
 * PyTorch's result type (`resultType`); `torch.where(condition)` alone is
 * `condition.nonzero(as_tuple=True)`. The condition is bool (uint8 is accepted, as PyTorch still
 * does). Differentiable in both tensor operands (`WhereBackward0`).
 */
export function where(condition: Tensor): Tensor[];
export function where(condition: Tensor, x: WhereOperand, y: WhereOperand): Tensor;
export function where(condition: Tensor, x?: WhereOperand, y?: WhereOperand): Tensor | Tensor[] {
  checkTensorArg('where', condition, 'condition');
  if (x === undefined && y === undefined) return nonzeroColumns(condition);
  checkOperand('where', x, 'input');
  checkOperand('where', y, 'other');
  checkCondition(condition);
  const dtype = resultType([x, y]);
  const a = asTensor('where', x, dtype);
  const b = asTensor('where', y, dtype);
  const shape = broadcastShapes(broadcastShapes(condition.shape, a.shape), b.shape);
  const mask = maskIn('where', condition, shape);
  const av = expanded('where', a, dtype, shape);
  const bv = expanded('where', b, dtype, shape);
  const out = allocate(dtype, mask.length, 'where', shape);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] !== 0 ? av[i] : bv[i];
  const result = Tensor._make(out, shape, dtype);
  if (isTracing()) traced(result, { condition, x: a, y: b });
  const ta = x instanceof Tensor ? x : null;
  const tb = y instanceof Tensor ? y : null;
  if (dtype === 'float32' && (ta !== null || tb !== null) && recording(ta ?? (tb as Tensor), tb)) {
    const bits: PeriodicMask = { bits: mask, period: Math.max(mask.length, 1) };
    const aShape = a.shape;
    const bShape = b.shape;
    attach(result, 'WhereBackward0', [ta, tb], (g, node) => [
      node.needsGrad(0) ? maskedGrad(g, bits, true, aShape) : null,
      node.needsGrad(1) ? maskedGrad(g, bits, false, bShape) : null,
    ], [condition]);
  }
  // Without an autograd node (integer results, nothing requiring grad) the tracer is told directly.
  if (isTracing() && result.gradFn === null) tracedOp(result, 'WhereBackward0', [ta, tb], {});
  return result;
}

/** A `maskedFill` value: a scalar or a 0-d tensor. */
export type FillValue = Tensor | number | bigint | boolean;

function checkMask(op: string, mask: Tensor): void {
  if (mask.dtype !== 'bool') throw new TypeError(`${op} only supports boolean masks, but got mask with dtype ${C_DTYPE_NAMES[mask.dtype]}`);
}

/** The fill value as an element of `dtype` (a 0-d tensor's value converted as a scalar). */
function fillValue(op: string, value: FillValue, dtype: DType): number | bigint {
  if (value instanceof Tensor) {
    if (value.shape.length !== 0) {
      throw new RangeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.shape.length} dimension(s).`);
    }
    const v = value.data[0];
    return scalarTo(op, value.dtype === 'bool' ? v !== 0 : v, dtype);
  }
  if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
    throw new TypeError(`${op}(): argument 'value' must be a number, bigint, boolean or 0-d Tensor, not ${value === null ? 'null' : typeof value}`);
  }
  return scalarTo(op, value, dtype);
}

/**
 * `x.masked_fill(mask, value)`: `x` with `value` where the bool `mask` (broadcast with `x`) is
 * true. `value` is a scalar or a 0-d tensor, converted to `x`'s dtype. Differentiable in `x`
 * (`MaskedFillBackward0`) and in a tensor value (`MaskedFillBackward1`: the sum of the gradient
 * where filled).
 */
export function maskedFill(x: Tensor, mask: Tensor, value: FillValue): Tensor {
  checkTensorArg('masked_fill', x, 'input');
  checkTensorArg('masked_fill', mask, 'mask');
  checkMask('masked_fill_', mask);
  const v = fillValue('masked_fill', value, x.dtype);
  const shape = broadcastShapes(mask.shape, x.shape); // PyTorch's operand order (in its message)
  const m = periodicMask('masked_fill', mask, shape);
  const out = expanded('masked_fill', x, x.dtype, shape);
  const data = out === x.data ? (out.slice() as TypedArray) : out;
  const { bits, period } = m;
  for (let base = 0; base < data.length; base += period) {
    for (let j = 0; j < period; j++) if (bits[j] !== 0) data[base + j] = v as never;
  }
  const result = Tensor._make(data, shape, x.dtype);
  if (isTracing()) traced(result, { mask, value: Number(v) });
  const valueTensor = value instanceof Tensor ? value : null;
  if (x.dtype === 'float32' && recording(x, valueTensor)) {
    const xShape = x.shape;
    if (valueTensor === null) {
      attach(result, 'MaskedFillBackward0', [x], (g) => [maskedGrad(g, m, false, xShape)], [mask]);
    } else {
      const valueShape = valueTensor.shape;
      attach(result, 'MaskedFillBackward1', [x, valueTensor], (g, node) => {
        let filled = 0;
        if (node.needsGrad(1)) {
          const gv = g.data as Float32Array;
          for (let base = 0; base < gv.length; base += period) {
            for (let j = 0; j < period; j++) if (bits[j] !== 0) filled += gv[base + j];
          }
        }
        return [node.needsGrad(0) ? maskedGrad(g, m, false, xShape) : null, node.needsGrad(1) ? Tensor._make(Float32Array.of(filled), valueShape, 'float32') : null];
      }, [mask]);
    }
  }
  if (isTracing() && result.gradFn === null) tracedOp(result, 'MaskedFillBackward0', [x], {});
  return result;
}

/**
 * `x.masked_fill_(mask, value)`: in place, through `x`'s strides; the mask must broadcast to
 * `x`'s shape (`output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]`).
 */
export function maskedFill_<T extends Tensor>(x: T, mask: Tensor, value: FillValue): T {
  checkTensorArg('masked_fill_', mask, 'mask');
  checkMask('masked_fill_', mask);
  const v = fillValue('masked_fill_', value, x.dtype);
  const shape = broadcastShapes(x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new ShapeError(`output with shape [${x.shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`);
  }
  guard('masked_fill_', x);
  const m = maskIn('masked_fill_', mask, shape);
  const dst = x.storage.data;
  const at = offsetsOf(x.storageOffset(), x.shape, viewTables(x.shape, x.stride()));
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) dst[at[i]] = v as never;
  bumpVersion(x);
  return x;
}

/**
 * `torch.masked_select(x, mask)`: the elements of `x` where the bool `mask` is true (both
 * broadcast), as a new 1-D tensor (`MaskedSelectBackward0`).
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkTensorArg('masked_select', x, 'input');
  checkTensorArg('masked_select', mask, 'mask');
  if (mask.dtype !== 'bool') throw new TypeError('masked_select: expected BoolTensor for mask');
  const shape = broadcastShapes(mask.shape, x.shape); // PyTorch's operand order (in its message)
  const m = maskIn('masked_select', mask, shape);
  const xv = expanded('masked_select', x, x.dtype, shape);
  let count = 0;
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) count++;
  const out = allocate(x.dtype, count, 'masked_select', [count]);
  for (let i = 0, k = 0; i < m.length; i++) if (m[i] !== 0) out[k++] = xv[i];
  const result = Tensor._make(out, [count], x.dtype);
  if (recording(x)) {
    const xShape = x.shape;
    attach(result, 'MaskedSelectBackward0', [x], (g) => {
      const gv = g.data as Float32Array;
      const full = new Float32Array(m.length);
      for (let i = 0, k = 0; i < m.length; i++) if (m[i] !== 0) full[i] = gv[k++];
      return [sumTo(Tensor._make(full, shape, 'float32'), xShape)];
    }, [mask]);
  }
  return result;
}
