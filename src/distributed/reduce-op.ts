/**
 * `torch.distributed.ReduceOp`: how `allReduce` and `reduceScatter` combine the ranks' values.
 * The numbers are PyTorch's (`ReduceOp.RedOpType`), which the native addon also uses.
 */
export const ReduceOp = Object.freeze({
  SUM: 0,
  /** The mean over ranks: floating-point tensors only (a SUM, then a division by the world size). */
  AVG: 1,
  PRODUCT: 2,
  MIN: 3,
  MAX: 4,
} as const);

export type ReduceOp = (typeof ReduceOp)[keyof typeof ReduceOp];

const NAMES: readonly string[] = ['SUM', 'AVG', 'PRODUCT', 'MIN', 'MAX'];

/** `ReduceOp.SUM` → `'SUM'`, for messages. */
export function reduceOpName(op: number): string {
  return NAMES[op] ?? String(op);
}

/** Throws a `TypeError` naming `op` unless `value` is one of the `ReduceOp` members. */
export function checkReduceOp(opName: string, value: unknown): ReduceOp {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < NAMES.length) return value as ReduceOp;
  const got = typeof value === 'string' ? `string '${value}'` : `${typeof value} ${String(value)}`;
  throw new TypeError(`${opName}: op must be a ReduceOp (${NAMES.map((n) => `ReduceOp.${n}`).join(', ')}), but got ${got}`);
}
