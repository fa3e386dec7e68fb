/**
 * Matrix products on the native `sgemm` (row-major, transpose flags, fused bias):
 * `mm`, `matmul` (PyTorch's 1-D/2-D/batched rules), `addmm`, and `linear` — the fused
 * `x·Wᵀ + b` that `nn.Linear` calls (one sgemm forward; dX = dY·W, dW = dYᵀ·X, db = column sums).
 */
import { isTracing, traced } from '../autograd/trace';
import { checkOptions } from '../options';
import { uninitF32 } from '../dtype';
import { addInto } from '../autograd/accumulate';
import { attach, recording, savedFor } from '../autograd/function';
import type { Node } from '../autograd/node';
import { ShapeError } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { broadcastShapes } from './broadcast';
import { scale } from './elementwise';
import { ReduceOp, kernels, type GemmOptions } from './kernels';
import { expand, reshape, squeeze, sumTo, unsqueeze } from './shape';

function checkFloat(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}(): arguments must be Tensors`);
    if (t.dtype !== 'float32') {
      throw new TypeError(`${op}: expected float32 tensors, got ${ts.map((x) => x.dtype).join(' and ')}`);
    }
  }
}

/** `C = op(A)·op(B)` for row-major buffers, `op(A)` m×k and `op(B)` k×n, into a new buffer. */
function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, alpha = 1, aSums: Float32Array | null = null): Float32Array {
  const c = uninitF32(m * n, 'matmul', [m, n]);
  product(a, b, c, { transA, transB, m, n, k, alpha, beta: 0 }, aSums);
  return c;
}

/** `sgemm`, also writing the column sums of the stored A into `aSums` when it is given (transA). */
function product(a: Float32Array, b: Float32Array, c: Float32Array, options: GemmOptions, aSums: Float32Array | null): void {
  if (aSums === null) kernels.sgemm(a, b, c, null, options);
  else kernels.sgemmASums(a, b, c, aSums, options);
}

/**
 * The elements of a 2-D view that is the transpose of a packed row-major matrix (`w.t()`): the
 * storage run holding that matrix, which sgemm reads through its transpose flag; null for any
 * other layout (a contiguous tensor is read as it is, others are made contiguous).
 */
function transposedData(x: Tensor): Float32Array | null {
  if (x.isContiguous() || x.shape.length !== 2) return null;
  const [rows, cols] = x.shape;
  if (x.stride(0) !== 1 || x.stride(1) !== rows) return null;
  const offset = x.storageOffset();
  return (x.storage.data as Float32Array).subarray(offset, offset + rows * cols);
}

/**
 * The gradient `alpha·op(A)·op(B)` of input `i` of a product node, `m×n`: written straight into
 * the buffer the node's `gradBuffer` hook offers (then `null`, nothing for the engine to
 * accumulate), else a new tensor of `shape`. NOTE [ Gradient buffers of leaves ] in
 * autograd/accumulate.ts.
 */
function productGrad(
  node: Node,
  i: number,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  shape: readonly number[],
  alpha = 1,
  aSums: Float32Array | null = null,
): Tensor | null {
  const direct = node.gradBuffer(i, m * n);
  if (direct !== null && (direct.beta === 0 || (direct.data.buffer !== a.buffer && direct.data.buffer !== b.buffer))) {
    product(a, b, direct.data, { transA, transB, m, n, k, alpha, beta: direct.beta }, aSums);
    return null;
  }
  return Tensor._make(gemm(transA, transB, m, n, k, a, b, alpha, aSums), shape, 'float32');
}

function mismatch(op: string, m: number, k: number, k2: number, n: number): ShapeError {
  return new ShapeError(`${op}: mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`);
}

/** `torch.mm(a, b)`: (m×k)·(k×n) for 2-D tensors (`MmBackward0`). */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkFloat('mm', a, b);
  if (a.shape.length !== 2) throw new ShapeError(`mm: self must be a matrix, got ${a.shape.length}-D tensor`);
  if (b.shape.length !== 2) throw new ShapeError(`mm: mat2 must be a matrix, got ${b.shape.length}-D tensor`);
  const [m, k] = a.shape;
  const [k2, n] = b.shape;
  if (k !== k2) throw mismatch('mm', m, k, k2, n);
  // A transposed view (`w.t()`) is read through sgemm's transpose flag, not copied.
  const aT = transposedData(a);
  const bT = transposedData(b);
  const av = aT ?? (a.data as Float32Array);
  const bv = bT ?? (b.data as Float32Array);
  const out = Tensor._make(gemm(aT !== null, bT !== null, m, n, k, av, bv), [m, n], 'float32');
  if (recording(a, b)) {
    attach(out, 'MmBackward0', [a, b], (g, node) => {
      const gv = g.data as Float32Array;
      // dA = G·Bᵀ, dB = Aᵀ·G, each operand read in the layout it is stored in.
      return [
        node.needsGrad(0) ? productGrad(node, 0, false, bT === null, m, k, n, gv, bv, a.shape) : null,
        node.needsGrad(1) ? productGrad(node, 1, aT === null, false, k, n, m, av, gv, b.shape) : null,
      ];
    }, savedFor(a, b, b, a));
  }
  return out;
}

/** Batched product of (B, m, k) and (B, k, n) contiguous tensors (`BmmBackward0`). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkFloat('bmm', a, b);
  if (a.shape.length !== 3 || b.shape.length !== 3) {
    throw new ShapeError(`bmm: batch1 and batch2 must be 3D tensors, got ${a.shape.length}D and ${b.shape.length}D`);
  }
  const [batch, m, k] = a.shape;
  const [batch2, k2, n] = b.shape;
  if (batch !== batch2 || k !== k2) {
    throw new ShapeError(`Expected size for first two dimensions of batch2 tensor to be: [${batch}, ${k}] but got: [${batch2}, ${k2}].`);
  }
  const av = a.data as Float32Array;
  const bv = b.data as Float32Array;
  /** One sgemm per batch entry into `out` (`out = beta·out + op(X_i)·op(Y_i)`). */
  const runInto = (out: Float32Array, beta: number, transA: boolean, transB: boolean, rows: number, cols: number, inner: number, x: Float32Array, xStride: number, y: Float32Array, yStride: number): void => {
    for (let i = 0; i < batch; i++) {
      kernels.sgemm(
        x.subarray(i * xStride, (i + 1) * xStride),
        y.subarray(i * yStride, (i + 1) * yStride),
        out.subarray(i * rows * cols, (i + 1) * rows * cols),
        null,
        { transA, transB, m: rows, n: cols, k: inner, alpha: 1, beta },
      );
    }
  };
  const run = (transA: boolean, transB: boolean, rows: number, cols: number, inner: number, x: Float32Array, xStride: number, y: Float32Array, yStride: number): Float32Array => {
    const out = uninitF32(batch * rows * cols, 'bmm', [batch, rows, cols]);
    runInto(out, 0, transA, transB, rows, cols, inner, x, xStride, y, yStride);
    return out;
  };
  /** Input `i`'s gradient, written into the node's gradient buffer when it offers one. */
  const gradOf = (node: Node, i: number, shape: readonly number[], transA: boolean, transB: boolean, rows: number, cols: number, inner: number, x: Float32Array, xStride: number, y: Float32Array, yStride: number): Tensor | null => {
    const direct = node.gradBuffer(i, batch * rows * cols);
    if (direct !== null && (direct.beta === 0 || (direct.data.buffer !== x.buffer && direct.data.buffer !== y.buffer))) {
      runInto(direct.data, direct.beta, transA, transB, rows, cols, inner, x, xStride, y, yStride);
      return null;
    }
    return Tensor._make(run(transA, transB, rows, cols, inner, x, xStride, y, yStride), shape, 'float32');
  };
  const out = Tensor._make(run(false, false, m, n, k, av, m * k, bv, k * n), [batch, m, n], 'float32');
  if (recording(a, b)) {
    attach(out, 'BmmBackward0', [a, b], (g, node) => {
      const gv = g.data as Float32Array;
      return [
        node.needsGrad(0) ? gradOf(node, 0, a.shape, false, true, m, k, n, gv, m * n, bv, k * n) : null,
        node.needsGrad(1) ? gradOf(node, 1, b.shape, true, false, k, n, m, av, m * k, gv, m * n) : null,
      ];
    }, savedFor(a, b, b, a));
  }
  return out;
}

/** 1-D · 1-D (`DotBackward0`). */
function dot(a: Tensor, b: Tensor): Tensor {
  const n = a.shape[0];
  if (n !== b.shape[0]) {
    throw new ShapeError(
      `inconsistent tensor size, expected tensor [${n}] and src [${b.shape[0]}] to have the same number of elements, but got ${n} and ${b.shape[0]} elements respectively`,
    );
  }
  const out = Tensor._make(gemm(false, false, 1, 1, n, a.data as Float32Array, b.data as Float32Array), [], 'float32');
  if (recording(a, b)) {
    attach(out, 'DotBackward0', [a, b], (g, node) => {
      const s = g.data[0] as number;
      return [node.needsGrad(0) ? scale(b.detach(), s) : null, node.needsGrad(1) ? scale(a.detach(), s) : null];
    }, savedFor(a, b, b, a));
  }
  return out;
}

/**
 * `torch.matmul(a, b)` with PyTorch's rules: 1-D·1-D dot, 2-D·2-D mm, 1-D operands get a
 * temporary dimension, ≥3-D operands broadcast their batch dimensions.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkFloat('matmul', a, b);
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra === 0 || rb === 0) {
    throw new ShapeError(`both arguments to matmul need to be at least 1D, but they are ${ra}D and ${rb}D`);
  }
  if (ra === 1 && rb === 1) return dot(a, b);
  if (ra === 2 && rb === 2) return mm(a, b);
  if (ra === 1 && rb === 2) {
    if (a.shape[0] !== b.shape[0]) throw mismatch('mm', 1, a.shape[0], b.shape[0], b.shape[1]);
    return squeeze(mm(unsqueeze(a, 0), b), 0);
  }
  if (ra === 2 && rb === 1) {
    if (a.shape[1] !== b.shape[0]) {
      throw new ShapeError(`size mismatch, got input (${a.shape[0]}), mat (${a.shape[0]}x${a.shape[1]}), vec (${b.shape[0]})`);
    }
    return squeeze(mm(a, unsqueeze(b, 1)), 1);
  }
  // Batched: give 1-D operands their temporary dimension, broadcast the batch dims, run bmm.
  const a3 = ra === 1 ? unsqueeze(a, 0) : a;
  const b3 = rb === 1 ? unsqueeze(b, 1) : b;
  const [m, k] = a3.shape.slice(-2);
  const [k2, n] = b3.shape.slice(-2);
  if (k !== k2) throw mismatch('matmul', m, k, k2, n);
  const batchA = a3.shape.slice(0, -2);
  const batchB = b3.shape.slice(0, -2);
  let out: Tensor;
  if (batchB.length === 0) {
    // (…, m, k)·(k, n): one big mm on the folded rows. The row count is explicit, not -1: with
    // k = 0 a -1 could not be inferred (PyTorch gives zeros of shape (…, m, n) there).
    out = reshape(mm(reshape(a3, [numelOf(batchA) * m, k]), b3), [...batchA, m, n]);
  } else {
    const batch = broadcastShapes(batchA, batchB);
    const count = numelOf(batch);
    const ae = reshape(expand(a3, [...batch, m, k]), [count, m, k]);
    const be = reshape(expand(b3, [...batch, k, n]), [count, k, n]);
    out = reshape(bmm(ae, be), [...batch, m, n]);
  }
  if (ra === 1) out = squeeze(out, -2);
  if (rb === 1) out = squeeze(out, -1);
  return out;
}

const ADDMM_OPTIONS = { beta: 'number', alpha: 'number' } as const;

/**
 * `torch.addmm(input, mat1, mat2, { beta, alpha })`: `beta·input + alpha·(mat1·mat2)`, with
 * `input` broadcastable to the product's shape (`AddmmBackward0`).
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options?: { beta?: number; alpha?: number }): Tensor {
  checkOptions('addmm', options, ADDMM_OPTIONS);
  checkFloat('addmm', input, mat1, mat2);
  const beta = options?.beta ?? 1;
  const alpha = options?.alpha ?? 1;
  if (mat1.shape.length !== 2) throw new ShapeError(`addmm: mat1 must be a matrix, got ${mat1.shape.length}-D tensor`);
  if (mat2.shape.length !== 2) throw new ShapeError(`addmm: mat2 must be a matrix, got ${mat2.shape.length}-D tensor`);
  const [m, k] = mat1.shape;
  const [k2, n] = mat2.shape;
  if (k !== k2) throw mismatch('addmm', m, k, k2, n);
  // Broadcast `input` into C (validates it), then C = alpha·A·B + beta·C in one sgemm.
  const c = expand(input.detach(), [m, n]);
  // C must be a fresh buffer: `c.data` is `input`'s own storage when no broadcast was needed.
  const cData = c.isContiguous() ? (c.data as Float32Array).slice() : (c.data as Float32Array);
  const aT = transposedData(mat1);
  const bT = transposedData(mat2);
  const av = aT ?? (mat1.data as Float32Array);
  const bv = bT ?? (mat2.data as Float32Array);
  kernels.sgemm(av, bv, cData, null, { transA: aT !== null, transB: bT !== null, m, n, k, alpha, beta });
  const out = Tensor._make(cData, [m, n], 'float32');
  if (recording(input, mat1, mat2)) {
    const inShape = input.shape;
    attach(out, 'AddmmBackward0', [input, mat1, mat2], (g, node) => {
      const gv = g.data as Float32Array;
      return [
        node.needsGrad(0) ? sumTo(scale(g, beta), inShape) : null,
        node.needsGrad(1) ? productGrad(node, 1, false, bT === null, m, k, n, gv, bv, mat1.shape, alpha) : null,
        node.needsGrad(2) ? productGrad(node, 2, aT === null, false, k, n, m, av, gv, mat2.shape, alpha) : null,
      ];
    }, savedFor(mat1, mat2, mat2, mat1));
  }
  return out;
}

/** The sizes of a `linear` call: `rows` input rows of `k` features into `outF` outputs. */
export interface LinearSizes {
  rows: number;
  k: number;
  outF: number;
}

/** Validates `linear`'s arguments (PyTorch's messages) and returns its sizes. */
export function checkLinear(input: Tensor, weight: Tensor, bias?: Tensor | null): LinearSizes {
  checkFloat('linear', input, weight, ...(bias ? [bias] : []));
  if (weight.shape.length !== 2) {
    throw new ShapeError(`linear: weight must be 2-D (out_features, in_features), got shape [${weight.shape.join(', ')}]`);
  }
  if (input.shape.length === 0) throw new ShapeError('linear: input must have at least 1 dimension, got a 0-d tensor');
  const [outF, inF] = weight.shape;
  const k = input.shape[input.shape.length - 1];
  const rows = k === 0 ? numelOf(input.shape.slice(0, -1)) : input.numel() / k;
  if (k !== inF) throw mismatch('linear', rows, k, inF, outF);
  if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: bias has shape [${bias.shape.join(', ')}], expected [${outF}]`);
  }
  return { rows, k, outF };
}

