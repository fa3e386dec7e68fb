/**
 * The histogram maths of PyTorch's `add_histogram` (torch/utils/tensorboard/summary.py,
 * `make_histogram`), which follows numpy's `np.histogram` and TensorBoard's histogram.cc.
 */

/** The fields of a `HistogramProto` (summary.proto). */
export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sum_squares: number;
  bucket_limit: number[];
  bucket: number[];
}

/** `bins` of addHistogram: TensorBoard's default edges, a number of equal-width bins, or the edges themselves. */
export type Bins = 'tensorflow' | number | readonly number[];

/**
 * TensorFlow's default bucket edges, as PyTorch's SummaryWriter builds them: ±1e-12 · 1.1^k up
 * to 1e20, mirrored, with 0 between (1549 edges). Built by the same repeated float64 multiply,
 * so the edges are the same doubles as PyTorch's.
 */
export const TENSORFLOW_BINS: readonly number[] = (() => {
  const positive: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) positive.push(v);
  return Object.freeze([...positive.map((v) => -v).reverse(), 0, ...positive]);
})();

/**
 * `np.linspace(first, last, n + 1)`: numpy's `i * step + first` with the last edge set to `last`
 * exactly (the same doubles as numpy, so values on an edge fall in the same bin).
 */
function linspaceEdges(first: number, last: number, n: number): number[] {
  const delta = last - first;
  const step = delta / n;
  const edges = new Array<number>(n + 1);
  for (let i = 0; i <= n; i++) edges[i] = step === 0 ? (i / n) * delta + first : i * step + first;
  edges[n] = last;
  return edges;
}

/**
 * The bin edges `np.histogram(values, bins)` uses: an integer is that many equal-width bins over
 * [min, max] (widened by ±0.5 when all values are equal).
 */
function binEdges(values: Float64Array, min: number, max: number, bins: Bins): readonly number[] {
  if (bins === 'tensorflow') return TENSORFLOW_BINS;
  if (typeof bins === 'number') {
    const [first, last] = min === max ? [min - 0.5, max + 0.5] : [min, max];
    return linspaceEdges(first, last, bins);
  }
  return bins;
}

/**
 * `np.histogram` counts: bin i holds edges[i] <= v < edges[i + 1], the last bin also v == its
 * right edge; values outside [edges[0], edges[n]] are not counted.
 */
function countBins(values: Float64Array, edges: readonly number[]): number[] {
  const n = edges.length - 1;
  const counts = new Array<number>(n).fill(0);
  const lo = edges[0];
  const hi = edges[n];
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    // The last edge <= v among edges[0..n-1], by binary search: v == hi lands in bin n - 1,
    // which is closed on the right as numpy's last bin.
    let a = 0;
    let b = n;
    while (b - a > 1) {
      const mid = (a + b) >>> 1;
      if (edges[mid] <= v) a = mid;
      else b = mid;
    }
    counts[a]++;
  }
  return counts;
}

/**
 * PyTorch's `make_histogram(values, bins, max_bins)`. `values` must be non-empty and finite and
 * `bins` valid (the caller checks, naming its method). Returns null when no value falls inside
 * the edges (PyTorch raises "The histogram is empty").
 */
export function makeHistogram(values: Float64Array, bins: Bins, maxBins?: number): Histogram | null {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  let limits = binEdges(values, min, max, bins).slice();
  let counts = countBins(values, limits);

  // max_bins: merge runs of `subsampling` neighbouring bins (zero-padding the last run).
  if (maxBins !== undefined && counts.length > maxBins) {
    const subsampling = Math.floor(counts.length / maxBins);
    const remainder = counts.length % subsampling;
    if (remainder !== 0) counts = counts.concat(new Array<number>(subsampling - remainder).fill(0));
    const merged: number[] = [];
    for (let i = 0; i < counts.length; i += subsampling) merged.push(counts.slice(i, i + subsampling).reduce((x, y) => x + y, 0));
    const newLimits: number[] = [];
    for (let i = 0; i < limits.length - 1; i += subsampling) newLimits.push(limits[i]);
    newLimits.push(limits[limits.length - 1]);
    counts = merged;
    limits = newLimits;
  }

  // Keep only the support: from one empty bin before the first non-empty one (TensorBoard shows
  // right edges only, so that bin supplies the left edge) to the last non-empty bin.
  const first = counts.findIndex((c) => c > 0);
  if (first < 0) return null;
  let last = counts.length - 1;
  while (counts[last] === 0) last--;
  const keptCounts = first > 0 ? counts.slice(first - 1, last + 1) : [0, ...counts.slice(0, last + 1)];
  const keptLimits = limits.slice(first, last + 2);
  return { min, max, num: values.length, sum, sum_squares: sumSquares, bucket_limit: keptLimits, bucket: keptCounts };
}
