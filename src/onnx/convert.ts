/**
 * Each recorded op as ONNX nodes. An op is known by the PyTorch node name `attach` gave it
 * (`ConvolutionBackward0`), its inputs, its output's shape and the attributes it stated with
 * `traced` (src/autograd/trace.ts). The table's keys are the only ops `onnx.export` accepts; the
 * tracer refuses any other at the moment it runs, naming it and its module.
 *
 * Shapes in the graph: reshape targets copy the leading dimensions they keep (`0`) and infer
 * dimension 0 (`-1`) when they change it, `Expand` keeps (`1`) the dimensions it does not
 * broadcast, and a slice to a dimension's end ends at INT64_MAX, so a dynamic batch axis 0 flows
 * through views, linear layers and attention as it does through PyTorch's exported graphs.
 */
import { UnaryOp } from '../ops/kernels';
import type { Tensor } from '../tensor';
import { OnnxExportError } from './errors';
import { DataType, dataTypeOf, type Graph } from './graph';

/** One recorded op. */
export interface OpRecord {
  /** PyTorch's node name, e.g. `AddmmBackward0`. */
  name: string;
  inputs: ReadonlyArray<Tensor | null | undefined>;
  out: Tensor;
  attrs: Record<string, unknown>;
  /** The module path whose forward ran the op (for messages). */
  where: string;
  /** The same op in the trace with each dynamic axis one larger (when both traces ran alike). */
  alt?: OpRecord;
}

/** What a converter may ask for: the value name of a tensor, the graph, the opset. */
export interface ConvertContext {
  g: Graph;
  opset: number;
  /** The value name of a tensor: a recorded op's output, an input, a parameter/buffer, or a new constant. */
  value(t: Tensor): string;
}

type Converter = (c: ConvertContext, r: OpRecord) => string;

const INT64_MAX = 9223372036854775807n;

function input(r: OpRecord, i: number): Tensor {
  const t = r.inputs[i];
  if (t == null) throw new OnnxExportError(`onnx.export: ${r.name} is missing input ${i}`);
  return t;
}

function num(r: OpRecord, key: string): number {
  return r.attrs[key] as number;
}

/** A scalar operand as a constant of the tensor operand's type. */
function scalarLike(c: ConvertContext, like: Tensor, value: number): string {
  if (like.dtype === 'int64') return c.g.int64([value], true);
  return c.g.float([value]);
}

/** `a op b` where `b` is the recorded tensor input or the scalar `other` attribute (times `alpha` for add/sub). */
function binary(opType: string, withAlpha: boolean): Converter {
  return (c, r) => {
    const a = input(r, 0);
    const other = r.attrs.other;
    const alpha = withAlpha ? ((r.attrs.alpha as number | undefined) ?? 1) : 1;
    let b: string;
    if (typeof other === 'number') b = scalarLike(c, a, other * alpha);
    else {
      b = c.value(other as Tensor);
      if (alpha !== 1) b = c.g.op('Mul', [b, scalarLike(c, a, alpha)]);
    }
    return c.g.op(opType, [c.value(a), b]);
  };
}

const plain = (opType: string): Converter => (c, r) => c.g.op(opType, r.inputs.map((t) => c.value(t as Tensor)));

/** `x·Φ(x)`: ONNX's Gelu from opset 20, its formula before. */
function gelu(c: ConvertContext, x: string, tanh: boolean): string {
  const g = c.g;
  if (c.opset >= 20) return g.op('Gelu', [x], { approximate: tanh ? 'tanh' : 'none' });
  let inner: string;
  if (tanh) {
    const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
    const poly = g.op('Add', [x, g.op('Mul', [cube, g.float([0.044715])])]);
    inner = g.op('Tanh', [g.op('Mul', [poly, g.float([Math.sqrt(2 / Math.PI)])])]);
  } else {
    inner = g.op('Erf', [g.op('Div', [x, g.float([Math.SQRT2])])]);
  }
  return g.op('Mul', [g.op('Mul', [x, g.float([0.5])]), g.op('Add', [inner, g.float([1])])]);
}

