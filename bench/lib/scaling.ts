/** The thread-scaling table: one row per system, its figure on 1 and 2 threads, and the gain. */
import { fixed, table } from './markdown';
import type { Row } from './results';
import type { ChildResult } from './spawn';

export function scalingTable(workload: string, unit: string, value: (r: ChildResult) => number, pairs: [string, Row, Row][]): string {
  const body = pairs.map(([label, one, two]) => {
    const a = one.outcome.ok ? value(one.outcome.result) : NaN;
    const b = two.outcome.ok ? value(two.outcome.result) : NaN;
    const show = (row: Row, v: number): string => (row.outcome.ok ? fixed(v, unit === 'samples/s' ? 0 : 2) : row.outcome.reason);
    const gain = unit === 'samples/s' ? b / a : a / b;
    return [workload, label, show(one, a), show(two, b), Number.isFinite(gain) ? `${gain.toFixed(2)}×` : '—'];
  });
  return table(['workload', 'system', `1 thread (${unit})`, `2 threads (${unit})`, '2-thread speed-up'], body);
}
