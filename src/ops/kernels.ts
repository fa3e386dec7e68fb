/**
 * The native kernels as kindling calls them: the one seam between TypeScript and Rust. Every
 * native call in `src/` goes through `kernels` (only this file imports `src/native`), typed by the
 * contract in docs/ARCHITECTURE.md, so the callers type-check against the contract whatever the
 * generated `native/index.d.ts` currently declares. Nothing here computes; every function is the
 * binding's (the kernels with more than four scalar parameters or more than seven in all take a
 * named options object here, packed for the binding below; buffers stay positional: they are
 * borrowed in place).
 */
import { native } from '../native';
import * as codes from '../native/codes';

type F32 = Float32Array;
type Dims = Uint32Array;

export interface Kernels {
  setNumThreads(n: number): void;
  getNumThreads(): number;
  simdPath(): string;
  /** GFLOP/s of register-held FMAs on every pool thread over about `seconds` (benchmarks' peak). */
  measurePeakGflops(seconds: number): number;
  sgemm(a: F32, b: F32, c: F32, bias: F32 | null | undefined, options: GemmOptions): void;
  sgemmASums(a: F32, b: F32, c: F32, aSums: F32, options: GemmOptions): void;
  binary(op: number, a: F32, b: F32, out: F32): void;
  binaryScalar(op: number, a: F32, s: number, out: F32, reverse: boolean): void;
  binaryBroadcast(op: number, a: F32, aStrides: Dims, b: F32, bStrides: Dims, outShape: Dims, out: F32): void;
  unary(op: number, x: F32, out: F32, param: number, param2?: number): void;
  unaryBackward(op: number, gradOut: F32, x: F32, y: F32, gradIn: F32, param: number, param2?: number): void;
  unaryBackwardInplace(op: number, grad: F32, x: F32, y: F32, param: number, param2?: number): void;
  geluWithDerivative(x: F32, out: F32, deriv: F32): void;
  mulInplace(grad: F32, factor: F32): void;
  stridedCopy(x: F32, shape: Dims, strides: Dims, out: F32): void;
  stridedAdd(src: F32, shape: Dims, strides: Dims, dst: F32): void;
  sumToShape(grad: F32, gradShape: Dims, outShape: Dims, out: F32): void;
  reduce(op: number, x: F32, outer: number, dim: number, inner: number, out: F32): void;
  reduceArg(op: number, x: F32, outer: number, dim: number, inner: number, values: F32, indices: Int32Array): void;
  softmax(x: F32, outer: number, dim: number, inner: number, out: F32, log: boolean): void;
  softmaxBackward(gradOut: F32, y: F32, outer: number, dim: number, inner: number, gradIn: F32, log: boolean): void;
  crossEntropy(logits: F32, target: Int32Array, weight: F32 | null | undefined, loss: F32, gradLogits: F32, options: CrossEntropyOptions): void;
  crossEntropyProbs(logits: F32, targetProbs: F32, weight: F32 | null | undefined, loss: F32, gradLogits: F32, options: CrossEntropyProbsOptions): void;
  nllLoss(logProbs: F32, target: Int32Array, weight: F32 | null | undefined, loss: F32, gradLogProbs: F32, options: NllLossOptions): void;
  fillUniform(out: F32, low: number, high: number, seed: number, offset: number): number;
  fillNormal(out: F32, mean: number, std: number, seed: number, offset: number): number;
  fillRandint(out: Int32Array, low: number, high: number, seed: number, offset: number): number;
  randperm(out: Int32Array, seed: number, offset: number): number;
  fillBernoulli(out: F32, p: number, seed: number, offset: number): number;
  dropout(x: F32, out: F32, p: number, seed: number, offset: number): number;
  dropoutBackward(gradOut: F32, gradIn: F32, p: number, seed: number, offset: number): number;
  dropoutReluInplace(buf: F32, p: number, seed: number, offset: number, relu: boolean): number;
  dropoutReluBackward(gradOut: F32, out: F32, gradIn: F32, p: number, seed: number, offset: number, relu: boolean): number;
  gatherBytes(bytes: Uint8Array, rowLen: number, indices: Int32Array, table: F32 | null | undefined, out: F32): void;
  spinWhileEqualAt(counters: Int32Array, index: number, value: number, maxMicros: number): boolean;
  adamStep(
    params: F32[],
    grads: F32[],
    expAvgs: F32[],
    expAvgSqs: F32[],
    maxExpAvgSqs: F32[],
    steps: Float64Array,
    options: AdamStepOptions,
  ): void;
  sgdStep(params: F32[], grads: F32[], momentumBuffers: F32[], bufferInitialized: Uint8Array, options: SgdStepOptions): void;
  maxPool2d(x: F32, values: F32, indices: Int32Array, options: Pool2dOptions): void;
  /** `maxPool2d`'s values alone, for a forward with no backward. */
  maxPool2dValues(x: F32, values: F32, options: Pool2dOptions): void;
  attention(q: F32, k: F32, v: F32, mask: F32 | null | undefined, out: F32, lse: F32, options: AttentionOptions): number;
  layerNorm(x: F32, weight: F32 | null | undefined, bias: F32 | null | undefined, out: F32, mean: F32, rstd: F32, options: NormOptions): void;
  /** `gradIn` gets the input gradient plus `addend` (elementwise, after rounding) when one is given. */
  layerNormBackward(gradOut: F32, x: F32, mean: F32, rstd: F32, weight: F32 | null | undefined, gradIn: F32, addend: F32 | null | undefined, gradWeight: F32 | null | undefined, gradBias: F32 | null | undefined, options: NormOptions): void;
  attentionBackward(q: F32, k: F32, v: F32, mask: F32 | null | undefined, out: F32, lse: F32, gradOut: F32, gradQ: F32, gradK: F32, gradV: F32, options: AttentionOptions): void;
  /** `attentionBackward` for q, k, v viewing one storage: the three gradients written into `grad` (its length) where each sits. */
  attentionBackwardIntoStorage(q: F32, k: F32, v: F32, mask: F32 | null | undefined, out: F32, lse: F32, gradOut: F32, grad: F32, options: AttentionOptions): void;
  maxPoolBackward(gradOut: F32, indices: Int32Array, gradIn: F32, planes: number, inPlane: number, outPlane: number): void;
  avgPool2d(x: F32, out: F32, options: Pool2dOptions): void;
  avgPool2dBackward(gradOut: F32, gradIn: F32, options: Pool2dOptions): void;
  adaptiveAvgPool2d(x: F32, out: F32, options: AdaptivePoolOptions): void;
  conv2d(x: F32, weight: F32, bias: F32 | null | undefined, out: F32, options: Conv2dOptions): void;
  batchNormStats(x: F32, mean: F32, variance: F32, options: BatchNormOptions): void;
  batchNormApply(x: F32, mean: F32, invstd: F32, weight: F32 | null | undefined, bias: F32 | null | undefined, out: F32, options: BatchNormOptions): void;
  batchNormBackwardReduce(gradOut: F32, x: F32, mean: F32, invstd: F32, sums: F32, options: BatchNormOptions): void;
  batchNormBackwardInput(gradOut: F32, x: F32, mean: F32, invstd: F32, weight: F32 | null | undefined, sums: F32, gradIn: F32, options: BatchNormOptions): void;
  conv2dBackwardInput(gradOut: F32, weight: F32, gradIn: F32, options: Conv2dOptions): void;
  conv2dBackwardWeight(gradOut: F32, x: F32, gradWeight: F32, gradBias: F32 | null | undefined, options: Conv2dOptions): void;
  adaptiveAvgPool2dBackward(gradOut: F32, gradIn: F32, options: AdaptivePoolOptions): void;
  adaptiveMaxPool2d(x: F32, values: F32, indices: Int32Array, options: AdaptivePoolOptions): void;
  adadeltaStep(params: F32[], grads: F32[], squareAvgs: F32[], accDeltas: F32[], options: AdadeltaStepOptions): void;
  rmspropStep(params: F32[], grads: F32[], squareAvgs: F32[], gradAvgs: F32[], momentumBuffers: F32[], options: RmspropStepOptions): void;
  adagradStep(params: F32[], grads: F32[], stateSums: F32[], steps: Float64Array, options: AdagradStepOptions): void;
  // Rows of a `batches × rows × rowLen` table picked / accumulated by index (indexSelect, indexing, #14).
  gatherRows(table: F32, batches: number, rowLen: number, indices: Int32Array, out: F32): void;
  scatterAddRows(src: F32, batches: number, rowLen: number, indices: Int32Array, table: F32): void;
  // One recurrent layer-direction's time loop and its backward through time (src/ops/rnn.ts).
  // `wHr`: the LSTM projection (`proj` > 0); `lengths`: each batch row's valid steps (packed input).
  rnnForward(xProj: F32, wHh: F32, bHh: F32 | null | undefined, wHr: F32 | null | undefined, lengths: Uint32Array | null | undefined, state0: F32, out: F32, saved: F32, options: RnnOptions): void;
  rnnBackward(wHh: F32, wHr: F32 | null | undefined, lengths: Uint32Array | null | undefined, state0: F32, out: F32, saved: F32, gradOut: F32, gradState: F32, gradGates: F32, gradWhh: F32 | null, gradBhh: F32 | null, x: F32 | null, wIh: F32 | null, gradX: F32 | null, gradWih: F32 | null, gradBih: F32 | null, options: RnnOptions): void;
}