/** The unary-kernel activations, told apart by the kernel code `traced` recorded. */
const unary: Converter = (c, r) => {
  const g = c.g;
  const x = c.value(input(r, 0));
  const op = r.attrs.unary as number;
  const p = r.attrs.param as number;
  const p2 = r.attrs.param2 as number;
  switch (op) {
    case UnaryOp.relu:
      return g.op('Relu', [x]);
    case UnaryOp.sigmoid:
      return g.op('Sigmoid', [x]);
    case UnaryOp.tanh:
      return g.op('Tanh', [x]);
    case UnaryOp.exp:
      return g.op('Exp', [x]);
    case UnaryOp.log:
      return g.op('Log', [x]);
    case UnaryOp.sqrt:
      return g.op('Sqrt', [x]);
    case UnaryOp.abs:
      return g.op('Abs', [x]);
    case UnaryOp.erf:
      return g.op('Erf', [x]);
    case UnaryOp.sin:
      return g.op('Sin', [x]);
    case UnaryOp.cos:
      return g.op('Cos', [x]);
    case UnaryOp.pow:
      return g.op('Pow', [x, g.float([p])]);
    case UnaryOp.leakyRelu:
      return g.op('LeakyRelu', [x], { alpha: { float: p } });
    case UnaryOp.elu:
      return g.op('Elu', [x], { alpha: { float: p } });
    case UnaryOp.silu:
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case UnaryOp.gelu:
      return gelu(c, x, false);
    case UnaryOp.geluTanh:
      return gelu(c, x, true);
    case UnaryOp.hardtanh:
      return g.op('Clip', [x, g.float([p]), g.float([p2])]);
    case UnaryOp.softplus: {
      // PyTorch: log(1 + e^(βx))/β, and x itself where βx > threshold.
      const bx = p === 1 ? x : g.op('Mul', [x, g.float([p])]);
      let soft = g.op('Softplus', [bx]);
      if (p !== 1) soft = g.op('Div', [soft, g.float([p])]);
      return g.op('Where', [g.op('Greater', [bx, g.float([p2])]), x, soft]);
    }
    default:
      throw new OnnxExportError(`onnx.export: no ONNX mapping for unary kernel code ${op} (${r.name}) ${r.where}`);
  }
};

/** A Reshape to `out`'s shape whose target copies the kept leading dims (0) and infers a changed dim 0 (-1). */
function reshapeTo(c: ConvertContext, x: string, inShape: readonly number[], outShape: readonly number[]): string {
  const target: number[] = outShape.slice();
  let i = 0;
  while (i < target.length && i < inShape.length && target[i] === inShape[i]) target[i++] = 0;
  if (target.length > 0 && i === 0 && !target.includes(-1) && outShape[0] !== 0) target[0] = -1;
  return c.g.op('Reshape', [x, c.g.int64(target)]);
}

/**
 * With the second trace: the dims whose size differs between the traces follow a dynamic axis.
 * Static dims are written as they are; a dynamic one that copies the input's dim at its place
 * in both traces is `0`; one remaining dynamic dim is `-1`. Null when that cannot express it.
 */
function reshapeTarget(r: OpRecord, inShape: readonly number[]): number[] | null {
  const alt = r.alt;
  const altIn = alt?.inputs[0];
  if (alt === undefined || altIn == null || alt.out.shape.length !== r.out.shape.length) return null;
  const [out, out2] = [r.out.shape, alt.out.shape];
  const target = out.slice();
  const free: number[] = [];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === out2[i]) continue;
    if (i < inShape.length && inShape[i] === out[i] && altIn.shape[i] === out2[i]) target[i] = 0;
    else free.push(i);
  }
  if (free.length > 1) return null;
  if (free.length === 1) target[free[0]] = -1;
  return target;
}

const reshape: Converter = (c, r) => {
  const x = input(r, 0);
  if (Array.isArray(r.attrs.perm)) return c.g.op('Transpose', [c.value(x)], { perm: r.attrs.perm as number[] });
  const target = reshapeTarget(r, x.shape);
  if (target !== null) return c.g.op('Reshape', [c.value(x), c.g.int64(target)]);
  return reshapeTo(c, c.value(x), x.shape, r.out.shape);
};

const transpose: Converter = (c, r) => c.g.op('Transpose', [c.value(input(r, 0))], { perm: r.attrs.perm as number[] });

const unsqueeze: Converter = (c, r) => c.g.op('Unsqueeze', [c.value(input(r, 0)), c.g.int64(r.attrs.axes as number[])]);

const squeeze: Converter = (c, r) => {
  const axes = r.attrs.axes as number[];
  const x = c.value(input(r, 0));
  return axes.length === 0 ? c.g.op('Identity', [x]) : c.g.op('Squeeze', [x, c.g.int64(axes)]);
};

