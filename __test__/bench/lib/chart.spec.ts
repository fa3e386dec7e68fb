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

  it('draws the CNN panel from the median of each system\'s step runs, skipping epoch rows', () => {
    const step = (ms: number, threads = 2) => ({ ok: true as const, result: { threads, msPerStep: ms, peakRssMb: 100 } });
    const cnn: WorkloadResults = {
      machine: 'Test CPU, 2 vCPU',
      load: [],
      rows: [
        { label: 'kindling', outcome: step(70) },
        { label: 'PyTorch', outcome: step(90) },
        { label: 'kindling', outcome: step(60) },
        { label: 'PyTorch', outcome: step(80) },
        { label: 'kindling', outcome: step(75) },
        { label: 'PyTorch', outcome: step(85) },
        { label: 'TensorFlow.js (wasm)', outcome: step(400, 1) },
        { label: 'kindling', outcome: { ok: true, result: { threads: 2, epochSeconds: 80, peakRssMb: 600 } } },
      ],
    };
    expect(renderChart(seed, null)).not.toContain('MNIST CNN');
    const svg = renderChart(seed, null, cnn);
    expect(svg).toContain('MNIST CNN (pytorch/examples), one training step at batch 64');
    const labels = [...svg.matchAll(/class="label" text-anchor="end">([^<]+)</g)].map((m) => m[1]);
    expect(labels.slice(2)).toEqual(['kindling, 2 threads', 'PyTorch, 2 threads', 'TensorFlow.js (wasm), 1 thread']);
    expect(svg).toContain('70.0 ms'); // median of 70, 60, 75
    expect(svg).toContain('85.0 ms'); // median of 90, 80, 85
    expect(svg).toContain('400.0 ms');
    const bars = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)" height="\d+" class="(ours|ref)"\/>/g)].slice(2);
    expect(bars.map((b) => b[2])).toEqual(['ours', 'ref', 'ref']);
    expect(Number(bars[2][1])).toBeGreaterThan(Number(bars[1][1]));
    // The panel sits below the others and the picture grows to hold it.
    const height = (s: string) => Number(/height="(\d+)" viewBox/.exec(s)?.[1]);
    expect(height(svg)).toBeGreaterThan(height(renderChart(seed, null)));
  });
});