/** `linear`'s output shape: the input's with the last dimension replaced by `outF`. */
export function linearOutputShape(input: Tensor, outF: number): number[] {
  return input.shape.length === 1 ? [outF] : [...input.shape.slice(0, -1), outF];
}

/**
 * The graph node of a linear product `input·weightᵀ (+ bias)` whose output gradient, as seen by
 * the product, is `productGrad(g)`: `AddmmBackward0`-style edges (bias, input, weight) with a
 * bias, (input, weight) without; dX = dY·W, dW = dYᵀ·X (straight into the weight's `.grad` when
 * it may be, see productGrad), db = column sums of dY. `linear` passes the gradient through;
 * fused blocks (ops/linear-block.ts) first undo their activation epilogue.
 */
export function attachLinear(
  out: Tensor,
  name: string,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  { rows, k, outF }: LinearSizes,
  productGradOf: (g: Tensor) => Float32Array,
  readsOutput = false,
): void {
  const xv = input.data as Float32Array;
  const wT = transposedData(weight);
  const wv = wT ?? (weight.data as Float32Array);
  const backward = (g: Tensor, node: Node, needX: boolean, wEdge: number, needB: boolean): Array<Tensor | null> => {
    const gv = productGradOf(g);
    const needW = node.needsGrad(wEdge);
    const bias = needB ? biasTarget(node, outF) : null;
    // dW = dYᵀ·X, written straight into the weight's `.grad` when it may be (see productGrad);
    // db = the column sums of dY, taken by the same product while it packs dY.
    const gw = needW ? productGrad(node, wEdge, true, false, outF, k, rows, gv, xv, weight.shape, 1, bias?.data ?? null) : null;
    if (bias !== null && !needW) kernels.reduce(ReduceOp.sum, gv, 1, rows, outF, bias.data);
    const gb = bias !== null ? finishBias(bias, outF) : null;
    return [gb, needX ? Tensor._make(gemm(false, wT !== null, rows, k, outF, gv, wv), input.shape, 'float32') : null, gw];
  };
  // Saved as PyTorch's AddmmBackward0 saves them: X for dW, W for dX (and the output for an epilogue).
  const saved: Tensor[] = [];
  if (weight.requiresGrad) saved.push(input);
  if (input.requiresGrad) saved.push(weight);
  if (readsOutput) saved.push(out);
  if (bias != null) {
    attach(out, name, [bias, input, weight], (g, node) => backward(g, node, node.needsGrad(1), 2, node.needsGrad(0)), saved, true);
  } else {
    attach(out, name, [input, weight], (g, node) => backward(g, node, node.needsGrad(0), 1, false).slice(1), saved, true);
  }
}