const expand: Converter = (c, r) => {
  const x = input(r, 0);
  const out = r.out.shape;
  const lead = out.length - x.shape.length;
  // 1 keeps the input's size (broadcasting), so a dynamic dimension that is not expanded stays dynamic.
  const target = out.map((n, i) => (i >= lead && x.shape[i - lead] === n ? 1 : n));
  return c.g.op('Expand', [c.value(x), c.g.int64(target)]);
};

/** `x[start:end:step]` along `dim`; an end at the dimension's size becomes INT64_MAX. */
function sliceOf(c: ConvertContext, x: Tensor, dim: number, start: number, end: number, step: number): string {
  const stop = end >= x.shape[dim] ? INT64_MAX : BigInt(end);
  const g = c.g;
  return g.op('Slice', [c.value(x), g.int64([start]), g.int64([stop]), g.int64([dim]), g.int64([step])]);
}

const slice: Converter = (c, r) => sliceOf(c, input(r, 0), num(r, 'dim'), num(r, 'start'), num(r, 'end'), num(r, 'step'));

const select: Converter = (c, r) => c.g.op('Gather', [c.value(input(r, 0)), c.g.int64([num(r, 'index')], true)], { axis: num(r, 'dim') });

/** One piece of split/chunk/unbind: a Slice, squeezed for unbind. */
const piece: Converter = (c, r) => {
  const x = input(r, 0);
  const d = num(r, 'dim');
  const s = sliceOf(c, x, d, num(r, 'start'), num(r, 'end'), 1);
  return r.attrs.keep === false ? c.g.op('Squeeze', [s, c.g.int64([d])]) : s;
};

const cat: Converter = (c, r) => c.g.op('Concat', r.inputs.map((t) => c.value(t as Tensor)), { axis: num(r, 'dim') });

const stack: Converter = (c, r) => {
  const d = num(r, 'dim');
  const axes = c.g.int64([d]);
  return c.g.op('Concat', r.inputs.map((t) => c.g.op('Unsqueeze', [c.value(t as Tensor), axes])), { axis: d });
};

/** `linear` (Gemm for a 2-D input, as PyTorch exports it; MatMul + Add otherwise) or a plain product. */
function product(withBias: boolean): Converter {
  return (c, r) => {
    const g = c.g;
    if (r.attrs.linear !== true) {
      if (withBias) throw new OnnxExportError(`onnx.export: no ONNX mapping for op 'addmm' ${r.where}`);
      return g.op('MatMul', [c.value(input(r, 0)), c.value(input(r, 1))]);
    }
    const [bias, x, w] = withBias ? [input(r, 0), input(r, 1), input(r, 2)] : [null, input(r, 0), input(r, 1)];
    if (x.shape.length === 2) {
      const ins = [c.value(x), c.value(w)];
      if (bias !== null) ins.push(c.value(bias));
      return g.op('Gemm', ins, { transB: 1 });
    }
    const y = g.op('MatMul', [c.value(x), g.op('Transpose', [c.value(w)], { perm: [1, 0] })]);
    return bias === null ? y : g.op('Add', [y, c.value(bias)]);
  };
}

function reduce(opType: 'ReduceSum' | 'ReduceMean'): Converter {
  return (c, r) => {
    const x = c.value(input(r, 0));
    const axes = r.attrs.dims as number[];
    const keepdims = r.attrs.keepdim === true ? 1 : 0;
    // ReduceSum takes its axes as an input from opset 13, ReduceMean from opset 18.
    if (opType === 'ReduceMean' && c.opset < 18) return c.g.op(opType, [x], { axes, keepdims });
    return c.g.op(opType, [x, c.g.int64(axes)], { keepdims });
  };
}

const softmax = (opType: string): Converter => (c, r) => c.g.op(opType, [c.value(input(r, 0))], { axis: num(r, 'dim') });

