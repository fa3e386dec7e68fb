/**
 * Regression (found probing the safetensors loader beyond the byte mutations): a damaged
 * `kindling` structure in `__metadata__` gave JS's own errors or a non-object result:
 * `{"a": {"__object__": null}}` threw "Cannot convert undefined or null to object", a structure
 * nested 20,000 levels deep threw "Maximum call stack size exceeded", and a structure `5` loaded
 * as the number 5 (save only writes objects). Each is now a CheckpointError naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../../src';
import { CheckpointError } from '../../../src/serialization';
import { encodeSafetensors } from '../../../src/serialization/safetensors';

const dir = mkdtempSync(join(tmpdir(), 'kindling-structure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWithStructure(structure: string): string {
  const path = join(dir, 'c.safetensors');
  writeFileSync(path, encodeSafetensors(new Map(), { format: 'pt', kindling: structure }).header);
  return path;
}

describe('a damaged kindling structure in a checkpoint', () => {
  it('an __object__ tag holding null is a CheckpointError', () => {
    const path = fileWithStructure('{"a":{"__object__":null}}');
    expect(() => torch.load(path)).toThrow(CheckpointError);
    expect(() => torch.load(path)).toThrow(`load: ${path}: the kindling structure has a bad __object__ null`);
  });

  it('a structure nested deeper than 1000 levels is a CheckpointError, not a stack overflow', () => {
    const path = fileWithStructure('{"a":' + '['.repeat(20000) + ']'.repeat(20000) + '}');
    expect(() => torch.load(path)).toThrow(`load: ${path}: the kindling structure is nested deeper than 1000 levels`);
  });

  it('a structure that is not an object at the top is a CheckpointError', () => {
    for (const [structure, got] of [['5', 'number'], ['[1]', 'an array'], ['null', 'null']]) {
      const path = fileWithStructure(structure);
      expect(() => torch.load(path)).toThrow(`load: ${path}: the kindling structure must be an object at the top level, got ${got}`);
    }
  });

  it('a valid nested structure still loads', () => {
    const path = join(dir, 'ok.safetensors');
    torch.save({ a: { __object__: 1 }, b: [[[1]]], t: torch.tensor([1, 2]) }, path);
    const loaded = torch.load<{ a: unknown; b: unknown }>(path);
    expect(loaded.a).toEqual({ __object__: 1 });
    expect(loaded.b).toEqual([[[1]]]);
  });
});