/**
 * `input·weightᵀ (+ bias)` into `y` (rows×outF): one sgemm with the bias fused, reading a
 * transposed weight view (`w.t()`) through the transpose flag.
 */
export function linearForward(input: Tensor, weight: Tensor, bias: Tensor | null | undefined, { rows, k, outF }: LinearSizes, y: Float32Array): void {
  const wT = transposedData(weight);
  const wv = wT ?? (weight.data as Float32Array);
  kernels.sgemm(input.data as Float32Array, wv, y, bias == null ? null : (bias.data as Float32Array), { transA: false, transB: wT === null, m: rows, n: outF, k, alpha: 1, beta: 0 });
}

const outputGradient = (g: Tensor): Float32Array => g.data as Float32Array;

/**
 * Where db (the column sums of dY, for the bias: edge 0 of a linear node) is summed: straight into
 * the bias's existing or recycled `.grad` when the node's `gradBuffer` offers it with `beta` 0
 * (`addTo` null, `written`), else into a new buffer, afterwards added into the `.grad` it offers
 * (`addTo`) or returned as the gradient. NOTE [ Gradient buffers of leaves ].
 */
interface BiasTarget {
  data: Float32Array;
  written: boolean;
  addTo: Float32Array | null;
}

function biasTarget(node: Node, outF: number): BiasTarget {
  const direct = node.gradBuffer(0, outF);
  if (direct !== null && direct.beta === 0) return { data: direct.data, written: true, addTo: null };
  return { data: uninitF32(outF), written: false, addTo: direct === null ? null : direct.data };
}

