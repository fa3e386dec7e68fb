/** Small IDX files written by the tests themselves (no binary fixtures in the repository). */
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';

/** An unsigned-byte IDX file of `shape` holding `data`. */
export function idxBytes(shape: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((size, d) => header.writeUInt32BE(size, 4 + 4 * d));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** `count` images of rows×cols where pixel p of image i is (i * 7 + p) % 256, and labels i % 10. */
export function digits(count: number, rows = 28, cols = 28): { images: Buffer; labels: Buffer } {
  const pixels = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) for (let p = 0; p < rows * cols; p++) pixels[i * rows * cols + p] = (i * 7 + p) % 256;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images: idxBytes([count, rows, cols], pixels), labels: idxBytes([count], labels) };
}

export function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

const roots: string[] = [];
// Registered on the suite of the test file that imports this module: its folders go with it.
afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A fresh folder in the temp dir, removed after the test file. */
export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'kindling-vision-'));
  roots.push(root);
  return root;
}

/** The four MNIST files (train: 12 images, test: 5), as bytes keyed by their .gz names. */
export function mnistFiles(): Record<string, Buffer> {
  const train = digits(12);
  const test = digits(5);
  return {
    'train-images-idx3-ubyte.gz': gzipSync(train.images),
    'train-labels-idx1-ubyte.gz': gzipSync(train.labels),
    't10k-images-idx3-ubyte.gz': gzipSync(test.images),
    't10k-labels-idx1-ubyte.gz': gzipSync(test.labels),
  };
}

/** Writes `files` (name -> bytes) under `root/<folder>/raw`. */
export function writeRaw(root: string, folder: string, files: Record<string, Uint8Array>): string {
  const raw = join(root, folder, 'raw');
  mkdirSync(raw, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(raw, name), bytes);
  return raw;
}
