/**
 * The protobuf message types of TensorBoard's event files, loaded once from the generated JSON
 * descriptor (see README.md here). protobufjs/light: the JSON form needs no .proto parser.
 */
import { Root, type Type } from 'protobufjs/light';
import { descriptor } from './descriptor';

const root = Root.fromJSON(descriptor);

export const Event: Type = root.lookupType('tensorboard.Event');
export const Summary: Type = root.lookupType('tensorboard.Summary');
export const TextPluginData: Type = root.lookupType('tensorboard.TextPluginData');
export const HParamsPluginData: Type = root.lookupType('tensorboard.hparams.HParamsPluginData');

/** Encodes a plain object (field names as in the .proto, enums by name) as `type`'s wire bytes. */
export function encode(type: Type, value: Record<string, unknown>): Uint8Array {
  // fromObject converts enum names and nested plain objects; verify first so that a field of the
  // wrong kind is an error here, not silently dropped bytes in the file.
  const message = type.fromObject(value);
  const problem = type.verify(message);
  if (problem !== null) throw new TypeError(`tensorboard: invalid ${type.name}: ${problem}`);
  return type.encode(message).finish();
}
