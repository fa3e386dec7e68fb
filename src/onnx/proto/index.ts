/**
 * ONNX's `ModelProto`, built on the first use from the generated JSON descriptor (see README.md
 * here). protobufjs/light: the JSON form needs no .proto parser. Built lazily because protobufjs
 * and the built types hold ~1.1 MB of V8 heap, which every major GC of a process that imports
 * kindling but never exports would mark (NOTE [ What the GC marks ] in docs/PERFORMANCE.md).
 */
import type * as Protobuf from 'protobufjs/light';
import { descriptor } from './descriptor';

let modelProto: Protobuf.Type | null = null;

/** The `onnx.ModelProto` message type (its root also resolves the other ONNX messages). */
export function modelProtoType(): Protobuf.Type {
  if (modelProto === null) {
    const { Root } = require('protobufjs/light') as typeof Protobuf;
    modelProto = Root.fromJSON(descriptor).lookupType('onnx.ModelProto');
  }
  return modelProto;
}

/** Encodes a plain `ModelProto` object (field names as in onnx.proto) as its wire bytes. */
export function encodeModel(value: Record<string, unknown>): Uint8Array {
  const type = modelProtoType();
  // Verify the plain object before fromObject, which would coerce a field of the wrong kind
  // (a string where an integer belongs becomes 0) instead of refusing it.
  const problem = type.verify(value);
  if (problem !== null) throw new TypeError(`onnx.export: invalid ModelProto: ${problem}`);
  return type.encode(type.fromObject(value)).finish();
}