interface ConvGeometry {
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  padBottom: number;
  padRight: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

const conv: Converter = (c, r) => {
  const x = input(r, 0);
  const w = input(r, 1);
  const b = r.inputs[2];
  const k = r.attrs.conv as ConvGeometry;
  const one = x.shape.length === 3; // conv1d: [N, C, L] with a [O, I, k] weight
  const attrs = one
    ? { kernel_shape: [k.kernelW], strides: [k.strideW], pads: [k.padW, k.padRight], dilations: [k.dilationW], group: k.groups }
    : {
        kernel_shape: [k.kernelH, k.kernelW],
        strides: [k.strideH, k.strideW],
        pads: [k.padH, k.padW, k.padBottom, k.padRight],
        dilations: [k.dilationH, k.dilationW],
        group: k.groups,
      };
  const ins = [c.value(x), c.value(w)];
  if (b != null) ins.push(c.value(b));
  return c.g.op('Conv', ins, attrs);
};

interface PoolGeometry extends ConvGeometry {
  lead: number[];
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  countIncludePad: boolean;
  divisorOverride: number;
}

/** ONNX pools need `[N, C, H, W]`: an unbatched `[C, H, W]` gets a batch of one around the node. */
function batched(c: ConvertContext, x: Tensor, run: (v: string) => string): string {
  if (x.shape.length === 4) return run(c.value(x));
  const axes = c.g.int64([0]);
  return c.g.op('Squeeze', [run(c.g.op('Unsqueeze', [c.value(x), axes])), axes]);
}

/** The output size ONNX computes with ceil_mode 0: kindling's with ceilMode, unless its last window started in the padding. */
function windowAttrs(k: PoolGeometry): Record<string, number | number[]> {
  const floorH = Math.floor((k.inH + 2 * k.padH - k.dilationH * (k.kernelH - 1) - 1) / k.strideH) + 1;
  const floorW = Math.floor((k.inW + 2 * k.padW - k.dilationW * (k.kernelW - 1) - 1) / k.strideW) + 1;
  return {
    kernel_shape: [k.kernelH, k.kernelW],
    strides: [k.strideH, k.strideW],
    pads: [k.padH, k.padW, k.padH, k.padW],
    ceil_mode: floorH === k.outH && floorW === k.outW ? 0 : 1,
  };
}

const maxPool: Converter = (c, r) => {
  const x = input(r, 0);
  const k = r.attrs.pool as PoolGeometry;
  return batched(c, x, (v) => c.g.node('MaxPool', [v], { ...windowAttrs(k), dilations: [k.dilationH, k.dilationW] }, 1)[0]);
};

const avgPool: Converter = (c, r) => {
  const x = input(r, 0);
  const k = r.attrs.pool as PoolGeometry;
  if (k.divisorOverride !== 0) throw new OnnxExportError(`onnx.export: avg_pool2d with divisorOverride has no ONNX mapping ${r.where}`);
  return batched(c, x, (v) => c.g.op('AveragePool', [v], { ...windowAttrs(k), count_include_pad: k.countIncludePad ? 1 : 0 }));
};

/** Adaptive pooling whose windows do not overlap (input sizes divisible by the output's): a plain pool. */
function adaptive(opType: 'AveragePool' | 'MaxPool', aten: string): Converter {
  return (c, r) => {
    const x = input(r, 0);
    const k = r.attrs.pool as PoolGeometry;
    if (k.outH === 0 || k.outW === 0 || k.inH % k.outH !== 0 || k.inW % k.outW !== 0) {
      throw new OnnxExportError(
        `onnx.export: ${aten} from ${k.inH}×${k.inW} to ${k.outH}×${k.outW} has no ONNX mapping (ONNX pools have fixed windows: the input size must be a multiple of the output size) ${r.where}`,
      );
    }
    const [sh, sw] = [k.inH / k.outH, k.inW / k.outW];
    return batched(c, x, (v) => c.g.op(opType, [v], { kernel_shape: [sh, sw], strides: [sh, sw] }));
  };
}

/** A per-channel constant of ones or zeros (an affine-free norm's scale and shift). */
function filled(c: ConvertContext, n: number, value: number): string {
  return c.g.float(new Float32Array(n).fill(value), [n]);
}

const batchNorm: Converter = (c, r) => {
  const x = input(r, 0);
  if (r.attrs.training === true) {
    throw new OnnxExportError(`onnx.export: batch_norm with batch statistics (training mode, or no running statistics) has no ONNX mapping; call model.eval() before exporting ${r.where}`);
  }
  const ch = x.shape[1];
  const w = r.inputs[1];
  const b = r.inputs[2];
  const ins = [
    c.value(x),
    w == null ? filled(c, ch, 1) : c.value(w),
    b == null ? filled(c, ch, 0) : c.value(b),
    c.value(r.attrs.runningMean as Tensor),
    c.value(r.attrs.runningVar as Tensor),
  ];
  return c.g.op('BatchNormalization', ins, { epsilon: { float: num(r, 'eps') } });
};

const layerNorm: Converter = (c, r) => {
  const x = input(r, 0);
  const shape = r.attrs.normalizedShape as number[];
  const n = shape.reduce((a, b) => a * b, 1);
  const w = r.inputs[1];
  const b = r.inputs[2];
  const scale = w == null ? c.g.float(new Float32Array(n).fill(1), shape) : c.value(w);
  const ins = [c.value(x), scale];
  if (b != null) ins.push(c.value(b));
  return c.g.op('LayerNormalization', ins, { axis: -shape.length, epsilon: { float: num(r, 'eps') } });
};

const embedding: Converter = (c, r) => c.g.op('Gather', [c.value(input(r, 0)), c.value(r.attrs.indices as Tensor)], { axis: 0 });

/**
 * Scaled dot-product attention as PyTorch's exporter decomposes it: softmax(q·kᵀ·scale + mask)·v,
 * a causal or boolean mask as −∞ where attending is not allowed, a float mask added.
 */
const attention: Converter = (c, r) => {
  const g = c.g;
  if ((r.attrs.dropoutP as number) > 0) {
    throw new OnnxExportError(`onnx.export: scaled_dot_product_attention with dropoutP > 0 has no deterministic ONNX mapping; export in eval mode ${r.where}`);
  }
  const [q, k, v] = [input(r, 0), input(r, 1), input(r, 2)];
  const rank = k.shape.length;
  const perm = k.shape.map((_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  const kt = g.op('Transpose', [c.value(k)], { perm });
  let scores = g.op('Mul', [g.op('MatMul', [c.value(q), kt]), g.float([num(r, 'scale')])]);
  const [l, s] = [q.shape[q.shape.length - 2], k.shape[rank - 2]];
  const mask = r.attrs.attnMask as Tensor | null;
  if (r.attrs.isCausal === true) {
    const bias = new Float32Array(l * s);
    for (let i = 0; i < l; i++) for (let j = i + 1; j < s; j++) bias[i * s + j] = -Infinity;
    scores = g.op('Add', [scores, g.float(bias, [l, s])]);
  } else if (mask !== null) {
    if (mask.dtype === 'bool') scores = g.op('Where', [c.value(mask), scores, g.float([-Infinity])]);
    else scores = g.op('Add', [scores, c.value(mask)]);
  }
  return g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), c.value(v)]);
};

