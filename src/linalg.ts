/** `torch.linalg`: the linear-algebra functions kindling has (`import * as torch`, `torch.linalg.vectorNorm(x)`). */
export { vectorNorm } from './ops/norm';
