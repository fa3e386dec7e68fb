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

/** `Dimension out of range (expected to be in range of [-2, 1], but got 2)`, as PyTorch's IndexError. */
export function normalizeDim(dim: number, rank: number): number {
  // PyTorch treats a 0-d tensor as having one addressable dimension for dim arguments.
  const r = rank === 0 ? 1 : rank;
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, but got ${dim}`);
  if (dim < -r || dim >= r) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + r : dim;
}
