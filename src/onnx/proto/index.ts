/**
 * ONNX's `ModelProto`, loaded once from the generated JSON descriptor (see README.md here).
 * protobufjs/light: the JSON form needs no .proto parser.
 */
import { Root, type Type } from 'protobufjs/light';
import { descriptor } from './descriptor';

const root = Root.fromJSON(descriptor);

export const ModelProto: Type = root.lookupType('onnx.ModelProto');

/** Encodes a plain `ModelProto` object (field names as in onnx.proto) as its wire bytes. */
export function encodeModel(value: Record<string, unknown>): Uint8Array {
  // fromObject converts nested plain objects; verify first so that a field of the wrong kind is
  // an error here, not silently dropped bytes in the file.
  const message = ModelProto.fromObject(value);
  const problem = ModelProto.verify(message);
  if (problem !== null) throw new TypeError(`onnx.export: invalid ModelProto: ${problem}`);
  return ModelProto.encode(message).finish();
}
