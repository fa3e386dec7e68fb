/**
 * kindling/vision: datasets and transforms, as `torchvision`.
 * `import { MNIST, transforms } from 'kindling/vision'`.
 */
export * as transforms from './transforms';
export type { Transform } from './transforms';
export { MNIST, FashionMNIST, type MNISTOptions } from './mnist';
export { IdxFormatError, parseIdx, readIdxFile } from './idx';
