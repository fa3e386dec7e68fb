/**
 * Tensors written by the fixture scripts as `{ dtype?, shape, values }` with `"-inf"` spelled out
 * (JSON has no infinities) and bools as 0/1: the attention, MultiheadAttention and Transformer
 * fixtures.
 */
import * as torch from '../../src';

export interface Encoded {
  dtype?: 'bool' | 'float32';
  shape: number[];
  values: (number | string)[];
}

/** A value of an encoded list: `"-inf"` → −∞. */
export const num = (v: number | string): number => (v === '-inf' ? -Infinity : (v as number));

/** The tensor an `Encoded` describes (a leaf requiring grad when asked). */
export function tensorOf(e: Encoded, requiresGrad = false): torch.Tensor {
  if (e.dtype === 'bool') return torch.tensor(e.values.map((v) => v === 1), { dtype: 'bool' }).reshape(e.shape);
  return torch.tensor(e.values.map(num)).reshape(e.shape).detach().requiresGrad_(requiresGrad);
}
