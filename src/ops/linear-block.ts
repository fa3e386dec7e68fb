/**
 * A fused `Linear → Dropout → ReLU` block (either of the last two may be absent): what
 * `nn.Sequential` runs for such a run of built-in modules (nn/fusion.ts). One sgemm with the bias
 * fused, then one in-place native epilogue (dropout mask from the generator's `(seed, offset)`,
 * then relu) — one buffer, one tensor and one graph node instead of three of each.
 *
 * NOTE [ Fused blocks give the unfused results ]
 * Forward and backward are bit for bit those of `linear`, `dropout`, `relu` applied in a row
 * (same kernels' arithmetic, same generator draws in the same order; tested both ways). What
 * differs is only the graph's shape: the block's output has ONE node, named after its last op
 * (`ReluBackward0`, or `NativeDropoutBackward0`), whose edges are the linear's (bias, input,
 * weight) — PyTorch would show ReluBackward0 → NativeDropoutBackward0 → AddmmBackward0. The
 * intermediate tensors are never created, which a Sequential never exposes anyway.
 */
import { uninitF32 } from '../dtype';
import { recording } from '../autograd/function';
import { type Generator, generatorOf } from '../random/generator';
import { Tensor } from '../tensor';
import { checkDropoutProbability } from './dropout';
import { kernels } from './kernels';
import { attachLinear, checkLinear, linear, linearForward, linearOutputShape } from './matmul';

/**
 * Scratch for the gradient of the linear output inside a block's backward: it is consumed by the
 * same closure (column sums, dW, dX all write elsewhere) and never escapes, so one buffer serves
 * every block and step (backward closures run one at a time on this thread).
 */
let scratch = new Float32Array(0);

function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(Math.max(n, 2 * scratch.length));
  return scratch.subarray(0, n);
}

/**
 * `relu(dropout(linear(input, weight, bias), p))`, where `p = 0` means no dropout (as
 * `F.dropout` with `training = false` or `p = 0`) and `relu = false` no relu.
 */
export function linearDropoutRelu(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  p: number,
  relu: boolean,
  generator?: Generator,
): Tensor {
  if (p === 0 && !relu) return linear(input, weight, bias);
  checkDropoutProbability(p);
  const sizes = checkLinear(input, weight, bias);
  const { rows, outF } = sizes;
  const outShape = linearOutputShape(input, outF);
  const y = uninitF32(rows * outF, 'linear', outShape);
  linearForward(input, weight, bias, sizes, y);
  let seed = 0;
  let offset = 0;
  if (p > 0) {
    generatorOf('dropout', generator).draw((s, o) => {
      seed = s;
      offset = o;
      return kernels.dropoutReluInplace(y, p, s, o, relu);
    });
  } else {
    kernels.dropoutReluInplace(y, 0, 0, 0, relu);
  }
  const out = Tensor._make(y, outShape, 'float32');
  if (recording(input, weight, bias)) {
    const n = rows * outF;
    attachLinear(out, relu ? 'ReluBackward0' : 'NativeDropoutBackward0', input, weight, bias, sizes, (g) => {
      const gy = scratchOf(n);
      kernels.dropoutReluBackward(g.data as Float32Array, y, gy, p, seed, offset, relu);
      return gy;
    }, true);
  }
  return out;
}