/** `sgemm`'s shapes and scalars: `op(a)` is m×k (stored k×m when `transA`), `op(b)` k×n (n×k when `transB`). */
export interface GemmOptions {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
}

/** `crossEntropy`'s sizes and settings (`reduction`: a {@link Reduction} code). */
export interface CrossEntropyOptions {
  n: number;
  c: number;
  ignoreIndex: number;
  labelSmoothing: number;
  reduction: number;
}

/** `crossEntropyProbs`'s sizes and settings (`reduction`: a {@link Reduction} code). */
export interface CrossEntropyProbsOptions {
  n: number;
  c: number;
  labelSmoothing: number;
  reduction: number;
}

/** `nllLoss`'s sizes and settings (`reduction`: a {@link Reduction} code). */
export interface NllLossOptions {
  n: number;
  c: number;
  ignoreIndex: number;
  reduction: number;
}

/** `adamStep`'s hyperparameters (PyTorch's names; AdamW is `decoupledWeightDecay`). */
export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  decoupledWeightDecay: boolean;
}

/** `sgdStep`'s hyperparameters (PyTorch's names). */
export interface SgdStepOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}

/** A 2-D pooling's sizes over `planes` planes (1-D: heights 1); `divisorOverride` 0 is none. */
export interface Pool2dOptions {
  planes: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  countIncludePad: boolean;
  divisorOverride: number;
}

