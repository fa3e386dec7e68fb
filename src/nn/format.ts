/**
 * Text helpers that make kindling's module printing read exactly like PyTorch's `repr`.
 */

/** Indents every line but the first by `spaces` (PyTorch's `_addindent`; blank lines stay empty). */
export function addIndent(text: string, spaces: number): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const pad = ' '.repeat(spaces);
  const first = lines.shift() as string;
  return [first, ...lines.map((line) => (line.trim() ? pad + line : ''))].join('\n');
}

/**
 * Formats a number the way Python's `repr(float)` does (`0.5`, `1.0`, `1e-05`, `1e+16`), so
 * `Dropout(p=0.5, inplace=False)` and friends print as in PyTorch. JS has no int/float split, so a
 * float option always prints as a float: `Dropout(0)` prints `p=0.0` (PyTorch: `p=0` for an int).
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without digits gives the shortest round-trip digits, as Python's repr does.
  const [mantissa, exponentText] = x.toExponential().split('e');
  const exponent = Number(exponentText);
  const decimalPoint = exponent + 1;
  if (decimalPoint <= -4 || decimalPoint > 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(x);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** Python's `str(bool)`. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** kindling's shape notation, `[64, 784]`, used in error messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