/** `clamp`, `clampMin`, `clampMax`: Clip with an absent bound as the empty input name. */
const clip: Converter = (c, r) => {
  const x = input(r, 0);
  const bound = (v: unknown): string => (typeof v === 'number' ? scalarLike(c, x, v) : '');
  const ins = [c.value(x), bound(r.attrs.min), bound(r.attrs.max)];
  while (ins[ins.length - 1] === '') ins.pop();
  return c.g.op('Clip', ins);
};

/** `where(condition, x, y)`: scalar operands were made tensors of the result's type by the op. */
const where: Converter = (c, r) => c.g.op('Where', [c.value(r.attrs.condition as Tensor), c.value(r.attrs.x as Tensor), c.value(r.attrs.y as Tensor)]);

/** `maskedFill(mask, value)` with a scalar value: Where(mask, value, x). */
const maskedFill: Converter = (c, r) => {
  const x = input(r, 0);
  return c.g.op('Where', [c.value(r.attrs.mask as Tensor), scalarLike(c, x, num(r, 'value')), c.value(x)]);
};

/** `rmsNorm`: x / √(mean(x²) + eps) · weight over the normalised dims (ONNX has RMSNormalization only from opset 23). */
const rmsNorm: Converter = (c, r) => {
  const g = c.g;
  const xt = input(r, 0);
  const x = c.value(xt);
  const shape = r.attrs.normalizedShape as number[];
  const axes = shape.map((_, i) => xt.shape.length - shape.length + i);
  const square = g.op('Mul', [x, x]);
  const meanSq = c.opset < 18 ? g.op('ReduceMean', [square], { axes, keepdims: 1 }) : g.op('ReduceMean', [square, g.int64(axes)], { keepdims: 1 });
  const y = g.op('Div', [x, g.op('Sqrt', [g.op('Add', [meanSq, g.float([num(r, 'eps')])])])]);
  const w = r.inputs[1];
  return w == null ? y : g.op('Mul', [y, c.value(w)]);
};

/**
 * A comparison (eq ne gt lt ge le; no autograd node, recorded by `tracedOp`): a scalar operand
 * as a constant of the tensor's type (float32 when a fraction meets an integer tensor), operands
 * of different types compared in float32 as PyTorch promotes them.
 */
