import { Tensor } from '../tensor';

/**
 * A Tensor that a `Module` registers as a parameter when it is assigned to one of its fields:
 * it shows up in `parameters()` and `stateDict()`, and requires grad by default.
 * It shares storage with the tensor it wraps (no copy), like `torch.nn.Parameter(data)`.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.parameter.Parameter.html
 *
 * @example
 * class Scale extends nn.Module {
 *   gain = new nn.Parameter(torch.ones([1]));
 *   forward(x: Tensor): Tensor { return x.mul(this.gain); }
 * }
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.data, data.shape.slice(), data.dtype);
    this.requiresGrad = requiresGrad;
  }

  /** `Parameter containing:` followed by the tensor, as PyTorch prints a Parameter. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
