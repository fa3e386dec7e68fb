/** Markdown tables and the marker-delimited sections of BENCHMARKS.md the suite rewrites. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export const BENCHMARKS_MD = path.join(__dirname, '..', '..', 'BENCHMARKS.md');

/**
 * Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->` in `file`, or
 * appends a new `## title` section holding it.
 */
export function writeSection(name: string, title: string, body: string, file = BENCHMARKS_MD): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${begin}\n${body.trim()}\n${end}`;
  let text = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n\n`npm run bench` regenerates the tables between the markers.\n';
  if (text.includes(begin) && text.includes(end)) {
    text = text.slice(0, text.indexOf(begin)) + section + text.slice(text.indexOf(end) + end.length);
  } else {
    text = `${text.trimEnd()}\n\n## ${title}\n\n${section}\n`;
  }
  fs.writeFileSync(file, text);
}

export const fixed = (x: number | null | undefined, digits: number): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);

/** 12,345 */
export const grouped = (x: number): string => Math.round(x).toLocaleString('en-US');
