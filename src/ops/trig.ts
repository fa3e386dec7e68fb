/**
 * `torch.sin` and `torch.cos` on the native `unary` kernel (libm's `sinf`/`cosf`, faithfully
 * rounded as PyTorch's Sleef kernels are). The backward saves the input, as PyTorch's
 * `SinBackward0`/`CosBackward0` do: `g·cos(x)` and `−g·sin(x)`. Integer inputs give float32.
 */
import type { Tensor } from '../tensor';
import { unaryOp } from './elementwise';
import { UnaryOp } from './kernels';

/** `torch.sin(x)`. */
export const sin = (x: Tensor): Tensor => unaryOp('sin', UnaryOp.sin, 'SinBackward0', x, false);

/** `torch.cos(x)`. */
export const cos = (x: Tensor): Tensor => unaryOp('cos', UnaryOp.cos, 'CosBackward0', x, false);
