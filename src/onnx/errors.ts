/**
 * The errors of `onnx.export`. `OnnxExportError` covers a model or a path the exporter cannot
 * take (a missing directory, a layer in training mode); `UnsupportedOperatorError`, PyTorch's
 * `torch.onnx.errors.UnsupportedOperatorError`, an op with no ONNX mapping, naming the op and the
 * module whose `forward` ran it.
 */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

export class UnsupportedOperatorError extends OnnxExportError {
  override name = 'UnsupportedOperatorError';
  /** The op's name as PyTorch's aten op (`cumsum`, `masked_fill`). */
  readonly op: string;
  /** The dotted path of the module that ran it (`encoder.layers.0`; '' for the model itself). */
  readonly modulePath: string;

  constructor(op: string, modulePath: string, message: string) {
    super(message);
    this.op = op;
    this.modulePath = modulePath;
  }
}

/** `(in module 'encoder.layers.0')`, or the model's own forward for the root. */
export function whereIn(modulePath: string, rootName: string): string {
  return modulePath === '' ? `(in the model's own forward, ${rootName})` : `(in module '${modulePath}')`;
}

/** The aten op name of a PyTorch backward node name: `CumsumBackward0` → `cumsum`, `MaskedFillBackward1` → `masked_fill`. */
export function opNameOf(nodeName: string): string {
  const base = nodeName.replace(/Backward\d*$/, '');
  return base.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}
