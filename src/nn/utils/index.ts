/** `torch.nn.utils`: gradient clipping. */
export { clipGradNorm_, clipGradValue_, type NormType, type ClipGradNormOptions } from './clip-grad';
export * as rnn from './rnn';
export { padSequence, type PadSequenceOptions } from './rnn';
