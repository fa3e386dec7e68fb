/**
 * `torch.onnx.export(model, args, f, { inputNames, outputNames, dynamicAxes, opsetVersion })`:
 * traces `model.forward(...args)` as PyTorch's exporter does (the module in its current mode, so
 * Dropout in eval is the identity and BatchNorm uses its running statistics), maps each recorded
 * op to ONNX nodes (src/onnx/convert.ts), stores parameters and buffers as initializers under
 * their `stateDict` names, and writes the `ModelProto` atomically.
 */
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { enableGrad } from '../autograd/grad_mode';
import { traceState } from '../autograd/trace';
import type { Module } from '../nn/module';
import { checkOptions, describeValue } from '../options';
import { cat } from '../ops/join';
import { narrow } from '../ops/shape';
import { Tensor } from '../tensor';
import { type ConvertContext, CONVERTERS, type OpRecord } from './convert';
import { OnnxExportError } from './errors';
import { dataTypeOf, Graph } from './graph';
import { encodeModel } from './proto';
import { Tracer } from './tracer';

export interface ExportOptions {
  /** Names of the graph's inputs, in order. Default `input` (then `input_1`, …). */
  inputNames?: string[];
  /** Names of the graph's outputs, in order. Default `output` (then `output_1`, …). */
  outputNames?: string[];
  /**
   * Dimensions whose size is left free, per input or output name: `{ input: { 0: 'batch' } }`, or
   * a list of dims (`{ input: [0] }`, named `input_dynamic_axes_1`, … as PyTorch names them).
   */
  dynamicAxes?: Record<string, Record<number, string> | number[]>;
  /** ONNX opset. Default 20, PyTorch 2.15's default; 17 to 20 are supported. */
  opsetVersion?: number;
}

/** PyTorch 2.15's `torch.onnx._constants.ONNX_DEFAULT_OPSET`. */
export const DEFAULT_OPSET = 20;
const MIN_OPSET = 17; // LayerNormalization
const MAX_OPSET = 20;
/** The IR version each opset was released with (onnx/helper.py's VERSION_TABLE). */
const IR_VERSION: Record<number, number> = { 17: 8, 18: 8, 19: 9, 20: 9 };

const OPTIONS = { inputNames: 'any', outputNames: 'any', dynamicAxes: 'object', opsetVersion: 'integer' } as const;

function checkNames(key: string, names: unknown, count: number): string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === '')) {
    throw new TypeError(`onnx.export: ${key} must be an array of non-empty strings, got ${describeValue(names)}`);
  }
  if (names.length > count) throw new RangeError(`onnx.export: ${key} has ${names.length} names for ${count} ${key === 'inputNames' ? 'inputs' : 'outputs'}`);
  return names as string[];
}

/** The free dims of one input/output, as dim → name. */
function dynamicDims(spec: ExportOptions['dynamicAxes'], name: string, rank: number): Map<number, string> {
  const dims = new Map<number, string>();
  const entry = spec?.[name];
  if (entry === undefined) return dims;
  const pairs: Array<[number, string]> = Array.isArray(entry)
    ? entry.map((d, i) => [d, `${name}_dynamic_axes_${i + 1}`])
    : Object.entries(entry).map(([d, n]) => [Number(d), n]);
  for (const [d, n] of pairs) {
    if (!Number.isInteger(d) || d < -rank || d >= rank) {
      throw new RangeError(`onnx.export: dynamicAxes['${name}'] names dim ${d}, but '${name}' has ${rank} dimensions`);
    }
    if (typeof n !== 'string' || n === '') throw new TypeError(`onnx.export: dynamicAxes['${name}'][${d}] must be a non-empty string, got ${describeValue(n)}`);
    dims.set(d < 0 ? d + rank : d, n);
  }
  return dims;
}

/**
 * The example inputs with every dynamic axis one larger (the first slice repeated at the end),
 * or null when no input has a dynamic axis.
 */
function enlarged(inputs: readonly Tensor[], names: string[] | undefined, spec: ExportOptions['dynamicAxes']): Tensor[] | null {
  let any = false;
  const out = inputs.map((t, i) => {
    const dims = dynamicDims(spec, names?.[i] ?? (i === 0 ? 'input' : `input_${i}`), t.shape.length);
    let x = t.detach();
    for (const d of dims.keys()) {
      if (x.shape[d] === 0) continue;
      x = cat([x, narrow(x, d, 0, 1)], d);
      any = true;
    }
    return x;
  });
  return any ? out : null;
}

/** The tensor operands of a record: its inputs, then the tensors among its attributes. */
function operands(r: OpRecord): Array<Tensor | null | undefined> {
  return [...r.inputs, ...Object.values(r.attrs).filter((v): v is Tensor => v instanceof Tensor)];
}

/**
 * A constant of the trace (not computed from the inputs, not a parameter) whose size differs in
 * the trace with larger dynamic axes would be frozen at the example's size (GPT's
 * `arange(T)` with a dynamic sequence axis): refused, naming the module.
 */
