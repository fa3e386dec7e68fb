/**
 * Float32 distance in units in the last place, for ops whose PyTorch kernel and kindling's differ
 * only by libm rounding (sin/cos: Sleef's `_u10` vs libm's `sinf`, both faithfully rounded).
 */
const f = new Float32Array(1);
const i = new Int32Array(f.buffer);

/** A float32's bits as an integer that orders like the value (negatives mirrored below 0). */
function ordered(x: number): number {
  f[0] = x;
  return i[0] < 0 ? -0x80000000 - i[0] : i[0];
}

/** How many float32s apart `a` and `b` are (0 for equal values, NaN with NaN, +0 with −0). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  return Math.abs(ordered(a) - ordered(b));
}

/** The fixtures' encoding of non-finite float32 values. */
export function num(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new TypeError(`not a fixture number: ${v}`);
}

/** Throws naming the worst element when any pair is more than `maxUlps` apart. */
export function expectUlps(actual: ArrayLike<number>, expected: ArrayLike<number | string>, maxUlps: number, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: ${actual.length} elements, expected ${expected.length}`);
  let worst = -1;
  let worstUlps = 0;
  for (let k = 0; k < actual.length; k++) {
    const d = ulpDistance(actual[k], num(expected[k]));
    if (d > worstUlps) [worst, worstUlps] = [k, d];
  }
  if (worstUlps > maxUlps) {
    throw new Error(`${label}: element ${worst} is ${actual[worst]}, expected ${num(expected[worst])} (${worstUlps} ulps > ${maxUlps})`);
  }
}
