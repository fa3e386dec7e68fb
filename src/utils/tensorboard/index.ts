/**
 * kindling/utils/tensorboard: TensorBoard event files, as torch.utils.tensorboard writes them.
 * `import { SummaryWriter } from 'kindling/utils/tensorboard'`.
 */
export { SummaryWriter, defaultLogDir, type SummaryWriterOptions, type AddHparamsOptions } from './writer';
export { SummaryWriterError } from './errors';
export { TENSORFLOW_BINS, type Bins } from './histogram';
export type { HParamValue } from './summaries';