function comparison(opType: string, negate = false): Converter {
  return (c, r) => {
    const g = c.g;
    const a = input(r, 0);
    const other = r.attrs.other;
    let x = c.value(a);
    let y: string;
    if (typeof other === 'number') {
      const exact = a.dtype !== 'float32' && Number.isInteger(other);
      if (!exact && a.dtype !== 'float32') x = g.op('Cast', [x], { to: DataType.FLOAT });
      y = exact ? (a.dtype === 'int64' ? g.int64([other], true) : g.initializer(Int32Array.of(other), [], dataTypeOf(a))) : g.float([other]);
    } else {
      const b = other as Tensor;
      y = c.value(b);
      if (a.dtype !== b.dtype) {
        if (a.dtype !== 'float32') x = g.op('Cast', [x], { to: DataType.FLOAT });
        if (b.dtype !== 'float32') y = g.op('Cast', [y], { to: DataType.FLOAT });
      }
    }
    const out = g.op(opType, [x, y]);
    return negate ? g.op('Not', [out]) : out;
  };
}

const identity: Converter = (c, r) => c.g.op('Identity', [c.value(input(r, 0))]);

/** PyTorch node name → converter: the ops `onnx.export` maps. */
export const CONVERTERS: ReadonlyMap<string, Converter> = new Map<string, Converter>([
  ['AddBackward0', binary('Add', true)],
  ['SubBackward0', binary('Sub', true)],
  ['MulBackward0', binary('Mul', false)],
  ['DivBackward0', binary('Div', false)],
  ['PowBackward0', unary],
  ['PowBackward1', plain('Pow')],
  ['NegBackward0', plain('Neg')],
  ['MaximumBackward0', plain('Max')],
  ['MinimumBackward0', plain('Min')],
  ...['Exp', 'Log', 'Sqrt', 'Abs', 'Erf', 'Sin', 'Cos', 'Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Silu', 'Gelu', 'Hardtanh', 'Softplus'].map(
    (n): [string, Converter] => [`${n}Backward0`, unary],
  ),
  ['SoftmaxBackward0', softmax('Softmax')],
  ['LogSoftmaxBackward0', softmax('LogSoftmax')],
  ['ViewBackward0', reshape],
  ['UnsafeViewBackward0', reshape],
  ['TBackward0', reshape],
  ['PermuteBackward0', transpose],
  ['TransposeBackward0', transpose],
  ['UnsqueezeBackward0', unsqueeze],
  ['SqueezeBackward0', squeeze],
  ['SqueezeBackward1', squeeze],
  ['ExpandBackward0', expand],
  ['SliceBackward0', slice],
  ['SelectBackward0', select],
  ['SplitBackward0', piece],
  ['SplitWithSizesBackward0', piece],
  ['UnbindBackward0', piece],
  ['CatBackward0', cat],
  ['StackBackward0', stack],
  ['CloneBackward0', identity],
  ['AliasBackward0', identity],
  ['MmBackward0', product(false)],
  ['AddmmBackward0', product(true)],
  ['BmmBackward0', plain('MatMul')],
  ['DotBackward0', plain('MatMul')],
  ['SumBackward0', reduce('ReduceSum')],
  ['SumBackward1', reduce('ReduceSum')],
  ['MeanBackward0', reduce('ReduceMean')],
  ['MeanBackward1', reduce('ReduceMean')],
  ['ConvolutionBackward0', conv],
  ['MaxPool2DWithIndicesBackward0', maxPool],
  ['AvgPool2DBackward0', avgPool],
  ['AdaptiveAvgPool2DBackward0', adaptive('AveragePool', 'adaptive_avg_pool2d')],
  ['AdaptiveMaxPool2DBackward0', adaptive('MaxPool', 'adaptive_max_pool2d')],
  ['NativeBatchNormBackward0', batchNorm],
  ['NativeLayerNormBackward0', layerNorm],
  ['RmsNormBackward0', rmsNorm],
  ['ClampBackward1', clip],
  ['ClampMinBackward0', clip],
  ['ClampMaxBackward0', clip],
  ['WhereBackward0', where],
  ['MaskedFillBackward0', maskedFill],
  ['eq', comparison('Equal')],
  ['ne', comparison('Equal', true)],
  ['gt', comparison('Greater')],
  ['lt', comparison('Less')],
  ['ge', comparison('GreaterOrEqual')],
  ['le', comparison('LessOrEqual')],
  ['EmbeddingBackward0', embedding],
  ['ScaledDotProductFlashAttentionForCpuBackward0', attention],
]);