/** A 2-D convolution's sizes over `[batch, inChannels, inH, inW]` (1-D: heights 1). */
export interface Conv2dOptions {
  batch: number;
  inChannels: number;
  inH: number;
  inW: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  groups: number;
  /** Padding after the input (`padH`/`padW` are before): equal, but for `padding: 'same'` with an even kernel. */
  padBottom: number;
  padRight: number;
}

/** A batch norm's sizes over `[n, c, l]`; `train`: batch statistics (their gradient flows). */
export interface BatchNormOptions {
  n: number;
  c: number;
  l: number;
  train: boolean;
}

/** A layer / RMS normalisation's sizes (`crates/kindling-core/src/layer_norm`). */
/** A recurrent layer-direction's sizes (`crates/kindling-core/src/rnn`); `mode`: 0 tanh, 1 relu, 2 LSTM, 3 GRU. */
export interface RnnOptions {
  mode: number;
  steps: number;
  batch: number;
  hidden: number;
  reverse: boolean;
  /** LSTM projection size (`proj_size`); 0 or absent for none. */
  proj?: number;
}

export interface NormOptions {
  rows: number;
  n: number;
  eps: number;
  rms: boolean;
}

/** A fused attention call's sizes and settings (`crates/kindling-core/src/attention`). */
export interface AttentionOptions {
  batchHeads: number;
  qLen: number;
  kvLen: number;
  headDim: number;
  valueDim: number;
  scale: number;
  causal: boolean;
  /** 0 (no mask), 1 (one `[L, S]` layer for all) or `batchHeads`. */
  maskLayers: number;
  dropoutP: number;
  seed: number;
  offset: number;
  /** Heads per batch in the layouts (batch·head `bh` = batch `⌊bh / heads⌋`, head `bh mod heads`). */
  heads: number;
  q: AttentionLayout;
  k: AttentionLayout;
  v: AttentionLayout;
  /** `out` and `gradOut` in `[batch, L, heads, Ev]` order instead of `[batch·heads, L, Ev]`. */
  interleaved: boolean;
}

/** Where an attention operand's rows sit in its buffer (each row's elements contiguous). */
export interface AttentionLayout {
  offset: number;
  batchStride: number;
  headStride: number;
  rowStride: number;
}

/** An adaptive 2-D pooling's sizes over `planes` planes. */
export interface AdaptivePoolOptions {
  planes: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
}

