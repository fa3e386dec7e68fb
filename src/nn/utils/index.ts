/** `torch.nn.utils`: gradient clipping. */
export { clipGradNorm_, clipGradValue_, type NormType, type ClipGradNormOptions } from './clip-grad';
