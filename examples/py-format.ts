/**
 * Python's number formatting where the examples print PyTorch's lines. `'{:.Nf}'.format(x)` and
 * JavaScript's `toFixed` both round the exact binary value of `x`, and differ only on an exact
 * tie (the digits after the last printed one are 5000…): Python rounds it to even, `toFixed` away
 * from zero (`'{:.0f}'.format(2.5)` is '2', `(2.5).toFixed(0)` is '3'). `0.00005` is not a tie
 * (its double is 5.00000000000000023960868e-5): both print '0.0001'.
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x.toFixed(digits);
  // toFixed(100) spells the double's exact value when it is ≥ 2^-47 (at most 99 binary, hence
  // decimal, places); a tie at N ≤ 14 digits is ≥ 0.5e-14 > 2^-47, so every such tie is seen.
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + digits);
  if (!/^50*$/.test(rest)) return x.toFixed(digits);
  const truncated = exact.slice(0, digits === 0 ? point : point + 1 + digits);
  const lastDigit = Number(truncated[truncated.length - 1]);
  // Even last digit: the tie goes down (toward zero, the truncation); odd: up, as toFixed does.
  if (lastDigit % 2 === 1) return x.toFixed(digits);
  return `${x < 0 || Object.is(x, -0) ? '-' : ''}${truncated}`;
}
