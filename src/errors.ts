/**
 * kindling's error types. Wrong types throw `TypeError`; wrong values throw `RangeError`; the
 * subclasses below let callers tell the kinds apart while `instanceof RangeError` keeps working.
 * Messages follow PyTorch's wording where PyTorch has one.
 */

/**
 * Shapes that do not fit an op: broadcasting failures, matmul size mismatches, invalid reshapes.
 * (PyTorch raises `RuntimeError` for these.)
 */
export class ShapeError extends RangeError {
  override name = 'ShapeError';
}

/**
 * Misuse of autograd: backward without a graph, a freed graph, an in-place op on a leaf that
 * requires grad, non-scalar implicit gradients. (PyTorch raises `RuntimeError` for these.)
 */
export class AutogradError extends Error {
  override name = 'AutogradError';
}

/**
 * Normalizes a dim argument of `op` against a tensor of `rank` (negative dims count from the end).
 * A non-integer (0.5, NaN, Infinity, a string) is a `TypeError` naming the op and the argument
 * (`sum(): argument 'dim' must be an integer, but got 0.5`); an integer out of range is PyTorch's
 * IndexError wording, `Dimension out of range (expected to be in range of [-2, 1], but got 2)`.
 * `argument` is the parameter's name where it is not `dim` (`startDim`, `dim0`, …).
 */
export function normalizeDim(dim: number, rank: number, op: string, argument = 'dim'): number {
  // PyTorch treats a 0-d tensor as having one addressable dimension for dim arguments.
  const r = rank === 0 ? 1 : rank;
  if (!Number.isInteger(dim)) {
    const got = typeof dim === 'number' ? String(dim) : `${String(dim)} (${typeof dim})`;
    throw new TypeError(`${op}(): argument '${argument}' must be an integer, but got ${got}`);
  }
  if (dim < -r || dim >= r) {
    // BigInt prints a huge integer in full (1e21 → 1000000000000000000000), as PyTorch prints its int64.
    throw new RangeError(`Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${BigInt(dim)})`);
  }
  return dim < 0 ? dim + r : dim;
}

/**
 * A short type name for error messages about values of the wrong kind: `null`, the `typeof` of a
 * primitive or function (`number`, `function`), else the object's class name (`Object`, `MLP`).
 */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name || 'object';
}
