/**
 * The ONNX graph under construction: nodes, initializers (parameters by their `stateDict` names,
 * constants by generated names) and fresh value names, as plain objects shaped like onnx.proto's
 * `NodeProto`, `TensorProto` and `AttributeProto` (field names as there).
 */
import type { Tensor } from '../tensor';

/** onnx.proto's `TensorProto.DataType` codes kindling's dtypes map to. */
export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, BOOL: 9 } as const;

/** onnx.proto's `AttributeProto.AttributeType` codes. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] };

export interface NodeObject {
  op_type: string;
  name: string;
  input: string[];
  output: string[];
  attribute: Array<Record<string, unknown>>;
}

export interface TensorObject {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

/** ONNX's data type of a kindling dtype. */
export function dataTypeOf(t: Tensor): number {
  switch (t.dtype) {
    case 'float32':
      return DataType.FLOAT;
    case 'int32':
      return DataType.INT32;
    case 'int64':
      return DataType.INT64;
    case 'uint8':
      return DataType.UINT8;
    default:
      return DataType.BOOL;
  }
}

/** The little-endian bytes of a tensor's elements (raw_data, as onnx.proto stores them). */
function bytesOf(data: ArrayBufferView): Uint8Array {
  // Typed arrays are in the platform's order; every platform kindling ships for is little-endian.
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/** An attribute: integers as INT(S), `{ float }`/`{ floats }` and non-integer numbers as FLOAT(S). */
function attribute(name: string, value: AttrValue): Record<string, unknown> {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: Buffer.from(value, 'utf8') };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
  }
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.FLOATS, floats: value.floats };
}

export class Graph {
  readonly nodes: NodeObject[] = [];
  readonly initializers: TensorObject[] = [];
  private readonly used = new Set<string>();
  private readonly counts = new Map<string, number>();

  /** A value name not used yet, `base` itself the first time. */
  fresh(base: string): string {
    let name = base;
    let n = this.counts.get(base) ?? 0;
    while (this.used.has(name)) name = `${base}_${++n}`;
    this.counts.set(base, n);
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (inputs, outputs, parameters). */
  reserve(name: string): void {
    this.used.add(name);
  }

  /** Adds `opType(inputs)` with `attrs`; returns its `outputs` fresh value names. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue | undefined> = {}, outputs = 1): string[] {
    const index = this.nodes.length;
    const names = Array.from({ length: outputs }, (_, i) => this.fresh(`/${opType}_${index}_output_${i}`));
    const attribute_ = Object.entries(attrs)
      .filter((e): e is [string, AttrValue] => e[1] !== undefined)
      .map(([k, v]) => attribute(k, v));
    this.nodes.push({ op_type: opType, name: `/${opType}_${index}`, input: [...inputs], output: names, attribute: attribute_ });
    return names;
  }

  /** One-output node. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue | undefined> = {}): string {
    return this.node(opType, inputs, attrs, 1)[0];
  }

  /** An initializer holding `data` (`dims` its shape) under `name` exactly (already reserved) or a fresh constant name. */
  initializer(data: ArrayBufferView, dims: readonly number[], dataType: number, name?: string): string {
    const n = name ?? this.fresh('onnx::Constant');
    this.initializers.push({ name: n, dims: [...dims], data_type: dataType, raw_data: bytesOf(data) });
    return n;
  }

  /** An int64 constant (a shape, axes, starts...): 1-D unless `scalar`. */
  int64(values: ReadonlyArray<number | bigint>, scalar = false): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    return this.initializer(data, scalar ? [] : [values.length], DataType.INT64);
  }

  /** A float32 constant of `dims` (a scalar by default). */
  float(values: readonly number[] | Float32Array, dims: readonly number[] = []): string {
    return this.initializer(Float32Array.from(values), dims, DataType.FLOAT);
  }
}
