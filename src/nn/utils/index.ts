/** `torch.nn.utils`: gradient clipping. */
export { clipGradNorm_, clipGradValue_, type NormType } from './clip-grad';
