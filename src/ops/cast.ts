/** dtype conversion (`tensor.to(dtype)`): per-element casts in TypeScript, differentiable between floats only. */
import { castArray, checkDType, type DType } from '../dtype';
import { Tensor } from '../tensor';

/** `x.to(dtype)`: `x` itself when it already has `dtype`, else a converted copy (`ToCopyBackward0` never arises: only float32 is differentiable). */
export function to(x: Tensor, dtype: DType): Tensor {
  checkDType(dtype, 'to');
  if (x.dtype === dtype) return x;
  return Tensor._make(castArray(x.data, dtype), x.shape, dtype);
}
