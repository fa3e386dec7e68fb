import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fixed, grouped, table, writeSection } from '../../../bench/lib/markdown';

describe('bench markdown', () => {
  it('builds a table with a separator row', () => {
    expect(table(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });

  it('formats missing numbers as a dash', () => {
    expect(fixed(null, 1)).toBe('—');
    expect(fixed(NaN, 1)).toBe('—');
    expect(fixed(1.25, 1)).toBe('1.3');
    expect(grouped(12345.6)).toBe('12,346');
  });

  it('appends a section, then replaces only its own text', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-md-'));
    onTestFinished(() => fs.rmSync(folder, { recursive: true, force: true }));
    const file = path.join(folder, 'B.md');
    fs.writeFileSync(file, '# Benchmarks\n\n<!-- gemm:begin -->\ngemm table\n<!-- gemm:end -->\n');
    writeSection('seed', 'Seed', 'first', file);
    expect(fs.readFileSync(file, 'utf8')).toBe(
      '# Benchmarks\n\n<!-- gemm:begin -->\ngemm table\n<!-- gemm:end -->\n\n## Seed\n\n<!-- seed:begin -->\nfirst\n<!-- seed:end -->\n',
    );
    writeSection('seed', 'Seed', 'second', file);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('<!-- seed:begin -->\nsecond\n<!-- seed:end -->');
    expect(text).not.toContain('first');
    expect(text).toContain('gemm table');
    expect(text.match(/## Seed/g)).toHaveLength(1);
  });
});