/** The kernels whose options cross packed in a `Float64Array` (see `packed` below). */
type PackedKernels =
  | 'sgemm'
  | 'sgemmASums'
  | 'crossEntropy'
  | 'crossEntropyProbs'
  | 'nllLoss'
  | 'adamStep'
  | 'sgdStep'
  | 'maxPool2d'
  | 'maxPool2dValues'
  | 'attention'
  | 'attentionBackward'
  | 'attentionBackwardIntoStorage'
  | 'layerNorm'
  | 'layerNormBackward'
  | 'rnnForward'
  | 'rnnBackward'
  | 'avgPool2d'
  | 'avgPool2dBackward'
  | 'adaptiveAvgPool2d'
  | 'adaptiveAvgPool2dBackward'
  | 'adaptiveMaxPool2d'
  | 'adadeltaStep'
  | 'rmspropStep'
  | 'adagradStep'
  | 'conv2d'
  | 'conv2dBackwardInput'
  | 'conv2dBackwardWeight'
  | 'batchNormStats'
  | 'batchNormApply'
  | 'batchNormBackwardReduce'
  | 'batchNormBackwardInput';

/** `adadeltaStep`'s hyperparameters (PyTorch's names). */
export interface AdadeltaStepOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/** `rmspropStep`'s hyperparameters (PyTorch's names). */
export interface RmspropStepOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** `adagradStep`'s hyperparameters (PyTorch's names). */
export interface AdagradStepOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
}

/** The binding as it is declared: the packed kernels take a `Float64Array` in place of their options. */
interface Binding extends Omit<Kernels, PackedKernels> {
  sgemm(a: F32, b: F32, c: F32, bias: F32 | null | undefined, options: Float64Array): void;
  sgemmASums(a: F32, b: F32, c: F32, aSums: F32, options: Float64Array): void;
  crossEntropy(logits: F32, target: Int32Array, weight: F32 | null | undefined, loss: F32, gradLogits: F32, options: Float64Array): void;
  crossEntropyProbs(logits: F32, targetProbs: F32, weight: F32 | null | undefined, loss: F32, gradLogits: F32, options: Float64Array): void;
  nllLoss(logProbs: F32, target: Int32Array, weight: F32 | null | undefined, loss: F32, gradLogProbs: F32, options: Float64Array): void;
  adamStep(params: F32[], grads: F32[], expAvgs: F32[], expAvgSqs: F32[], maxExpAvgSqs: F32[], steps: Float64Array, options: Float64Array): void;
  sgdStep(params: F32[], grads: F32[], momentumBuffers: F32[], bufferInitialized: Uint8Array, options: Float64Array): void;
  maxPool2d(x: F32, values: F32, indices: Int32Array, options: Float64Array): void;
  maxPool2dValues(x: F32, values: F32, options: Float64Array): void;
  attention(q: F32, k: F32, v: F32, mask: F32 | null | undefined, out: F32, lse: F32, options: Float64Array): number;
  layerNorm(x: F32, weight: F32 | null | undefined, bias: F32 | null | undefined, out: F32, mean: F32, rstd: F32, options: Float64Array): void;
  layerNormBackward(gradOut: F32, x: F32, mean: F32, rstd: F32, weight: F32 | null | undefined, gradIn: F32, addend: F32 | null | undefined, gradWeight: F32 | null | undefined, gradBias: F32 | null | undefined, options: Float64Array): void;
  rnnForward(xProj: F32, wHh: F32, bHh: F32 | null | undefined, wHr: F32 | null | undefined, lengths: Uint32Array | null | undefined, state0: F32, out: F32, saved: F32, options: Float64Array): void;
  rnnBackward(wHh: F32, wHr: F32 | null | undefined, lengths: Uint32Array | null | undefined, state0: F32, out: F32, saved: F32, gradOut: F32, gradState: F32, gradGates: F32, gradWhh: F32 | null | undefined, gradBhh: F32 | null | undefined, x: F32 | null | undefined, wIh: F32 | null | undefined, gradX: F32 | null | undefined, gradWih: F32 | null | undefined, gradBih: F32 | null | undefined, options: Float64Array): void;
  attentionBackward(q: F32, k: F32, v: F32, mask: F32 | null | undefined, out: F32, lse: F32, gradOut: F32, gradQ: F32, gradK: F32, gradV: F32, options: Float64Array): void;
  attentionBackwardIntoStorage(q: F32, k: F32, v: F32, mask: F32 | null | undefined, out: F32, lse: F32, gradOut: F32, grad: F32, options: Float64Array): void;
  avgPool2d(x: F32, out: F32, options: Float64Array): void;
  avgPool2dBackward(gradOut: F32, gradIn: F32, options: Float64Array): void;
  adaptiveAvgPool2d(x: F32, out: F32, options: Float64Array): void;
  adaptiveAvgPool2dBackward(gradOut: F32, gradIn: F32, options: Float64Array): void;
  adaptiveMaxPool2d(x: F32, values: F32, indices: Int32Array, options: Float64Array): void;
  adadeltaStep(params: F32[], grads: F32[], squareAvgs: F32[], accDeltas: F32[], options: Float64Array): void;
  rmspropStep(params: F32[], grads: F32[], squareAvgs: F32[], gradAvgs: F32[], momentumBuffers: F32[], options: Float64Array): void;
  adagradStep(params: F32[], grads: F32[], stateSums: F32[], steps: Float64Array, options: Float64Array): void;
  conv2d(x: F32, weight: F32, bias: F32 | null | undefined, out: F32, options: Float64Array): void;
  conv2dBackwardInput(gradOut: F32, weight: F32, gradIn: F32, options: Float64Array): void;
  conv2dBackwardWeight(gradOut: F32, x: F32, gradWeight: F32, gradBias: F32 | null | undefined, options: Float64Array): void;
  batchNormStats(x: F32, mean: F32, variance: F32, options: Float64Array): void;
  batchNormApply(x: F32, mean: F32, invstd: F32, weight: F32 | null | undefined, bias: F32 | null | undefined, out: F32, options: Float64Array): void;
  batchNormBackwardReduce(gradOut: F32, x: F32, mean: F32, invstd: F32, sums: F32, options: Float64Array): void;
  batchNormBackwardInput(gradOut: F32, x: F32, mean: F32, invstd: F32, weight: F32 | null | undefined, sums: F32, gradIn: F32, options: Float64Array): void;
}

