import { describe, expect, it } from 'vitest';
import { renderChart } from '../../../bench/lib/chart';
import type { WorkloadResults } from '../../../bench/lib/results';

const seed: WorkloadResults = {
  machine: 'Test CPU, 2 vCPU',
  load: [],
  rows: [
    { label: 'kindling', outcome: { ok: true, result: { threads: 2, epochSeconds: 1.5, extrapolated: false, peakRssMb: 100 } } },
    { label: 'PyTorch <fast>', outcome: { ok: true, result: { threads: 2, epochSeconds: 15, extrapolated: true, peakRssMb: 500 } } },
    { label: 'TensorFlow.js (wasm)', outcome: { ok: false, reason: 'missing (npm package not installed)' } },
  ],
};

describe('bench chart', () => {
  it('draws one bar per result that ran, kindling highlighted, longer for slower on the seed panel', () => {
    const svg = renderChart(seed, null);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const bars = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)" height="\d+" class="(ours|ref)"\/>/g)];
    expect(bars.map((b) => b[2])).toEqual(['ours', 'ref']);
    expect(Number(bars[1][1])).toBeGreaterThan(Number(bars[0][1]));
    expect(svg).toContain('1.50 s');
    expect(svg).toContain('15.0 s *'); // extrapolated
    expect(svg).toContain('PyTorch &lt;fast&gt;, 2 threads'); // escaped
    expect(svg).not.toContain('TensorFlow.js (wasm)');
    expect(svg).toContain('no results yet'); // the wide panel
  });
});
