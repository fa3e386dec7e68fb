import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IdxFormatError, parseIdx, readIdxFile } from '../../src/vision';
import { idxBytes, tempRoot } from './fixtures';

const good = idxBytes([2, 2, 3], Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));

describe('IDX reader', () => {
  it('reads shape and data, raw or gzipped', () => {
    for (const bytes of [good, gzipSync(good)]) {
      const { shape, data } = parseIdx(bytes, 'x', 3);
      expect(shape).toEqual([2, 2, 3]);
      expect(Array.from(data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
  });

  it('reads a file and names it in errors', () => {
    const dir = tempRoot();
    writeFileSync(join(dir, 'good-idx3-ubyte'), good);
    expect(readIdxFile(join(dir, 'good-idx3-ubyte'), 3).shape).toEqual([2, 2, 3]);
    const bad = join(dir, 'bad-idx3-ubyte');
    writeFileSync(bad, good.subarray(0, good.length - 1));
    expect(() => readIdxFile(bad, 3)).toThrow(`${bad}: truncated: the header declares 2×2×3 = 12 bytes of data, the file has 11`);
  });

  it('rejects a wrong magic number', () => {
    const bytes = Buffer.from(good);
    bytes[0] = 0x1a;
    expect(() => parseIdx(bytes, 'f.idx', 3)).toThrow(IdxFormatError);
    expect(() => parseIdx(bytes, 'f.idx', 3)).toThrow('f.idx: wrong magic number 0x1a000803: not an IDX file');
  });

  it('rejects an unsupported element type', () => {
    const bytes = Buffer.from(good);
    bytes[2] = 0x0d;
    expect(() => parseIdx(bytes, 'f', 3)).toThrow('f: unsupported IDX element type 0x0d (expected 0x08, unsigned byte)');
  });

  it('rejects the wrong number of dimensions', () => {
    expect(() => parseIdx(good, 'labels', 1)).toThrow('labels: expected 1 dimensions, got 3');
  });

  it('rejects truncated headers, truncated data and trailing bytes', () => {
    expect(() => parseIdx(good.subarray(0, 3), 'f', 3)).toThrow('f: truncated: 3 bytes, too short for an IDX header');
    expect(() => parseIdx(good.subarray(0, 10), 'f', 3)).toThrow('f: truncated: 10 bytes, the header of 3 dimensions needs 16');
    expect(() => parseIdx(good.subarray(0, good.length - 1), 'f', 3)).toThrow(
      'f: truncated: the header declares 2×2×3 = 12 bytes of data, the file has 11',
    );
    expect(() => parseIdx(Buffer.concat([good, Buffer.from([1])]), 'f', 3)).toThrow(
      'f: 1 bytes after the 2×2×3 = 12 bytes the header declares',
    );
  });

  it('rejects corrupt gzip data', () => {
    const gz = gzipSync(good);
    expect(() => parseIdx(gz.subarray(0, gz.length - 8), 'f.gz', 3)).toThrow(/^f\.gz: corrupt gzip data/);
  });
});