// A plain assignment (no cast): if the generated binding drifts from the contract, tsc says so here.
const binding: Binding = native;

/**
 * One scratch array per packed kernel, refilled on every call (calls are synchronous, so one is
 * enough): the options object's fields in the order `kindling_core::options` unpacks them,
 * booleans as 0/1. Packing costs a few stores; a napi options object would cost a property lookup
 * per field in Rust (docs/PERFORMANCE.md, NOTE [ Options objects at the binding ]).
 */
const gemmPacked = new Float64Array(7);
const crossEntropyPacked = new Float64Array(5);
const crossEntropyProbsPacked = new Float64Array(4);
const nllLossPacked = new Float64Array(4);
const adamPacked = new Float64Array(8);
const sgdPacked = new Float64Array(6);
const poolPacked = new Float64Array(15);
const adaptivePacked = new Float64Array(5);

function packPool(o: Pool2dOptions): Float64Array {
  poolPacked[0] = o.planes;
  poolPacked[1] = o.inH;
  poolPacked[2] = o.inW;
  poolPacked[3] = o.outH;
  poolPacked[4] = o.outW;
  poolPacked[5] = o.kernelH;
  poolPacked[6] = o.kernelW;
  poolPacked[7] = o.strideH;
  poolPacked[8] = o.strideW;
  poolPacked[9] = o.padH;
  poolPacked[10] = o.padW;
  poolPacked[11] = o.dilationH;
  poolPacked[12] = o.dilationW;
  poolPacked[13] = o.countIncludePad ? 1 : 0;
  poolPacked[14] = o.divisorOverride;
  return poolPacked;
}

function packAdaptive(o: AdaptivePoolOptions): Float64Array {
  adaptivePacked[0] = o.planes;
  adaptivePacked[1] = o.inH;
  adaptivePacked[2] = o.inW;
  adaptivePacked[3] = o.outH;
  adaptivePacked[4] = o.outW;
  return adaptivePacked;
}
const rnnPacked = new Float64Array(6);

function packRnn(o: RnnOptions): Float64Array {
  rnnPacked[0] = o.mode;
  rnnPacked[1] = o.steps;
  rnnPacked[2] = o.batch;
  rnnPacked[3] = o.hidden;
  rnnPacked[4] = o.reverse ? 1 : 0;
  rnnPacked[5] = o.proj ?? 0;
  return rnnPacked;
}
const normPacked = new Float64Array(4);

