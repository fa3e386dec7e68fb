/**
 * The contract of crates/kindling-node (docs/ARCHITECTURE.md, "Boundary"), checked on its source:
 * every exported function catches panics, and the crate only converts arguments and errors — no
 * checks of its own (validation lives in TypeScript or kindling-core) — and only src/ops/kernels.ts
 * imports the binding among the library's sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const bindingSources = join(repo, 'crates', 'kindling-node', 'src');

function files(dir: string, ending: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ending))
    .map((e) => join(e.parentPath, e.name));
}

/** Each `#[napi…]` attribute on a function, with the function's name. */
function napiFunctions(source: string): { attribute: string; name: string }[] {
  const found: { attribute: string; name: string }[] = [];
  const pattern = /#\[napi(\([^\]]*\))?\]\s*(?:(?:#\[[^\]]*\]|\/\/[^\n]*)\s*)*pub fn (\w+)/g;
  for (const m of source.matchAll(pattern)) found.push({ attribute: m[0].split('\n')[0], name: m[2] });
  return found;
}

describe('crates/kindling-node', () => {
  const sources = files(bindingSources, '.rs').map((file) => ({ file: relative(repo, file), text: readFileSync(file, 'utf8') }));

  it('finds the bindings it checks', () => {
    const names = sources.flatMap((s) => napiFunctions(s.text).map((f) => f.name));
    expect(names).toContain('sgemm');
    expect(names).toContain('adam_step');
    expect(names.length).toBeGreaterThanOrEqual(30);
  });

  it('declares every binding #[napi(catch_unwind)], so a panic becomes a JS Error', () => {
    const missing = sources.flatMap((s) =>
      napiFunctions(s.text)
        .filter((f) => !/catch_unwind/.test(f.attribute))
        .map((f) => `${s.file}: ${f.name}`),
    );
    expect(missing).toEqual([]);
  });

  it('makes no errors of its own: every KernelError comes from kindling-core', () => {
    // The one exception is the probe that raises a core error on purpose for the tests.
    const withoutProbe = (text: string): string => text.replace(/pub fn debug_length_error[\s\S]*?\n\}\n/, '');
    const own = sources.filter((s) => /KernelError::\w+\(|check_len\(|check_finite\(/.test(withoutProbe(s.text)));
    expect(own.map((s) => s.file)).toEqual([]);
  });

  it('is imported by src/ops/kernels.ts alone among the library sources', () => {
    const importers = files(join(repo, 'src'), '.ts')
      .filter((file) => /from '(\.\.?\/)+native'|from '\.\/native'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repo, file));
    expect(importers).toEqual(['src/ops/kernels.ts']);
  });
});
