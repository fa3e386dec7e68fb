/**
 * `torch.onnx`: `onnx.export(model, args, 'model.onnx', { inputNames, outputNames, dynamicAxes,
 * opsetVersion })` and its errors. See docs/ONNX.md.
 */
export { exportModel as export } from './export';
export type { ExportOptions } from './export';
export { OnnxExportError, UnsupportedOperatorError } from './errors';