function packNorm(o: NormOptions): Float64Array {
  normPacked[0] = o.rows;
  normPacked[1] = o.n;
  normPacked[2] = o.eps;
  normPacked[3] = o.rms ? 1 : 0;
  return normPacked;
}
const attentionPacked = new Float64Array(25);

function packAttention(o: AttentionOptions): Float64Array {
  attentionPacked[0] = o.batchHeads;
  attentionPacked[1] = o.qLen;
  attentionPacked[2] = o.kvLen;
  attentionPacked[3] = o.headDim;
  attentionPacked[4] = o.valueDim;
  attentionPacked[5] = o.scale;
  attentionPacked[6] = o.causal ? 1 : 0;
  attentionPacked[7] = o.maskLayers;
  attentionPacked[8] = o.dropoutP;
  attentionPacked[9] = o.seed;
  attentionPacked[10] = o.offset;
  attentionPacked[11] = o.heads;
  [o.q, o.k, o.v].forEach((layout, i) => {
    attentionPacked[12 + 4 * i] = layout.offset;
    attentionPacked[13 + 4 * i] = layout.batchStride;
    attentionPacked[14 + 4 * i] = layout.headStride;
    attentionPacked[15 + 4 * i] = layout.rowStride;
  });
  attentionPacked[24] = o.interleaved ? 1 : 0;
  return attentionPacked;
}
const convPacked = new Float64Array(16);

function packConv(o: Conv2dOptions): Float64Array {
  convPacked[0] = o.batch;
  convPacked[1] = o.inChannels;
  convPacked[2] = o.inH;
  convPacked[3] = o.inW;
  convPacked[4] = o.outChannels;
  convPacked[5] = o.kernelH;
  convPacked[6] = o.kernelW;
  convPacked[7] = o.strideH;
  convPacked[8] = o.strideW;
  convPacked[9] = o.padH;
  convPacked[10] = o.padW;
  convPacked[11] = o.dilationH;
  convPacked[12] = o.dilationW;
  convPacked[13] = o.groups;
  convPacked[14] = o.padBottom;
  convPacked[15] = o.padRight;
  return convPacked;
}
const batchNormPacked = new Float64Array(4);

function packBatchNorm(o: BatchNormOptions): Float64Array {
  batchNormPacked[0] = o.n;
  batchNormPacked[1] = o.c;
  batchNormPacked[2] = o.l;
  batchNormPacked[3] = o.train ? 1 : 0;
  return batchNormPacked;
}
const adadeltaPacked = new Float64Array(5);
const rmspropPacked = new Float64Array(7);
const adagradPacked = new Float64Array(5);

function packGemm(o: GemmOptions): Float64Array {
  gemmPacked[0] = o.transA ? 1 : 0;
  gemmPacked[1] = o.transB ? 1 : 0;
  gemmPacked[2] = o.m;
  gemmPacked[3] = o.n;
  gemmPacked[4] = o.k;
  gemmPacked[5] = o.alpha;
  gemmPacked[6] = o.beta;
  return gemmPacked;
}

