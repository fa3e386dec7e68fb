/** Latency statistics of one child: each call timed alone, then p50 / p99 / mean in ms. */
export interface Latency {
  p50: number;
  p99: number;
  mean: number;
  calls: number;
}

/** The `q` quantile of sorted values (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function latencyOf(ms: number[]): Latency {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), mean: ms.reduce((a, b) => a + b, 0) / ms.length, calls: ms.length };
}

/** Timed calls for a batch: enough for a stable p99 at batch 1, fewer where one call is long. */
export function callsFor(model: string, batch: number): { warmup: number; calls: number } {
  const cap = Number(process.env.BENCH_INFERENCE_CALLS);
  const calls = model === 'cnn' && batch > 1 ? 200 : 2000;
  return { warmup: Math.max(20, calls / 10), calls: Number.isInteger(cap) && cap > 0 ? Math.min(cap, calls) : calls };
}