function checkConstants(r: OpRecord, alt: OpRecord, traced: (t: Tensor) => boolean): void {
  const [a, b] = [operands(r), operands(alt)];
  a.forEach((t, i) => {
    const u = b[i];
    if (t == null || u == null || traced(t)) return;
    if (t.shape.length !== u.shape.length || t.shape.some((n, k) => n !== u.shape[k])) {
      throw new OnnxExportError(
        `onnx.export: a tensor not computed from the inputs (a constant of the trace, shape [${t.shape.join(', ')}]) changes size with the dynamic axes, so the file could not follow them; compute it from the inputs or keep that axis static ${r.where}`,
      );
    }
  });
}

/** A `ValueInfoProto` for a graph input or output. */
function valueInfo(name: string, t: Tensor, free: Map<number, string>): Record<string, unknown> {
  const dim = t.shape.map((n, i) => (free.has(i) ? { dim_param: free.get(i) } : { dim_value: n }));
  return { name, type: { tensor_type: { elem_type: dataTypeOf(t), shape: { dim } } } };
}

/** The records the outputs depend on, in the order they ran. */
function live(tracer: Tracer, outputs: readonly Tensor[]): OpRecord[] {
  const keep = new Set<OpRecord>();
  const stack = outputs.slice();
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    const r = tracer.producer.get(t);
    if (r === undefined || keep.has(r)) continue;
    keep.add(r);
    for (const i of r.inputs) if (i != null) stack.push(i);
    for (const v of Object.values(r.attrs)) if (v instanceof Tensor) stack.push(v);
  }
  return tracer.records.filter((r) => keep.has(r) && tracer.producer.get(r.out) === r);
}

