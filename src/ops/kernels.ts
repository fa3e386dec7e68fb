/**
 * The native kernels as the ops call them: a typed view of `src/native` following the contract in
 * docs/ARCHITECTURE.md, so the ops type-check against the contract whatever the generated
 * `native/index.d.ts` currently declares. Nothing here computes; every function is the binding's.
 */
import { native } from '../native';
import * as codes from '../native/codes';

type F32 = Float32Array;
type Dims = Uint32Array;

export interface Kernels {
  setNumThreads(n: number): void;
  getNumThreads(): number;
  simdPath(): string;
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: F32,
    b: F32,
    beta: number,
    c: F32,
    bias?: F32 | null,
  ): void;
  binary(op: number, a: F32, b: F32, out: F32): void;
  binaryScalar(op: number, a: F32, s: number, out: F32, reverse: boolean): void;
  binaryBroadcast(op: number, a: F32, aStrides: Dims, b: F32, bStrides: Dims, outShape: Dims, out: F32): void;
  unary(op: number, x: F32, out: F32, param: number): void;
  unaryBackward(op: number, gradOut: F32, x: F32, y: F32, gradIn: F32, param: number): void;
  stridedCopy(x: F32, shape: Dims, strides: Dims, out: F32): void;
  sumToShape(grad: F32, gradShape: Dims, outShape: Dims, out: F32): void;
  reduce(op: number, x: F32, outer: number, dim: number, inner: number, out: F32): void;
  reduceArg(op: number, x: F32, outer: number, dim: number, inner: number, values: F32, indices: Int32Array): void;
  softmax(x: F32, outer: number, dim: number, inner: number, out: F32, log: boolean): void;
  softmaxBackward(gradOut: F32, y: F32, outer: number, dim: number, inner: number, gradIn: F32, log: boolean): void;
  crossEntropy(
    logits: F32,
    n: number,
    c: number,
    target: Int32Array,
    weight: F32 | null | undefined,
    ignoreIndex: number,
    labelSmoothing: number,
    reduction: number,
    loss: F32,
    gradLogits: F32,
  ): void;
  crossEntropyProbs(
    logits: F32,
    n: number,
    c: number,
    targetProbs: F32,
    weight: F32 | null | undefined,
    labelSmoothing: number,
    reduction: number,
    loss: F32,
    gradLogits: F32,
  ): void;
  nllLoss(
    logProbs: F32,
    n: number,
    c: number,
    target: Int32Array,
    weight: F32 | null | undefined,
    ignoreIndex: number,
    reduction: number,
    loss: F32,
    gradLogProbs: F32,
  ): void;
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
}

// A plain assignment (no cast): if the generated binding drifts from the contract, tsc says so here.
export const kernels: Kernels = native;

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
} as const;
export const ReduceOp = { sum: codes.ReduceOp.Sum, mean: codes.ReduceOp.Mean, max: codes.ReduceOp.Max, min: codes.ReduceOp.Min } as const;
export const ArgReduceOp = { max: codes.ArgReduceOp.Max, min: codes.ArgReduceOp.Min } as const;
export const Reduction = { none: codes.Reduction.None, mean: codes.Reduction.Mean, sum: codes.Reduction.Sum } as const;

/** A shape or stride list as the kernels take it. */
export function dims(values: readonly number[]): Uint32Array {
  return Uint32Array.from(values);
}
