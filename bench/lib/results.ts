/** The latest results of each workload, kept in bench/results/<workload>.json for the chart. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Outcome } from './spawn';

export interface Row {
  label: string;
  outcome: Outcome;
}

export interface WorkloadResults {
  machine: string;
  load: string[];
  rows: Row[];
}

export const RESULTS_DIR = path.join(__dirname, '..', '..', 'bench', 'results');

export function saveResults(workload: string, results: WorkloadResults): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${workload}.json`), `${JSON.stringify(results, null, 2)}\n`);
}

export function loadResults(workload: string): WorkloadResults | null {
  const file = path.join(RESULTS_DIR, `${workload}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as WorkloadResults) : null;
}
