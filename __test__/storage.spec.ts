import { describe, expect, it } from 'vitest';
import * as torch from '../src';
import { Storage, bumpVersion } from '../src/storage';

describe('Storage', () => {
  it('holds the typed array and a version counter that only bumpVersion moves', () => {
    const data = new Float32Array([1, 2, 3]);
    const s = new Storage(data);
    expect(s.data).toBe(data);
    expect(s.version).toBe(0);
    bumpVersion({ storage: s });
    bumpVersion({ storage: s });
    expect(s.version).toBe(2);
  });

  it('is shared by a tensor, its views and detach(), whose data share its memory', () => {
    const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3);
    expect(x.storage.data).toBe(x.data); // contiguous, offset 0, full length: the array itself
    const row = x.select(0, 1);
    expect(row.storage).toBe(x.storage);
    expect(row.data.buffer).toBe(x.data.buffer); // a zero-copy subarray
    expect(row.data.byteOffset).toBe(3 * 4);
    expect(x.detach().storage).toBe(x.storage);
    const t = x.t();
    expect(t.storage).toBe(x.storage);
    expect(t.data.buffer).not.toBe(x.data.buffer); // non-contiguous: `data` is a contiguous copy
    expect(Array.from(t.data)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('a tensor an op makes gets its storage only when first needed, at version 0', () => {
    const y = torch.ones(3).add(1);
    expect(y._version).toBe(0);
    expect(y.storage.data).toBe(y.data);
    y.add_(1);
    expect(y._version).toBe(1);
  });
});
