/**
 * A dependency-free SVG bar chart of the latest results: seed epoch seconds, wide samples/s and the
 * MNIST CNN's ms per training step per system, written to bench/results/benchmarks.svg (embedded
 * by BENCHMARKS.md and the README).
 * Bars use a log scale: the systems differ by two orders of magnitude, and a linear axis would
 * shrink the fastest bars to nothing. Every bar carries its value.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadResults, RESULTS_DIR, WorkloadResults } from './results';

interface Bar {
  label: string;
  value: number;
  text: string;
  ours: boolean;
}

const WIDTH = 960;
const LABEL_W = 440;
const BAR_W = 390;
const ROW_H = 26;
const PANEL_GAP = 46;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function bars(results: WorkloadResults | null, key: string, format: (v: number, r: Record<string, unknown>) => string): Bar[] {
  if (!results) return [];
  return results.rows.flatMap((row) => {
    if (!row.outcome.ok) return [];
    const r = row.outcome.result;
    const value = r[key] as number;
    const label = `${row.label}${row.label.includes('thread') ? '' : `, ${r.threads as number} thread${r.threads === 1 ? '' : 's'}`}`;
    return [{ label, value, text: format(value, r), ours: row.label.startsWith('kindling') }];
  });
}

/**
 * The CNN workload saves every repeated run (3 per system) and the epoch runs: one bar per system,
 * the median of its runs' ms per step (rows without `msPerStep` — the epoch runs — are skipped).
 */
function medianBars(results: WorkloadResults | null, key: string, format: (v: number) => string): Bar[] {
  if (!results) return [];
  const byLabel = new Map<string, { values: number[]; threads: number }>();
  for (const row of results.rows) {
    if (!row.outcome.ok || typeof row.outcome.result[key] !== 'number') continue;
    const entry = byLabel.get(row.label) ?? { values: [], threads: row.outcome.result.threads as number };
    entry.values.push(row.outcome.result[key] as number);
    byLabel.set(row.label, entry);
  }
  return [...byLabel.entries()].map(([label, { values, threads }]) => {
    const value = [...values].sort((a, b) => a - b)[values.length >> 1];
    return { label: `${label}, ${threads} thread${threads === 1 ? '' : 's'}`, value, text: format(value), ours: label.startsWith('kindling') };
  });
}

function panel(title: string, data: Bar[], top: number): { svg: string; height: number } {
  const parts = [`<text x="12" y="${top + 18}" class="title">${escape(title)}</text>`];
  if (data.length === 0) {
    parts.push(`<text x="12" y="${top + 44}" class="label">no results yet</text>`);
    return { svg: parts.join('\n'), height: 60 };
  }
  const values = data.map((d) => d.value);
  const lo = Math.log10(Math.min(...values) / 2);
  const hi = Math.log10(Math.max(...values) * 1.2);
  data.forEach((d, i) => {
    const y = top + 32 + i * ROW_H;
    const w = Math.max(2, ((Math.log10(d.value) - lo) / (hi - lo)) * BAR_W);
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + 16}" class="label" text-anchor="end">${escape(d.label)}</text>`,
      `<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW_H - 8}" class="${d.ours ? 'ours' : 'ref'}"/>`,
      `<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 16}" class="value">${escape(d.text)}</text>`,
    );
  });
  return { svg: parts.join('\n'), height: 32 + data.length * ROW_H };
}

export function renderChart(seed: WorkloadResults | null, wide: WorkloadResults | null, cnn: WorkloadResults | null = null): string {
  const seedBars = bars(seed, 'epochSeconds', (v, r) => `${v.toFixed(v < 10 ? 2 : 1)} s${r.extrapolated ? ' *' : ''}`);
  const wideBars = bars(wide, 'samplesPerSecond', (v) => `${Math.round(v).toLocaleString('en-US')}/s`);
  const first = panel('Seed MLP, one MNIST epoch — seconds (log scale, shorter is better)', seedBars, 8);
  const second = panel('Wide MLP 784-1024-1024-10, batch 256 — samples/s (log scale, longer is better)', wideBars, 8 + first.height + PANEL_GAP);
  const cnnBars = medianBars(cnn, 'msPerStep', (v) => `${v.toFixed(v < 10 ? 2 : 1)} ms`);
  const thirdTop = 8 + first.height + PANEL_GAP + second.height + PANEL_GAP;
  const third = cnnBars.length ? panel('MNIST CNN (pytorch/examples), one training step at batch 64 — ms (log scale, shorter is better)', cnnBars, thirdTop) : null;
  const footY = (third ? thirdTop + third.height : 8 + first.height + PANEL_GAP + second.height) + 22;
  const machine = seed?.machine ?? wide?.machine ?? cnn?.machine ?? '';
  const foot = ['* extrapolated from a partial epoch. Shared machine: see BENCHMARKS.md for the load.', machine];
  const height = footY + 16 * foot.length;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">
<style>
.title { font-size: 15px; font-weight: 600; fill: #212529; }
.label { font-size: 13px; fill: #343a40; }
.value { font-size: 12px; fill: #495057; }
.foot { font-size: 11px; fill: #868e96; }
.ours { fill: #e8590c; }
.ref { fill: #adb5bd; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
${first.svg}
${second.svg}
${third ? `${third.svg}\n` : ''}${foot.map((line, i) => `<text x="12" y="${footY + 16 * i}" class="foot">${escape(line)}</text>`).join('\n')}
</svg>
`;
}

export const CHART_FILE = path.join(RESULTS_DIR, 'benchmarks.svg');

export function writeChart(): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(CHART_FILE, renderChart(loadResults('seed'), loadResults('wide'), loadResults('cnn')));
  console.log(`chart: ${path.relative(process.cwd(), CHART_FILE)}`);
}