const packed: Pick<Kernels, PackedKernels> = {
  sgemm(a, b, c, bias, o) {
    binding.sgemm(a, b, c, bias, packGemm(o));
  },
  sgemmASums(a, b, c, aSums, o) {
    binding.sgemmASums(a, b, c, aSums, packGemm(o));
  },
  crossEntropy(logits, target, weight, loss, gradLogits, o) {
    crossEntropyPacked[0] = o.n;
    crossEntropyPacked[1] = o.c;
    crossEntropyPacked[2] = o.ignoreIndex;
    crossEntropyPacked[3] = o.labelSmoothing;
    crossEntropyPacked[4] = o.reduction;
    binding.crossEntropy(logits, target, weight, loss, gradLogits, crossEntropyPacked);
  },
  crossEntropyProbs(logits, targetProbs, weight, loss, gradLogits, o) {
    crossEntropyProbsPacked[0] = o.n;
    crossEntropyProbsPacked[1] = o.c;
    crossEntropyProbsPacked[2] = o.labelSmoothing;
    crossEntropyProbsPacked[3] = o.reduction;
    binding.crossEntropyProbs(logits, targetProbs, weight, loss, gradLogits, crossEntropyProbsPacked);
  },
  nllLoss(logProbs, target, weight, loss, gradLogProbs, o) {
    nllLossPacked[0] = o.n;
    nllLossPacked[1] = o.c;
    nllLossPacked[2] = o.ignoreIndex;
    nllLossPacked[3] = o.reduction;
    binding.nllLoss(logProbs, target, weight, loss, gradLogProbs, nllLossPacked);
  },
  adamStep(params, grads, expAvgs, expAvgSqs, maxExpAvgSqs, steps, o) {
    adamPacked[0] = o.lr;
    adamPacked[1] = o.beta1;
    adamPacked[2] = o.beta2;
    adamPacked[3] = o.eps;
    adamPacked[4] = o.weightDecay;
    adamPacked[5] = o.amsgrad ? 1 : 0;
    adamPacked[6] = o.maximize ? 1 : 0;
    adamPacked[7] = o.decoupledWeightDecay ? 1 : 0;
    binding.adamStep(params, grads, expAvgs, expAvgSqs, maxExpAvgSqs, steps, adamPacked);
  },
  sgdStep(params, grads, momentumBuffers, bufferInitialized, o) {
    sgdPacked[0] = o.lr;
    sgdPacked[1] = o.momentum;
    sgdPacked[2] = o.dampening;
    sgdPacked[3] = o.nesterov ? 1 : 0;
    sgdPacked[4] = o.weightDecay;
    sgdPacked[5] = o.maximize ? 1 : 0;
    binding.sgdStep(params, grads, momentumBuffers, bufferInitialized, sgdPacked);
  },
  maxPool2d: (x, values, indices, o) => binding.maxPool2d(x, values, indices, packPool(o)),
  maxPool2dValues: (x, values, o) => binding.maxPool2dValues(x, values, packPool(o)),
  attention: (q, k, v, mask, out, lse, o) => binding.attention(q, k, v, mask, out, lse, packAttention(o)),
  layerNorm: (x, weight, bias, out, mean, rstd, o) => binding.layerNorm(x, weight, bias, out, mean, rstd, packNorm(o)),
  layerNormBackward: (gradOut, x, mean, rstd, weight, gradIn, addend, gradWeight, gradBias, o) =>
    binding.layerNormBackward(gradOut, x, mean, rstd, weight, gradIn, addend, gradWeight, gradBias, packNorm(o)),
  rnnForward: (xProj, wHh, bHh, wHr, lengths, state0, out, saved, o) => binding.rnnForward(xProj, wHh, bHh, wHr, lengths, state0, out, saved, packRnn(o)),
  rnnBackward: (wHh, wHr, lengths, state0, out, saved, gradOut, gradState, gradGates, gradWhh, gradBhh, x, wIh, gradX, gradWih, gradBih, o) =>
    binding.rnnBackward(wHh, wHr, lengths, state0, out, saved, gradOut, gradState, gradGates, gradWhh, gradBhh, x, wIh, gradX, gradWih, gradBih, packRnn(o)),
  attentionBackward: (q, k, v, mask, out, lse, gradOut, gradQ, gradK, gradV, o) =>
    binding.attentionBackward(q, k, v, mask, out, lse, gradOut, gradQ, gradK, gradV, packAttention(o)),
  attentionBackwardIntoStorage: (q, k, v, mask, out, lse, gradOut, grad, o) =>
    binding.attentionBackwardIntoStorage(q, k, v, mask, out, lse, gradOut, grad, packAttention(o)),
  avgPool2d: (x, out, o) => binding.avgPool2d(x, out, packPool(o)),
  avgPool2dBackward: (gradOut, gradIn, o) => binding.avgPool2dBackward(gradOut, gradIn, packPool(o)),
  adaptiveAvgPool2d: (x, out, o) => binding.adaptiveAvgPool2d(x, out, packAdaptive(o)),
  adaptiveAvgPool2dBackward: (gradOut, gradIn, o) => binding.adaptiveAvgPool2dBackward(gradOut, gradIn, packAdaptive(o)),
  adaptiveMaxPool2d: (x, values, indices, o) => binding.adaptiveMaxPool2d(x, values, indices, packAdaptive(o)),
  adadeltaStep(params, grads, squareAvgs, accDeltas, o) {
    adadeltaPacked[0] = o.lr;
    adadeltaPacked[1] = o.rho;
    adadeltaPacked[2] = o.eps;
    adadeltaPacked[3] = o.weightDecay;
    adadeltaPacked[4] = o.maximize ? 1 : 0;
    binding.adadeltaStep(params, grads, squareAvgs, accDeltas, adadeltaPacked);
  },
  rmspropStep(params, grads, squareAvgs, gradAvgs, momentumBuffers, o) {
    rmspropPacked[0] = o.lr;
    rmspropPacked[1] = o.alpha;
    rmspropPacked[2] = o.eps;
    rmspropPacked[3] = o.weightDecay;
    rmspropPacked[4] = o.momentum;
    rmspropPacked[5] = o.centered ? 1 : 0;
    rmspropPacked[6] = o.maximize ? 1 : 0;
    binding.rmspropStep(params, grads, squareAvgs, gradAvgs, momentumBuffers, rmspropPacked);
  },
  conv2d: (x, weight, bias, out, o) => binding.conv2d(x, weight, bias, out, packConv(o)),
  conv2dBackwardInput: (gradOut, weight, gradIn, o) => binding.conv2dBackwardInput(gradOut, weight, gradIn, packConv(o)),
  conv2dBackwardWeight: (gradOut, x, gradWeight, gradBias, o) => binding.conv2dBackwardWeight(gradOut, x, gradWeight, gradBias, packConv(o)),
  batchNormStats: (x, mean, variance, o) => binding.batchNormStats(x, mean, variance, packBatchNorm(o)),
  batchNormApply: (x, mean, invstd, weight, bias, out, o) => binding.batchNormApply(x, mean, invstd, weight, bias, out, packBatchNorm(o)),
  batchNormBackwardReduce: (gradOut, x, mean, invstd, sums, o) => binding.batchNormBackwardReduce(gradOut, x, mean, invstd, sums, packBatchNorm(o)),
  batchNormBackwardInput: (gradOut, x, mean, invstd, weight, sums, gradIn, o) =>
    binding.batchNormBackwardInput(gradOut, x, mean, invstd, weight, sums, gradIn, packBatchNorm(o)),
  adagradStep(params, grads, stateSums, steps, o) {
    adagradPacked[0] = o.lr;
    adagradPacked[1] = o.lrDecay;
    adagradPacked[2] = o.weightDecay;
    adagradPacked[3] = o.eps;
    adagradPacked[4] = o.maximize ? 1 : 0;
    binding.adagradStep(params, grads, stateSums, steps, adagradPacked);
  },
};

