/**
 * Elementwise maths with NumPy broadcasting and autograd: add, sub, mul, div, pow and the unary
 * functions. Each op: validate, allocate the output once, one native call; the backward closure is
 * only created while recording. An op whose result is int32, int64 or uint8 runs exact integer
 * code (`./integer`); float32 results (and bool's logical add/mul) run the native f32 kernels.
 */
import { isTracing, traced } from '../autograd/trace';
import { checkOptions } from '../options';
import { attach, recording, savedFor, SAVES_NOTHING } from '../autograd/function';
import type { Node } from '../autograd/node';
import { type DType, castArray, promoteTypes, recycleF32, uninitF32 } from '../dtype';
import { Tensor, numelOf, type TensorOrScalar } from '../tensor';
import { broadcastShapes, broadcastStrides, gatherStrided, sameShape, viewBroadcastStrides } from './broadcast';
import { sumTo } from './shape';
import { BinaryOp, UnaryOp, dims, kernels } from './kernels';
import { type IntegerBinaryCode, type IntegerDType, integerBinary, integerScalar, integerUnary } from './integer';

type BinaryCode = (typeof BinaryOp)[keyof typeof BinaryOp];
type UnaryCode = (typeof UnaryOp)[keyof typeof UnaryOp];

/** Op names by kernel code, for the error of a broadcast result too large to allocate. */
const BINARY_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(BinaryOp).map(([name, code]) => [code, name]));

/** The f32 values of `t` (its own buffer when it is float32, else a converted copy). */
export function f32(t: Tensor): Float32Array {
  return t.dtype === 'float32' ? (t.data as Float32Array) : (castArray(t.data, 'float32') as Float32Array);
}

function finish(out: Float32Array, shape: readonly number[], dtype: DType): Tensor {
  if (dtype === 'float32') return Tensor._make(out, shape, dtype);
  return Tensor._make(castArray(out, dtype), shape, dtype);
}

