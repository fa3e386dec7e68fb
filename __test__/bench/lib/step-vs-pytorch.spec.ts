import { describe, expect, it } from 'vitest';
import type { Row } from '../../../bench/lib/results';
import { pairedRatios } from '../../../bench/lib/step-vs-pytorch';

const run = (label: string, ms: number | null): Row =>
  ms === null ? { label, outcome: { ok: false, reason: 'failed' } } : { label, outcome: { ok: true, result: { threads: 2, msPerStep: ms } } };

describe('step workloads: run-by-run ratios', () => {
  it('pairs each kindling run with the PyTorch run after it, skipping failed runs', () => {
    const rows = [run('kindling', 80), run('PyTorch', 100), run('kindling', 90), run('PyTorch', null), run('kindling', 50), run('PyTorch', 60)];
    expect(pairedRatios(rows)).toEqual([1.25, 1.2]);
  });

  it('pairs nothing when the order is not kindling then PyTorch', () => {
    expect(pairedRatios([run('PyTorch', 100), run('kindling', 80)])).toEqual([]);
  });
});