/** Every kernel kindling calls; the packed ones take their named options object. */
export const kernels: Kernels = { ...binding, ...packed };

// Operation codes in the ops' spelling, taken from `src/native/codes.ts` (the mirror of
// `kindling_core::codes`), so there is one source of truth.
export const BinaryOp = {
  add: codes.BinaryOp.Add,
  sub: codes.BinaryOp.Sub,
  mul: codes.BinaryOp.Mul,
  div: codes.BinaryOp.Div,
  pow: codes.BinaryOp.Pow,
  maximum: codes.BinaryOp.Maximum,
  minimum: codes.BinaryOp.Minimum,
} as const;
export const UnaryOp = {
  neg: codes.UnaryOp.Neg,
  exp: codes.UnaryOp.Exp,
  log: codes.UnaryOp.Log,
  sqrt: codes.UnaryOp.Sqrt,
  pow: codes.UnaryOp.Pow,
  relu: codes.UnaryOp.Relu,
  sigmoid: codes.UnaryOp.Sigmoid,
  tanh: codes.UnaryOp.Tanh,
  abs: codes.UnaryOp.Abs,
  scale: codes.UnaryOp.Scale,
  erf: codes.UnaryOp.Erf,
  leakyRelu: codes.UnaryOp.LeakyRelu,
  elu: codes.UnaryOp.Elu,
  silu: codes.UnaryOp.Silu,
  gelu: codes.UnaryOp.Gelu,
  geluTanh: codes.UnaryOp.GeluTanh,
  hardtanh: codes.UnaryOp.Hardtanh,
  softplus: codes.UnaryOp.Softplus,
  sin: codes.UnaryOp.Sin,
  cos: codes.UnaryOp.Cos,
} as const;
export const ReduceOp = { sum: codes.ReduceOp.Sum, mean: codes.ReduceOp.Mean, max: codes.ReduceOp.Max, min: codes.ReduceOp.Min } as const;
export const ArgReduceOp = { max: codes.ArgReduceOp.Max, min: codes.ArgReduceOp.Min } as const;
export const Reduction = { none: codes.Reduction.None, mean: codes.Reduction.Mean, sum: codes.Reduction.Sum } as const;

/** A shape or stride list as the kernels take it. */
export function dims(values: readonly number[]): Uint32Array {
  return Uint32Array.from(values);
}