function checkTensor(op: string, x: unknown, role: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}(): argument '${role}' must be Tensor, not ${x === null ? 'null' : typeof x}`);
  }
}

function checkOther(op: string, other: unknown): asserts other is TensorOrScalar {
  if (!(other instanceof Tensor) && typeof other !== 'number') {
    throw new TypeError(`${op}(): argument 'other' must be Tensor or Number, not ${other === null ? 'null' : typeof other}`);
  }
}

/**
 * The dtype of `a op s` for a JS number `s`. A scalar operand is a wrapped number in PyTorch: an
 * integer tensor stays integer for an integral `s` (JS cannot tell `2` from `2.0`; a fraction
 * gives float32), and bool with an integral scalar gives int64 as with a Python int.
 */
function scalarResultType(a: DType, s: number, op: BinaryCode): DType {
  if (op === BinaryOp.div || a === 'float32' || !Number.isInteger(s)) return 'float32';
  return a === 'bool' ? 'int64' : a;
}

/** Whether `op` with result `dtype` runs the exact integer code (uint8 computes in int32, then keeps the low byte). */
function isIntegerResult(op: BinaryCode, dtype: DType): op is IntegerBinaryCode {
  return op !== BinaryOp.div && (dtype === 'int32' || dtype === 'int64' || dtype === 'uint8');
}

/** A uint8 result of int32 arithmetic: the low byte, as PyTorch's uint8 wrap-around. */
function lowBytes(values: Int32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i]) & 255;
  return out;
}

/**
 * `a op b` for float32 operands of which one is a non-contiguous view: one `binaryBroadcast` that
 * reads each operand from its storage through its own strides (0 where broadcast), instead of a
 * contiguous copy first.
 */
function binaryStrided(op: BinaryCode, a: Tensor, b: Tensor): { out: Float32Array; shape: readonly number[] } {
  const shape = broadcastShapes(a.shape, b.shape);
  const out = uninitF32(numelOf(shape), BINARY_NAMES[op], shape);
  if (out.length > 0) {
    const av = a.storage.data.subarray(a.storageOffset()) as Float32Array;
    const bv = b.storage.data.subarray(b.storageOffset()) as Float32Array;
    kernels.binaryBroadcast(op, av, viewBroadcastStrides(a, shape), bv, viewBroadcastStrides(b, shape), dims(shape), out);
  }
  return { out, shape };
}

/** Runs a binary kernel on two tensors with broadcasting; returns the f32 result and its shape. */
function binaryRaw(op: BinaryCode, a: Tensor, b: Tensor): { out: Float32Array; shape: readonly number[] } {
  if ((!a.isContiguous() || !b.isContiguous()) && a.dtype === 'float32' && b.dtype === 'float32') return binaryStrided(op, a, b);
  const av = f32(a);
  const bv = f32(b);
  if (sameShape(a.shape, b.shape)) {
    const out = uninitF32(av.length);
    kernels.binary(op, av, bv, out);
    return { out, shape: a.shape };
  }
  const shape = broadcastShapes(a.shape, b.shape);
  const out = uninitF32(numelOf(shape), BINARY_NAMES[op], shape);
  // The one-element fast paths go through binaryScalar, whose semantics are those of a Python
  // number: `x ** s` takes pow's special-cased exponents and `s / x` is `reciprocal(x) * s` (NaN
  // for 0 / subnormal). Tensor ⊕ tensor is plain pow and division, as in the broadcast kernel.
  if (bv.length === 1 && sameShape(shape, a.shape) && op !== BinaryOp.pow) {
    kernels.binaryScalar(op, av, bv[0], out, false);
  } else if (av.length === 1 && sameShape(shape, b.shape) && op !== BinaryOp.div && op !== BinaryOp.pow) {
    kernels.binaryScalar(op, bv, av[0], out, true);
  } else {
    kernels.binaryBroadcast(op, av, broadcastStrides(a.shape, shape), bv, broadcastStrides(b.shape, shape), dims(shape), out);
  }
  return { out, shape };
}

function scalarRaw(op: BinaryCode, a: Tensor, s: number, reverse: boolean): Float32Array {
  const av = f32(a);
  const out = uninitF32(av.length);
  kernels.binaryScalar(op, av, s, out, reverse);
  return out;
}

/** `a op b` without autograd (used by forward passes and by backward rules). */
export function binaryPlain(op: BinaryCode, a: Tensor, b: TensorOrScalar): Tensor {
  if (typeof b === 'number') {
    const dtype = scalarResultType(a.dtype, b, op);
    if (isIntegerResult(op, dtype)) {
      if (dtype !== 'uint8') return Tensor._make(integerScalar(op, BINARY_NAMES[op], a, b, dtype as IntegerDType), a.shape, dtype);
      if (op === BinaryOp.pow && b < 0) throw new RangeError(`${BINARY_NAMES[op]}: Integers to negative integer powers are not allowed.`);
      return Tensor._make(lowBytes(integerScalar(op, BINARY_NAMES[op], a, Number(BigInt.asIntN(32, BigInt(b))), 'int32')), a.shape, dtype);
    }
    return finish(scalarRaw(op, a, b, false), a.shape, dtype);
  }
  // bool op bool stays bool like PyTorch (add is a logical or, mul a logical and).
  const dtype = op === BinaryOp.div ? 'float32' : promoteTypes(a.dtype, b.dtype);
  if (isIntegerResult(op, dtype)) {
    const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape);
    if (dtype !== 'uint8') return Tensor._make(integerBinary(op, BINARY_NAMES[op], a, b, shape, dtype as IntegerDType), shape, dtype);
    return Tensor._make(lowBytes(integerBinary(op, BINARY_NAMES[op], a, b, shape, 'int32')), shape, dtype);
  }
  const { out, shape } = binaryRaw(op, a, b);
  return finish(out, shape, dtype);
}

/** `g · s` for a float gradient. */
export function scale(g: Tensor, s: number): Tensor {
  if (s === 1) return g;
  const out = uninitF32(g.data.length);
  kernels.unary(UnaryOp.scale, g.data as Float32Array, out, s);
  return Tensor._make(out, g.shape, 'float32');
}

/** `torch.add(input, other, { alpha })`: `input + alpha · other`, broadcasting. */
/** The options of `add`/`sub` and their in-place forms (checked only when given: `add` is hot). */
export const ALPHA_OPTIONS = { alpha: 'number' } as const;

export function add(input: Tensor, other: TensorOrScalar, options?: { alpha?: number }): Tensor {
  if (options !== undefined) checkOptions('add', options, ALPHA_OPTIONS);
  checkTensor('add', input, 'input');
  checkOther('add', other);
  const alpha = options?.alpha ?? 1;
  const scaled = alpha === 1 ? other : typeof other === 'number' ? other * alpha : binaryPlain(BinaryOp.mul, other, alpha);
  const out = binaryPlain(BinaryOp.add, input, scaled);
  if (isTracing()) traced(out, { other, alpha });
  if (recording(input, other instanceof Tensor ? other : null)) {
    const aShape = input.shape;
    const bShape = other instanceof Tensor ? other.shape : null;
    attach(out, 'AddBackward0', [input, other instanceof Tensor ? other : null], (g, node) => [
      node.needsGrad(0) ? sumTo(g, aShape) : null,
      node.needsGrad(1) && bShape !== null ? sumTo(scale(g, alpha), bShape) : null,
    ], SAVES_NOTHING);
  }
  return out;
}

/** `torch.sub(input, other, { alpha })`: `input − alpha · other`, broadcasting. */
export function sub(input: Tensor, other: TensorOrScalar, options?: { alpha?: number }): Tensor {
  if (options !== undefined) checkOptions('sub', options, ALPHA_OPTIONS);
  checkTensor('sub', input, 'input');
  checkOther('sub', other);
  if (input.dtype === 'bool' && other instanceof Tensor && other.dtype === 'bool') {
    throw new TypeError(
      'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
    );
  }
  const alpha = options?.alpha ?? 1;
  const scaled = alpha === 1 ? other : typeof other === 'number' ? other * alpha : binaryPlain(BinaryOp.mul, other, alpha);
  const out = binaryPlain(BinaryOp.sub, input, scaled);
  if (isTracing()) traced(out, { other, alpha });
  if (recording(input, other instanceof Tensor ? other : null)) {
    const aShape = input.shape;
    const bShape = other instanceof Tensor ? other.shape : null;
    attach(out, 'SubBackward0', [input, other instanceof Tensor ? other : null], (g, node) => [
      node.needsGrad(0) ? sumTo(g, aShape) : null,
      node.needsGrad(1) && bShape !== null ? sumTo(scale(g, -alpha), bShape) : null,
    ], SAVES_NOTHING);
  }
  return out;
}

/** `torch.mul(input, other)`, broadcasting. */
export function mul(input: Tensor, other: TensorOrScalar): Tensor {
  checkTensor('mul', input, 'input');
  checkOther('mul', other);
  const out = binaryPlain(BinaryOp.mul, input, other);
  if (isTracing()) traced(out, { other });
  if (recording(input, other instanceof Tensor ? other : null)) {
    if (typeof other === 'number') {
      attach(out, 'MulBackward0', [input, null], (g) => [scale(g, other), null], SAVES_NOTHING);
    } else {
      attach(out, 'MulBackward0', [input, other], (g, node) => [
        node.needsGrad(0) ? sumTo(binaryPlain(BinaryOp.mul, g, other), input.shape) : null,
        node.needsGrad(1) ? sumTo(binaryPlain(BinaryOp.mul, g, input), other.shape) : null,
      ], savedFor(input, other, other, input));
    }
  }
  return out;
}

/** `torch.div(input, other)`: true division (integer inputs give float32), broadcasting. */
export function div(input: Tensor, other: TensorOrScalar): Tensor {
  checkTensor('div', input, 'input');
  checkOther('div', other);
  const out = binaryPlain(BinaryOp.div, input, other);
  if (isTracing()) traced(out, { other });
  if (recording(input, other instanceof Tensor ? other : null)) {
    if (typeof other === 'number') {
      attach(out, 'DivBackward0', [input, null], (g) => [scale(g, 1 / other), null], SAVES_NOTHING);
    } else {
      attach(out, 'DivBackward0', [input, other], (g, node) => {
        const ga = node.needsGrad(0) ? binaryPlain(BinaryOp.div, g, other) : null;
        let gb: Tensor | null = null;
        if (node.needsGrad(1)) {
          // d(a/b)/db = −(a/b)/b, from the saved output instead of a second division by b².
          const q = binaryPlain(BinaryOp.div, binaryPlain(BinaryOp.mul, g, out.detach()), other);
          gb = sumTo(scale(q, -1), other.shape);
        }
        return [ga === null ? null : sumTo(ga, input.shape), gb];
      }, other.requiresGrad ? [other, out] : [other]);
    }
  }
  return out;
}

/** `torch.pow(input, exponent)`: scalar exponent (`PowBackward0`) or tensor exponent (`PowBackward1`). */
export function pow(input: Tensor, exponent: TensorOrScalar): Tensor {
  checkTensor('pow', input, 'input');
  checkOther('pow', exponent);
  // PyTorch has no bool pow kernel: bool ** bool (also 0-d) refuses, while bool ** int/float and
  // int ** bool promote to the non-bool side (and a number exponent gives int32/float32, below).
  if (input.dtype === 'bool' && exponent instanceof Tensor && exponent.dtype === 'bool') {
    throw new TypeError(`"pow" not implemented for 'Bool'`);
  }
  if (typeof exponent === 'number') {
    if (input.dtype !== 'float32' && Number.isInteger(exponent)) return binaryPlain(BinaryOp.pow, input, exponent);
    const result = finish(unaryPlain(UnaryOp.pow, input, exponent), input.shape, 'float32');
    if (recording(input)) attachUnary(result, 'PowBackward0', UnaryOp.pow, input, exponent);
    return result;
  }
  const out = binaryPlain(BinaryOp.pow, input, exponent);
  if (recording(input, exponent)) {
    attach(out, 'PowBackward1', [input, exponent], (g, node) => {
      // PyTorch's masked formulas (pow_backward_self / pow_backward_exponent): the limits at the
      // edges, where the plain formulas give 0·inf or 0·log 0.
      let ga: Tensor | null = null;
      if (node.needsGrad(0)) {
        // d(a^b)/da = b · a^(b−1), and 0 where b == 0 (a^0 is constant, also at a = 0).
        const aPow = binaryPlain(BinaryOp.pow, input, binaryPlain(BinaryOp.sub, exponent, 1));
        const local = zeroWhere(binaryPlain(BinaryOp.mul, exponent, aPow), (_, b) => b === 0, input, exponent);
        ga = sumTo(binaryPlain(BinaryOp.mul, g, local), input.shape);
      }
      let gb: Tensor | null = null;
      if (node.needsGrad(1)) {
        // d(a^b)/db = a^b · ln a, and 0 where a == 0 and b >= 0 (0^b is constant there).
        const lnA = Tensor._make(unaryPlain(UnaryOp.log, input, 0), input.shape, 'float32');
        const local = zeroWhere(binaryPlain(BinaryOp.mul, out.detach(), lnA), (a, b) => a === 0 && b >= 0, input, exponent);
        gb = sumTo(binaryPlain(BinaryOp.mul, g, local), exponent.shape);
      }
      return [ga, gb];
    }, [input, exponent, out]);
  }
  return out;
}

/**
 * Sets to 0, in place, the elements of `values` (float32, of the broadcast shape of `a` and `b`)
 * where `cond(a, b)` holds, and returns it: `values` must be a fresh intermediate, never shared.
 */
function zeroWhere(values: Tensor, cond: (a: number, b: number) => boolean, a: Tensor, b: Tensor): Tensor {
  const shape = values.shape;
  const read = (t: Tensor): Float32Array => {
    const v = f32(t);
    if (sameShape(t.shape, shape)) return v;
    const out = new Float32Array(numelOf(shape));
    gatherStrided(v, shape, broadcastStrides(t.shape, shape), out);
    return out;
  };
  const av = read(a);
  const bv = read(b);
  const out = values.data as Float32Array;
  for (let i = 0; i < out.length; i++) if (cond(av[i], bv[i])) out[i] = 0;
  return values;
}

function unaryPlain(op: UnaryCode, x: Tensor, param: number, param2 = 0): Float32Array {
  const xv = f32(x);
  const out = uninitF32(xv.length);
  kernels.unary(op, xv, out, param, param2);
  return out;
}

/** Whether a unary op's backward reads its output (else its input), as `unaryBackward`'s formulas and PyTorch's saved variables have it. */
function backwardReadsOutput(op: UnaryCode): boolean {
  return op === UnaryOp.exp || op === UnaryOp.sqrt || op === UnaryOp.relu || op === UnaryOp.sigmoid || op === UnaryOp.tanh;
}

function attachUnary(out: Tensor, name: string, op: UnaryCode, x: Tensor, param: number, param2 = 0): void {
  if (isTracing()) traced(out, { unary: op, param, param2 });
  // Over the received gradient when nobody else holds it (NOTE [ Gradients written in place ] in
  // docs/PERFORMANCE.md), else into a new buffer: either way the returned one is this input's alone.
  attach(out, name, [x], (g, node) => {
    const gv = g.data as Float32Array;
    if (node.ownsGrad()) {
      kernels.unaryBackwardInplace(op, gv, f32(x), out.data as Float32Array, param, param2);
      return [Tensor._make(gv, x.shape, 'float32')];
    }
    const gradIn = uninitF32(gv.length);
    kernels.unaryBackward(op, gv, f32(x), out.data as Float32Array, gradIn, param, param2);
    return [Tensor._make(gradIn, x.shape, 'float32')];
  }, backwardReadsOutput(op) ? [out] : [x], true);
}

/**
 * Exact GELU under autograd: the forward keeps the derivative `Φ(x) + x·φ(x)` it computes anyway,
 * so the backward is `gradOut · derivative` (`unaryBackward`'s bits) without evaluating Φ again;
 * the freed graph hands the derivative's buffer back for the next step's buffers.
 * The input stays saved, as PyTorch's GeluBackward0 saves it, so modifying it in place before
 * the backward is still the version-counter error. NOTE [ GELU keeps its derivative ] in
 * docs/PERFORMANCE.md.
 */
function geluKeepingDerivative(x: Tensor, name: string): Tensor {
  const xv = f32(x);
  const y = uninitF32(xv.length);
  const deriv = uninitF32(xv.length);
  kernels.geluWithDerivative(xv, y, deriv);
  const out = finish(y, x.shape, 'float32');
  attach(out, name, [x], (g, node) => {
    const gv = g.data as Float32Array;
    if (node.ownsGrad()) {
      kernels.mulInplace(gv, deriv);
      return [Tensor._make(gv, x.shape, 'float32')];
    }
    const gradIn = uninitF32(gv.length);
    kernels.binary(BinaryOp.mul, gv, deriv, gradIn);
    return [Tensor._make(gradIn, x.shape, 'float32')];
  }, [x], true);
  // Once the backward freed the graph, only the dropped closure held the derivative.
  (out.gradFn as Node).onRelease = () => recycleF32(deriv);
  return out;
}

/**
 * A unary op through the native `unary` kernel with its `unaryBackward` rule: `param`/`param2`
 * are the op's scalar arguments (see `UnaryOp`); integer inputs keep their dtype when
 * `keepsIntegers` (exact integer code), else give float32 as PyTorch's floating ops do.
 */
export function unaryOp(opName: string, op: UnaryCode, name: string, x: Tensor, keepsIntegers: boolean, param = 0, param2 = 0): Tensor {
  checkTensor(opName, x, 'input');
  if (keepsIntegers && (x.dtype === 'int32' || x.dtype === 'int64')) {
    return Tensor._make(integerUnary(op, x.data as Int32Array | BigInt64Array), x.shape, x.dtype);
  }
  if (op === UnaryOp.gelu && recording(x) && !isTracing()) return geluKeepingDerivative(x, name);
  const raw = unaryPlain(op, x, param, param2);
  const dtype = x.dtype === 'float32' || !keepsIntegers ? 'float32' : x.dtype === 'bool' ? 'int32' : x.dtype;
  const out = finish(raw, x.shape, dtype);
  if (recording(x)) attachUnary(out, name, op, x, param, param2);
  return out;
}

/** `torch.neg(x)`: −x. */
export function neg(x: Tensor): Tensor {
  checkTensor('neg', x, 'input');
  if (x.dtype === 'bool') {
    throw new TypeError('Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
  }
  if (x.dtype === 'int32' || x.dtype === 'int64') return Tensor._make(integerUnary(UnaryOp.neg, x.data as Int32Array | BigInt64Array), x.shape, x.dtype);
  const out = finish(unaryPlain(UnaryOp.neg, x, 0), x.shape, x.dtype);
  if (recording(x)) attach(out, 'NegBackward0', [x], (g) => [scale(g, -1)], SAVES_NOTHING);
  return out;
}

/** `torch.exp(x)`. */
export const exp = (x: Tensor): Tensor => unaryOp('exp', UnaryOp.exp, 'ExpBackward0', x, false);
/** `torch.log(x)` (natural logarithm). */
export const log = (x: Tensor): Tensor => unaryOp('log', UnaryOp.log, 'LogBackward0', x, false);
/** `torch.sqrt(x)`. */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', UnaryOp.sqrt, 'SqrtBackward0', x, false);
/** `torch.relu(x)`: max(x, 0). */
export const relu = (x: Tensor): Tensor => unaryOp('relu', UnaryOp.relu, 'ReluBackward0', x, true);
/** `torch.sigmoid(x)`: 1 / (1 + e^−x). */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', UnaryOp.sigmoid, 'SigmoidBackward0', x, false);
/** `torch.tanh(x)`. */
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', UnaryOp.tanh, 'TanhBackward0', x, false);
/** `torch.abs(x)`. */
export const abs = (x: Tensor): Tensor => unaryOp('abs', UnaryOp.abs, 'AbsBackward0', x, true);