/** Writes `bytes` to `path` through a temporary file in the same directory and a rename: all or nothing. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  const dir = dirname(resolve(path));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new OnnxExportError(`onnx.export: cannot write '${path}': directory '${dir}' does not exist`);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was created
    }
    throw new OnnxExportError(`onnx.export: cannot write '${path}': ${(e as Error).message}`);
  }
}

/** Builds the `ModelProto` object (plain, field names as in onnx.proto) of `model` traced on `args`; `exportModel` encodes and writes it. */
export function buildModel(model: Module<never[], unknown>, args: Tensor | Tensor[], options: ExportOptions = {}): Record<string, unknown> {
  checkOptions('onnx.export', options, OPTIONS);
  const inputsGiven = Array.isArray(args) ? args : [args];
  inputsGiven.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`onnx.export: args must be a Tensor or an array of Tensors, got ${describeValue(t)} at ${i}`);
  });
  const opset = options.opsetVersion ?? DEFAULT_OPSET;
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new RangeError(`onnx.export: opsetVersion must be between ${MIN_OPSET} and ${MAX_OPSET}, got ${opset}`);
  }
  const inputNames = checkNames('inputNames', options.inputNames, inputsGiven.length);
  const rootName = model.constructor.name;
  for (const [name, m] of model.namedModules()) {
    if (m.training && /^BatchNorm[123]d$/.test(m.constructor.name) && (m as unknown as { trackRunningStats: boolean }).trackRunningStats) {
      throw new OnnxExportError(
        `onnx.export: ${m.constructor.name} ${name === '' ? '(the model)' : `'${name}'`} is in training mode, where it normalises with batch statistics and updates its running ones; call model.eval() before exporting`,
      );
    }
  }

  // The traced inputs: fresh leaves that share the example's data; a float one requires grad so
  // that every op downstream records itself at `attach`.
  // The traced inputs: fresh leaves that share the example's data; a float one requires grad so
  // that every op downstream records itself at `attach`.
  const leaves = (list: readonly Tensor[]): Tensor[] =>
    list.map((t) => {
      const leaf = t.detach();
      if (leaf.dtype === 'float32') leaf.requiresGrad = true;
      return leaf;
    });
  const inputs = leaves(inputsGiven);
  const traceOn = (xs: Tensor[]): { tracer: Tracer; result: unknown } => {
    const tracer = new Tracer(rootName);
    const previous = traceState.listener;
    traceState.listener = tracer;
    try {
      const result = enableGrad(() => tracer.withModulePaths(model as unknown as Module, () => (model.forward as (...a: Tensor[]) => unknown)(...xs)));
      return { tracer, result };
    } finally {
      traceState.listener = previous;
    }
  };
  const { tracer, result } = traceOn(inputs);
  const larger = enlarged(inputsGiven, inputNames, options.dynamicAxes);
  if (larger !== null) {
    // A second trace with each dynamic axis one larger tells which dimensions of each reshape
    // follow the dynamic axes (docs/ONNX.md, "Dynamic axes"); ops that ran differently (control
    // flow on values) leave the first trace's shapes as they are.
    let second: Tracer | null = null;
    try {
      second = traceOn(leaves(larger)).tracer;
    } catch {
      second = null;
    }
    if (second !== null && second.records.length === tracer.records.length && second.records.every((r, i) => r.name === tracer.records[i].name)) {
      tracer.records.forEach((r, i) => (r.alt = (second as Tracer).records[i]));
    }
  }
  const outputs = (Array.isArray(result) ? result : [result]).filter((o) => o !== null && o !== undefined);
  outputs.forEach((o, i) => {
    if (!(o instanceof Tensor)) throw new TypeError(`onnx.export: the model's forward must return a Tensor or an array of Tensors, got ${describeValue(o)} at ${i}`);
  });
  const outs = outputs as Tensor[];
  const outputNames = checkNames('outputNames', options.outputNames, outs.length);

  const g = new Graph();
  const names = new Map<Tensor, string>();
  const graphInputs: Array<Record<string, unknown>> = [];
  inputs.forEach((t, i) => {
    const name = inputNames?.[i] ?? (i === 0 ? 'input' : `input_${i}`);
    g.reserve(name);
    names.set(t, name);
    graphInputs.push(valueInfo(name, t, dynamicDims(options.dynamicAxes, name, t.shape.length)));
  });
  const stateNames = new Map<Tensor, string>();
  for (const [name, p] of model.namedParameters()) stateNames.set(p, name);
  for (const [name, b] of model.namedBuffers()) stateNames.set(b, name);
  for (const name of stateNames.values()) g.reserve(name);

  const ctx: ConvertContext = {
    g,
    opset,
    value(t: Tensor): string {
      const known = names.get(t);
      if (known !== undefined) return known;
      // A parameter or buffer under its stateDict name; any other tensor the trace did not
      // produce is a constant of the trace, as in PyTorch's tracer — unless it is a view of an
      // input that an unrecorded op made (`detach`), which would freeze the example's values
      // into the file.
      const state = stateNames.get(t);
      if (state === undefined) {
        const i = inputs.findIndex((x) => x.storage === t.storage);
        if (i >= 0) {
          throw new OnnxExportError(
            `onnx.export: a view of input '${graphInputs[i].name as string}' made by an op the trace does not record (such as detach) would freeze the example's values into the file; use the input itself`,
          );
        }
      }
      const c = t.contiguous();
      const name = g.initializer(c.data as ArrayBufferView, t.shape, dataTypeOf(t), state);
      names.set(t, name);
      return name;
    },
  };
  const isInput = new Set<Tensor>(inputs);
  for (const r of live(tracer, outs)) {
    if (r.alt !== undefined) checkConstants(r, r.alt, (t) => tracer.producer.has(t) || isInput.has(t) || stateNames.has(t));
    const converter = CONVERTERS.get(r.name);
    if (converter === undefined) throw new OnnxExportError(`onnx.export: no ONNX mapping for '${r.name}' ${r.where}`);
    names.set(r.out, converter(ctx, r));
  }
  const graphOutputs: Array<Record<string, unknown>> = [];
  outs.forEach((t, i) => {
    const name = outputNames?.[i] ?? (i === 0 ? 'output' : `output_${i}`);
    const produced = names.get(t);
    const free = produced !== undefined && !graphOutputs.some((v) => v.name === produced);
    if (free && g.nodes.some((n) => n.output.includes(produced))) {
      // Rename the producing node's output to the graph output's name.
      const old = names.get(t) as string;
      for (const n of g.nodes) {
        n.output = n.output.map((o) => (o === old ? name : o));
        n.input = n.input.map((o) => (o === old ? name : o));
      }
      names.set(t, name);
    } else {
      g.nodes.push({ op_type: 'Identity', name: `/Identity_${g.nodes.length}`, input: [ctx.value(t)], output: [name], attribute: [] });
    }
    graphOutputs.push(valueInfo(name, t, dynamicDims(options.dynamicAxes, name, t.shape.length)));
  });
  for (const key of Object.keys(options.dynamicAxes ?? {})) {
    if (!graphInputs.some((v) => v.name === key) && !graphOutputs.some((v) => v.name === key)) {
      throw new RangeError(`onnx.export: dynamicAxes names '${key}', which is not an input or output name (${[...graphInputs, ...graphOutputs].map((v) => `'${String(v.name)}'`).join(', ')})`);
    }
  }
  return {
    ir_version: IR_VERSION[opset],
    producer_name: 'kindling',
    producer_version: '0.1.0',
    opset_import: [{ domain: '', version: opset }],
    graph: { name: rootName, node: g.nodes, initializer: g.initializers, input: graphInputs, output: graphOutputs },
  };
}

/**
 * `torch.onnx.export(model, args, f, options)`: writes `model` traced on `args` to the file `f`.
 * A failure (an op with no ONNX mapping, a missing directory) throws a typed error and leaves no file.
 *
 * @example
 * model.eval();
 * torch.onnx.export(model, torch.randn([1, 1, 28, 28]), 'mnist.onnx', { dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } });
 */
export function exportModel(model: Module<never[], unknown>, args: Tensor | Tensor[], f: string, options: ExportOptions = {}): void {
  if (typeof f !== 'string' || f === '') throw new TypeError(`onnx.export: f must be a file path, got ${describeValue(f)}`);
  const dir = dirname(resolve(f));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  // Checked before tracing, so a bad path costs no forward pass.
  if (!isDir) throw new OnnxExportError(`onnx.export: cannot write '${f}': directory '${dir}' does not exist`);
  const model_ = buildModel(model, args, options);
  writeAtomically(f, encodeModel(model_));
}
