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
  // Verify the plain object before fromObject, which would coerce a field of the wrong kind
  // (a string where an integer belongs becomes 0) instead of refusing it.
  const problem = ModelProto.verify(value);
  if (problem !== null) throw new TypeError(`onnx.export: invalid ModelProto: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(value)).finish();
}
