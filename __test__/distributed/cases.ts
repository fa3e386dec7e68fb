/**
 * The inputs every rank feeds the collectives in mpi-worker.ts, and what each collective must
 * give, computed here in plain JS from the same formulas (never through MPI). Values are small
 * integers and halves, so float32 sums and products are exact and the expectations need no
 * tolerance except for AVG's division.
 */
export type DT = 'float32' | 'int32' | 'int64';
export type Op = 'SUM' | 'AVG' | 'PRODUCT' | 'MIN' | 'MAX';

export const SIZES = [1, 7, 1000, 65537];
export const GATHER_SIZES = [1, 7, 1000];

/** Element i of rank r's input, as a JS number (int64 values also fit a double exactly). */
export function input(dtype: DT, rank: number, i: number, forProduct = false): number {
  if (forProduct) return dtype === 'float32' ? ((rank + i) % 3) * 0.5 + 0.5 : ((rank + i) % 3) - 1;
  if (dtype === 'float32') return (rank + 1) * 0.5 + (i % 7) - 3;
  if (dtype === 'int32') return (rank + 1) * ((i % 5) + 1) - 7;
  // Beyond 2^32, so a narrowing anywhere on the way would show.
  return (rank + 1) * 3_000_000_000 + (i % 3) - 1;
}

export function reduce(op: Op, values: number[]): number {
  switch (op) {
    case 'SUM':
      return values.reduce((a, b) => a + b, 0);
    case 'AVG':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'PRODUCT':
      return values.reduce((a, b) => a * b, 1);
    case 'MIN':
      return Math.min(...values);
    case 'MAX':
      return Math.max(...values);
  }
}

/** Element i of the reduction over `size` ranks. */
export function reduced(op: Op, dtype: DT, size: number, i: number): number {
  const values = Array.from({ length: size }, (_, r) => input(dtype, r, i, op === 'PRODUCT'));
  return reduce(op, values);
}

/** The all-reduce cases: every op on every dtype where PyTorch allows it. */
export function allReduceCases(): { dtype: DT; op: Op; n: number }[] {
  const cases: { dtype: DT; op: Op; n: number }[] = [];
  for (const dtype of ['float32', 'int32', 'int64'] as DT[]) {
    const ops: Op[] = dtype === 'float32' ? ['SUM', 'AVG', 'PRODUCT', 'MIN', 'MAX'] : dtype === 'int32' ? ['SUM', 'PRODUCT', 'MIN', 'MAX'] : ['SUM', 'MIN', 'MAX'];
    for (const op of ops) for (const n of SIZES) cases.push({ dtype, op, n });
  }
  return cases;
}

/** Relative tolerance of a case: AVG divides, everything else is exact. */
export function tolerance(op: Op): number {
  return op === 'AVG' ? 1e-6 : 0;
}