/**
 * The bias's gradient once its sums are in `target.data`: `null` when they are (or are now added
 * into) its `.grad`, like productGrad, with the same bits as the engine's adopt-or-add of a new
 * buffer; else the new tensor.
 */
function finishBias(target: BiasTarget, outF: number): Tensor | null {
  if (target.written) return null;
  if (target.addTo === null) return Tensor._make(target.data, [outF], 'float32');
  addInto(target.addTo, target.data);
  return null;
}

/**
 * `torch.nn.functional.linear(input, weight, bias?)`: `input·weightᵀ + bias` over the last
 * dimension of `input` (any leading dims). One sgemm with `transB` and the bias fused.
 * Graph node: `AddmmBackward0` with a bias (edges: bias, input, weight), `MmBackward0` without.
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const sizes = checkLinear(input, weight, bias);
  const { rows, outF } = sizes;
  const outShape = linearOutputShape(input, outF);
  const y = uninitF32(rows * outF, 'linear', outShape);
  linearForward(input, weight, bias, sizes, y);
  const out = Tensor._make(y, outShape, 'float32');
  if (isTracing()) traced(out, { linear: true });
  if (recording(input, weight, bias)) {
    attachLinear(out, bias != null ? 'AddmmBackward0' : 'MmBackward0', input, weight, bias, sizes, outputGradient);
  }
  return out;
}
