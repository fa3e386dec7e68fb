/**
 * The Tensor, as PyTorch has it: a storage (a typed array shared by views, plus the in-place
 * version counter; src/storage.ts), an offset into it, a shape and strides, a dtype and autograd
 * state. Views (`view`, `transpose`, `select`, `expand`, …, `detach`) share the storage, so a
 * write through one is seen by all. Methods mirror PyTorch's in camelCase and delegate to the op
 * families in `src/ops/`.
 *
 * `data` is the elements as one contiguous row-major typed array, what kernels take: for a
 * contiguous tensor the storage array itself (offset 0, full length) or a zero-copy `subarray` of
 * it; for a non-contiguous one a fresh contiguous copy on each read (ops that only read it work
 * on any tensor; writes go through the in-place ops, which follow the strides).
 */
import { backward as runBackward, type BackwardOptions } from './autograd/engine';
import { RemovableHandle } from './autograd/hooks';
import { AccumulateGrad, type Node } from './autograd/node';
import { type DType, type TypedArray, checkDType, int64ToNumber, isFloatingPoint, scalarTypeName } from './dtype';
import { Storage } from './storage';
import { AutogradError, ShapeError, normalizeDim } from './errors';
import { formatTensor } from './format';
import * as activation from './ops/activation';
import * as cast from './ops/cast';
import * as compare from './ops/compare';
import * as ew from './ops/elementwise';
import * as inplace from './ops/inplace';
import * as mm from './ops/matmul';
import * as minmax from './ops/minmax';
import * as red from './ops/reduce';
import * as cumsumOps from './ops/cumsum';
import * as logicalOps from './ops/logical-reduce';
import * as lseOps from './ops/logsumexp';
import * as normOps from './ops/norm';
import * as prodOps from './ops/prod';
import * as sortOps from './ops/sort';
import * as varOps from './ops/variance';
import * as shapeOps from './ops/shape';
import * as indexOps from './ops/index-ops'; // Indexing and manipulation (#14)
import * as sm from './ops/softmax';
import * as topkOps from './ops/topk';
import * as trig from './ops/trig';
import type { Generator } from './random/generator';

/** Sizes given as varargs (`reshape(2, 3)`) or as one array (`reshape([2, 3])`). */
export type SizeArgs = number[] | [readonly number[]];
/** What `tolist()` returns: nested arrays of numbers (booleans for bool tensors; int64 as exact numbers). */
export type NestedList = number | boolean | NestedList[];
/** A tensor or a JS number, where PyTorch accepts a Python scalar. */
export type TensorOrScalar = Tensor | number;
/** `max(dim)` / `min(dim)` result, like `torch.return_types.max`. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** Product of the sizes (1 for a 0-d shape). */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

function storageMatches(data: TypedArray, dtype: DType): boolean {
  if (dtype === 'float32') return data instanceof Float32Array;
  if (dtype === 'int32') return data instanceof Int32Array;
  if (dtype === 'int64') return data instanceof BigInt64Array;
  return data instanceof Uint8Array;
}

/** PyTorch's C++ name of a gradient's dtype in the `.grad` setter's message (`'long int'`). */
const GRAD_DTYPE_NAMES: Readonly<Record<DType, string>> = { float32: 'float', int32: 'int', int64: 'long int', uint8: 'unsigned char', bool: 'bool' };

/** Throws a typed error unless `shape` is a list of non-negative integer sizes. */
function checkShape(shape: unknown): void {
  if (!Array.isArray(shape)) throw new TypeError(`Tensor: shape must be an array of sizes, got ${shape === null ? 'null' : typeof shape}`);
  for (let i = 0; i < shape.length; i++) {
    const s: unknown = shape[i];
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      throw new TypeError(`Tensor: shape [${shape.join(', ')}] has a non-integer size ${String(s)} at dim ${i}`);
    }
    if (s < 0) throw new RangeError(`Tensor: shape [${shape.join(', ')}] has a negative size ${s} at dim ${i}`);
  }
}

/** Set by `Tensor._make` for the one construction that follows (see there). */
let trustedConstruction = false;

/** Whether `strides` lay `shape` out row-major without gaps (sizes of 1 may have any stride). */
export function isRowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d];
    if (size === 0) return true;
    if (size !== 1) {
      if (strides[d] !== expected) return false;
      expected *= size;
    }
  }
  return true;
}

export class Tensor {
  /**
   * The storage, created on first need: a tensor made by an op owns its whole buffer (`dataRef`,
   * offset 0), and most never get a view or an in-place write, so they never pay for one.
   */
  private storageRef: Storage | null = null;
  /** The elements when contiguous (the storage array or a subarray of it); null when not. */
  private dataRef: TypedArray | null;
  /** Where element 0 sits in the storage. */
  private offset = 0;
  /** Strides in elements; null means row-major contiguous for `shape`. */
  private stridesRef: readonly number[] | null = null;
  readonly shape: readonly number[];
  readonly dtype: DType;
  private gradValue: Tensor | null = null;
  /** Whether `gradValue` was handed to code outside kindling's internals (see `grad`). */
  private gradExposed = false;
  /** The node that produced this tensor (`null` for leaves). */
  gradFn: Node | null = null;
  private requiresGradFlag = false;
  private accumulator: AccumulateGrad | null = null;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`. Prefer `torch.tensor(...)` and the creation
   * functions; this constructor only checks that the buffer fits the shape and dtype.
   */
  constructor(data: TypedArray, shape: readonly number[], dtype: DType = 'float32') {
    if (trustedConstruction) {
      trustedConstruction = false;
    } else {
      checkShape(shape);
      checkDType(dtype, 'Tensor');
      if (!ArrayBuffer.isView(data) || !storageMatches(data, dtype)) {
        const what = data === null || data === undefined ? String(data) : (data as object).constructor.name;
        throw new TypeError(`Tensor: ${what} cannot store dtype ${dtype}`);
      }
      const n = numelOf(shape);
      if (n !== data.length) {
        throw new ShapeError(`Tensor: shape [${shape.join(', ')}] needs ${n} elements, but the buffer has ${data.length}`);
      }
    }
    this.dataRef = data;
    this.shape = shape;
    this.dtype = dtype;
  }

  /**
   * Internal fast path for ops, which have already validated sizes and dtypes: skips the
   * constructor's checks (a few dozen tensors per training step each paid for them).
   */
  static _make(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
    trustedConstruction = true;
    return new Tensor(data, shape, dtype);
  }

  /**
   * Internal: a view of `base`'s storage with `shape`, `strides` (null: row-major) and `offset`
   * (in elements, from the storage's start), no autograd. The caller checked the bounds.
   */
  static _view(base: Tensor, shape: readonly number[], strides: readonly number[] | null, offset: number): Tensor {
    const storage = base.storage;
    const contiguous = strides === null || isRowMajor(shape, strides);
    let data: TypedArray | null = null;
    if (contiguous) {
      const n = numelOf(shape);
      const all = storage.data;
      data = offset === 0 && n === all.length ? all : all.subarray(offset, offset + n);
    }
    trustedConstruction = true;
    const out = new Tensor(data ?? storage.data, shape, base.dtype);
    out.dataRef = data;
    out.storageRef = storage;
    out.offset = offset;
    out.stridesRef = strides;
    return out;
  }

  // ---- storage and layout ----------------------------------------------------------------------

  /** The elements as one contiguous row-major typed array (see the file header). */
  get data(): TypedArray {
    return this.dataRef ?? shapeOps.contiguousData(this);
  }

  /** The storage this tensor views (shared with its views and `detach()`). */
  get storage(): Storage {
    if (this.storageRef === null) this.storageRef = new Storage(this.dataRef as TypedArray);
    return this.storageRef;
  }

  /** The in-place version counter of the storage (PyTorch's `tensor._version`). */
  get _version(): number {
    return this.storageRef === null ? 0 : this.storageRef.version;
  }

  /** The strides in elements, or the stride of dimension `dim`. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    const strides = this.stridesRef ?? shapeOps.contiguousStridesOf(this.shape);
    if (dim === undefined) return strides.slice();
    return strides[normalizeDim(dim, this.shape.length, 'stride')];
  }

  /** Where element 0 sits in the storage, in elements. */
  storageOffset(): number {
    return this.offset;
  }

  /** Whether the elements are row-major without gaps (then `data` shares the storage). */
  isContiguous(): boolean {
    return this.dataRef !== null;
  }

  /** This tensor when it is contiguous, else a contiguous copy (differentiable, `CloneBackward0`). */
  contiguous(): Tensor {
    return this.dataRef !== null ? this : shapeOps.clone(this);
  }

  // ---- autograd state ------------------------------------------------------------------------

  /** Accumulated gradient (float32, same shape), filled by `backward()`. */
  get grad(): Tensor | null {
    this.gradExposed = true;
    return this.gradValue;
  }

  /**
   * Assigns a gradient, checked as PyTorch does: a Tensor (or null) of this tensor's shape and
   * dtype, other than the tensor itself.
   */
  set grad(value: Tensor | null) {
    if (value !== null) {
      if (!(value instanceof Tensor)) {
        const got = value === undefined ? 'undefined' : typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value;
        throw new TypeError(`assigned grad expected to be a Tensor or None but got grad of type ${got}`);
      }
      if (value === this) throw new AutogradError("can't assign Variable as its own grad");
      if (value.dtype !== this.dtype) {
        throw new TypeError(
          `attempting to assign a gradient with dtype '${GRAD_DTYPE_NAMES[value.dtype]}' to a tensor with grad_dtype '${scalarTypeName(this.dtype)}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype).`,
        );
      }
      if (value.shape.length !== this.shape.length || value.shape.some((s, i) => s !== this.shape[i])) {
        throw new ShapeError(
          `attempting to assign a gradient of size '[${value.shape.join(', ')}]' to a tensor of size '[${this.shape.join(', ')}]'. Please ensure that the gradient and the tensor are the same size`,
        );
      }
    }
    this.gradValue = value;
    this.gradExposed = true;
  }

  /** @internal `.grad` for kindling's own code (engine, optimizers), which keeps no reference to it. */
  _peekGrad(): Tensor | null {
    return this.gradValue;
  }

  /** @internal Sets a `.grad` that backward created (nothing outside kindling has seen it yet). */
  _setOwnGrad(value: Tensor): void {
    this.gradValue = value;
    this.gradExposed = false;
  }

  /**
   * @internal `.grad = null` for `zeroGrad()` (setToNone). When the dropped gradient was created
   * by backward and never handed out (no `.grad` read or write since), nothing can observe its
   * buffer any more, so the next backward may reuse it (NOTE [ Gradient buffers of leaves ] in
   * autograd/accumulate.ts).
   */
  _dropGrad(): void {
    const g = this.gradValue;
    if (g !== null && !this.gradExposed && g.dtype === 'float32' && g.gradFn === null && g.isContiguous()) {
      this._accumulateNode().recycle(g.data as Float32Array);
    }
    this.gradValue = null;
    this.gradExposed = false;
  }


  /** Whether gradients are computed for this tensor. Settable on leaves (floating point only). */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    this.requiresGrad_(value);
  }

  /** Sets `requiresGrad` in place and returns `this` (`tensor.requires_grad_()`). */
  requiresGrad_(value = true): this {
    if (this.gradFn !== null) {
      if (!value) {
        throw new AutogradError(
          "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
        );
      }
      return this;
    }
    if (value && !isFloatingPoint(this.dtype)) {
      throw new AutogradError('only Tensors of floating point dtype can require gradients');
    }
    this.requiresGradFlag = value;
    return this;
  }

  /** A tensor is a leaf unless an op recorded in the graph produced it. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Whether `retainGrad()` was called on this non-leaf tensor. */
  get retainsGrad(): boolean {
    return this.gradFn !== null && this.gradFn.retained === this;
  }

  /** Makes `backward()` fill `.grad` of this non-leaf tensor too (leaves always get one). */
  retainGrad(): void {
    if (!this.requiresGradFlag) {
      throw new AutogradError("can't retain_grad on Tensor that has requires_grad=False");
    }
    if (this.gradFn !== null) this.gradFn.retained = this;
  }

  /** @internal Called by ops when they record this tensor as their output. */
  _setGradFn(node: Node): void {
    this.gradFn = node;
    this.requiresGradFlag = true;
  }

  /** @internal The leaf's gradient accumulator (one per leaf, created on first use). */
  _accumulateNode(): AccumulateGrad {
    if (this.accumulator === null) this.accumulator = new AccumulateGrad(this);
    return this.accumulator;
  }

  /**
   * Registers `hook(tensor)` to run during `backward()` right after this leaf's gradient for the
   * pass has been accumulated into `.grad` (`register_post_accumulate_grad_hook`): its `.grad` is
   * then final for the pass, while backward goes on for other parameters. This is where
   * `DistributedDataParallel` starts reducing a gradient, and where an optimizer can step
   * parameter by parameter. Returns a handle whose `remove()` unregisters the hook.
   */
  registerPostAccumulateGradHook(hook: (tensor: Tensor) => void): RemovableHandle {
    if (typeof hook !== 'function') {
      throw new TypeError(`registerPostAccumulateGradHook: hook must be a function, got ${hook === null ? 'null' : typeof hook}`);
    }
    if (!this.requiresGradFlag) throw new AutogradError("cannot register a hook on a tensor that doesn't require gradient");
    if (this.gradFn !== null) throw new AutogradError('post accumulate grad hooks cannot be registered on non-leaf tensors');
    const node = this._accumulateNode();
    node.postHooks ??= new Map();
    const handle = new RemovableHandle(node.postHooks);
    node.postHooks.set(handle.id, hook);
    return handle;
  }

  /**
   * Computes the gradient of this tensor with respect to the graph's leaves and accumulates it
   * into their `.grad`. `gradient` is required unless this tensor has one element. The graph is
   * freed afterwards unless `{ retainGraph: true }`.
   */
  backward(gradient?: Tensor, options?: BackwardOptions): void {
    runBackward(this, gradient, options);
  }

  /** A view sharing the storage (and its version counter) but cut from the graph (`requiresGrad` false). */
  detach(): Tensor {
    return Tensor._view(this, this.shape, this.stridesRef, this.offset);
  }

  // ---- reading ---------------------------------------------------------------------------------

  numel(): number {
    return this.dataRef !== null ? this.dataRef.length : numelOf(this.shape);
  }

  dim(): number {
    return this.shape.length;
  }

  /** Number of dimensions (`tensor.ndim`). */
  get ndim(): number {
    return this.shape.length;
  }

  /** The shape (a copy), or the size of dimension `dim` (negative counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.shape.length, 'size')] ?? 1;
  }

  /**
   * The single element as a JS number (`a Tensor with 6 elements cannot be converted to Scalar`).
   * An int64 element is returned as a number when exact (|v| ≤ 2^53 − 1), else a RangeError
   * names it (use `itemBigInt()`): `correct += pred.eq(t).sum().item()` keeps working with numbers.
   */
  item(): number {
    const n = this.numel();
    if (n !== 1) {
      throw new RangeError(`a Tensor with ${n} elements cannot be converted to Scalar`);
    }
    const v = this.data[0];
    return typeof v === 'bigint' ? int64ToNumber('item', v) : v;
  }

  /** The single element of an integer or bool tensor as an exact `bigint` (any int64 value). */
  itemBigInt(): bigint {
    if (this.data.length !== 1) {
      throw new RangeError(`a Tensor with ${this.data.length} elements cannot be converted to Scalar`);
    }
    if (this.dtype === 'float32') throw new TypeError('itemBigInt: expected an integer or bool tensor, got float32 (use item())');
    return BigInt(this.data[0]);
  }

  /** The elements as nested JS arrays (a number for a 0-d tensor; booleans for bool). */
  tolist(): NestedList {
    const asBool = this.dtype === 'bool';
    const data = this.data;
    const shape = this.shape;
    const element = (v: number | bigint): number | boolean => (typeof v === 'bigint' ? int64ToNumber('tolist', v) : asBool ? v !== 0 : v);
    if (shape.length === 0) return element(data[0]);
    let offset = 0;
    const build = (d: number): NestedList[] => {
      const out: NestedList[] = new Array(shape[d]);
      if (d === shape.length - 1) {
        for (let i = 0; i < shape[d]; i++) out[i] = element(data[offset++]);
      } else {
        for (let i = 0; i < shape[d]; i++) out[i] = build(d + 1);
      }
      return out;
    };
    return build(0);
  }

  /** PyTorch-style text: `tensor([[0.1000, 0.2000]], requires_grad=True)`. */
  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatTensor(this);
  }

  // ---- dtype conversion ------------------------------------------------------------------------

  /** This tensor as `dtype` (itself when it already is). Float → int truncates toward zero. */
  to(dtype: DType): Tensor {
    return cast.to(this, dtype);
  }
  float(): Tensor {
    return cast.to(this, 'float32');
  }
  int(): Tensor {
    return cast.to(this, 'int32');
  }
  long(): Tensor {
    return cast.to(this, 'int64');
  }
  bool(): Tensor {
    return cast.to(this, 'bool');
  }

  // ---- views and shape ops ---------------------------------------------------------------------

  reshape(...shape: SizeArgs): Tensor {
    return shapeOps.reshape(this, shapeOps.sizesOf(shape));
  }
  view(...shape: SizeArgs): Tensor {
    return shapeOps.view(this, shapeOps.sizesOf(shape));
  }
  viewAs(other: Tensor): Tensor {
    return shapeOps.view(this, other.shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return shapeOps.flatten(this, startDim, endDim);
  }
  unsqueeze(dim: number): Tensor {
    return shapeOps.unsqueeze(this, dim);
  }
  squeeze(dim?: number): Tensor {
    return shapeOps.squeeze(this, dim);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return shapeOps.transpose(this, dim0, dim1);
  }
  t(): Tensor {
    return shapeOps.t(this);
  }
  /** The tensor with its dimensions reversed (`tensor.T`). */
  get T(): Tensor {
    return shapeOps.permute(this, this.shape.map((_, i) => this.shape.length - 1 - i));
  }
  permute(...dims: SizeArgs): Tensor {
    return shapeOps.permute(this, shapeOps.sizesOf(dims));
  }
  expand(...sizes: SizeArgs): Tensor {
    return shapeOps.expand(this, shapeOps.sizesOf(sizes));
  }
  expandAs(other: Tensor): Tensor {
    return shapeOps.expand(this, other.shape);
  }
  /** Elements `start … start+length-1` of `dim`, as a view (`SliceBackward0`). */
  narrow(dim: number, start: number, length: number): Tensor {
    return shapeOps.narrow(this, dim, start, length);
  }
  /** The slice at `index` of `dim`, that dimension removed, as a view (`SelectBackward0`). */
  select(dim: number, index: number): Tensor {
    return shapeOps.select(this, dim, index);
  }
  /** PyTorch's `x[…, start:end:step]` on `dim`, as a view (Python slicing bounds; `SliceBackward0`). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return shapeOps.slice(this, dim, start, end, step);
  }
  /** Every window of `size` elements along `dim`, `step` apart, as a new last dimension (a view). */
  unfold(dim: number, size: number, step: number): Tensor {
    return shapeOps.unfold(this, dim, size, step);
  }
  /** The diagonal of the `dim1`×`dim2` planes as a new last dimension (a view, `DiagonalBackward0`). */
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor {
    return shapeOps.diagonal(this, offset, dim1, dim2);
  }
  /** A copy with its own buffer; differentiable (`CloneBackward0`). */
  clone(): Tensor {
    return shapeOps.clone(this);
  }

  // ---- arithmetic ------------------------------------------------------------------------------

  add(other: TensorOrScalar, options?: { alpha?: number }): Tensor {
    return ew.add(this, other, options);
  }
  sub(other: TensorOrScalar, options?: { alpha?: number }): Tensor {
    return ew.sub(this, other, options);
  }
  mul(other: TensorOrScalar): Tensor {
    return ew.mul(this, other);
  }
  div(other: TensorOrScalar): Tensor {
    return ew.div(this, other);
  }
  pow(exponent: TensorOrScalar): Tensor {
    return ew.pow(this, exponent);
  }
  neg(): Tensor {
    return ew.neg(this);
  }
  exp(): Tensor {
    return ew.exp(this);
  }
  log(): Tensor {
    return ew.log(this);
  }
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  relu(): Tensor {
    return ew.relu(this);
  }
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  tanh(): Tensor {
    return ew.tanh(this);
  }
  abs(): Tensor {
    return ew.abs(this);
  }
  erf(): Tensor {
    return activation.erf(this);
  }
  sin(): Tensor {
    return trig.sin(this);
  }
  cos(): Tensor {
    return trig.cos(this);
  }
  maximum(other: Tensor): Tensor {
    return minmax.maximum(this, other);
  }
  minimum(other: Tensor): Tensor {
    return minmax.minimum(this, other);
  }
  /** Limits values to [min, max] (either bound may be omitted with `null`/`undefined`). */
  clamp(min?: number | null, max?: number | null): Tensor {
    return minmax.clamp(this, min, max);
  }
  clampMin(min: number): Tensor {
    return minmax.clampMin(this, min);
  }
  clampMax(max: number): Tensor {
    return minmax.clampMax(this, max);
  }
  matmul(other: Tensor): Tensor {
    return mm.matmul(this, other);
  }
  mm(other: Tensor): Tensor {
    return mm.mm(this, other);
  }
  softmax(dim: number): Tensor {
    return sm.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return sm.logSoftmax(this, dim);
  }

  // ---- reductions ------------------------------------------------------------------------------

  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return red.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return red.mean(this, dim, keepdim);
  }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? red.max(this) : red.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? red.min(this) : red.min(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return red.argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return red.argmin(this, dim, keepdim);
  }

  // ---- comparisons (bool results, no grad) -----------------------------------------------------

  eq(other: TensorOrScalar): Tensor {
    return compare.eq(this, other);
  }
  ne(other: TensorOrScalar): Tensor {
    return compare.ne(this, other);
  }
  gt(other: TensorOrScalar): Tensor {
    return compare.gt(this, other);
  }
  lt(other: TensorOrScalar): Tensor {
    return compare.lt(this, other);
  }
  ge(other: TensorOrScalar): Tensor {
    return compare.ge(this, other);
  }
  le(other: TensorOrScalar): Tensor {
    return compare.le(this, other);
  }

  // ---- in-place (no autograd) ------------------------------------------------------------------

  zero_(): this {
    return inplace.zero_(this);
  }
  fill_(value: number | bigint | boolean): this {
    return inplace.fill_(this, value);
  }
  copy_(src: Tensor): this {
    return inplace.copy_(this, src);
  }
  add_(other: TensorOrScalar, options?: { alpha?: number }): this {
    return inplace.add_(this, other, options);
  }
  mul_(other: TensorOrScalar): this {
    return inplace.mul_(this, other);
  }
  sub_(other: TensorOrScalar, options?: { alpha?: number }): this {
    return inplace.sub_(this, other, options);
  }
  div_(other: TensorOrScalar): this {
    return inplace.div_(this, other);
  }
  clamp_(min?: number | null, max?: number | null): this {
    return inplace.clamp_(this, min, max);
  }
  clampMin_(min: number): this {
    return inplace.clampMin_(this, min);
  }
  clampMax_(max: number): this {
    return inplace.clampMax_(this, max);
  }
  uniform_(from = 0, to = 1, options?: { generator?: Generator }): this {
    return inplace.uniform_(this, from, to, options);
  }
  normal_(mean = 0, std = 1, options?: { generator?: Generator }): this {
    return inplace.normal_(this, mean, std, options);
  }

  // Indexing and manipulation (#14) -------------------------------------------------------------

  /**
   * PyTorch's `x[items]`: integers, slices (`':'`, `'1:3'`, `'::2'` or `torch.slice(1, 3)`), `null`
   * (a new axis), `'...'`, integer tensors or arrays and bool masks (`x[:, 1:3, None]` is
   * `x.index(':', '1:3', null)`). Basic items give views; tensor items copy (`IndexBackward0`).
   */
  index(...items: indexOps.IndexItem[]): Tensor {
    return indexOps.index(this, items);
  }
  /** PyTorch's `x[items] = value` (in place; `x.setIndex_([':', '1:3'], 0)`). */
  setIndex_(items: indexOps.IndexItem[], value: Tensor | number | bigint | boolean): this {
    return indexOps.setIndex_(this, items, value);
  }
  /** `x.index_put_(indices, values, accumulate=False)` (in place). */
  indexPut_(indices: Tensor[], values: Tensor | number | bigint | boolean, options?: indexOps.IndexPutOptions): this {
    return indexOps.indexPut_(this, indices, values, options);
  }
  /** `x.index_put(indices, values, accumulate=False)` (`IndexPutBackward0`). */
  indexPut(indices: Tensor[], values: Tensor | number | bigint | boolean, options?: indexOps.IndexPutOptions): Tensor {
    return indexOps.indexPut(this, indices, values, options);
  }
  /** The `k` largest (or smallest) values along `dim` and their int64 indices (`TopkBackward0`). */
  topk(k: number, dim = -1, options?: topkOps.TopkOptions): ValuesIndices {
    return topkOps.topk(this, k, dim, options);
  }
  /** `numSamples` int64 category indices per row, drawn with these weights (`{ replacement, generator }`). */
  multinomial(numSamples: number, options?: topkOps.MultinomialOptions): Tensor {
    return topkOps.multinomial(this, numSamples, options);
  }

  // Sorting, scans and more reductions ---------------------------------------------------------

  /** Sorted along `dim` (default -1) with int64 indices: `x.sort()`, `x.sort(0)`, `x.sort({ dim, descending, stable })` (`SortBackward0`). */
  sort(dimOrOptions?: number | sortOps.SortOptions, options?: sortOps.SortOptions): ValuesIndices {
    return sortOps.sort(this, dimOrOptions, options);
  }
  /** The int64 indices that sort this tensor along `dim`. */
  argsort(dimOrOptions?: number | sortOps.SortOptions, options?: sortOps.SortOptions): Tensor {
    return sortOps.argsort(this, dimOrOptions, options);
  }
  /** Running sums along `dim` (`CumsumBackward0`; int64 for integer input). */
  cumsum(dim: number): Tensor {
    return cumsumOps.cumsum(this, dim);
  }
  /** The product of all elements, or along `dim` (`keepdim` as a boolean or `{ keepdim }`). */
  prod(dim?: number, keepdim?: boolean | prodOps.ProdOptions): Tensor {
    return prodOps.prod(this, dim, keepdim);
  }
  /** Variance over all elements or `dim` (`{ correction = 1, keepdim = false }`; also `x.var({ correction })`). */
  var(dim?: number | readonly number[] | varOps.VarOptions | null, options?: varOps.VarOptions): Tensor {
    return varOps.variance(this, dim, options);
  }
  /** Standard deviation over all elements or `dim` (`{ correction = 1, keepdim = false }`). */
  std(dim?: number | readonly number[] | varOps.VarOptions | null, options?: varOps.VarOptions): Tensor {
    return varOps.std(this, dim, options);
  }
  /** The `p`-norm (default 2; 'fro', ±Infinity, any number) over all elements or `dim`. */
  norm(p?: normOps.NormOrd, dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return normOps.norm(this, p, dim, keepdim);
  }
  /** log Σ exp over `dim` (a number or a list), computed stably. */
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return lseOps.logsumexp(this, dim, keepdim);
  }
  /** Whether any element (over all, or along `dim`) is non-zero: bool (uint8 for uint8 input). */
  any(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return logicalOps.any(this, dim, keepdim);
  }
  /** Whether every element (over all, or along `dim`) is non-zero: bool (uint8 for uint8 input). */
  all(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return logicalOps.all(this, dim, keepdim);
  }
  /** The slices `index` of `dim` (`IndexSelectBackward0`). */
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexOps.indexSelect(this, dim, index);
  }
  /** `out[i] = x[i with dim replaced by index[i]]` (`GatherBackward0`). */
  gather(dim: number, index: Tensor): Tensor {
    return indexOps.gather(this, dim, index);
  }
  /** A copy with `src` (or a value) written at `index` along `dim` (`{ reduce: 'add' | 'multiply' }`). */
  scatter(dim: number, index: Tensor, src: Tensor | indexOps.ScatterValue, options?: indexOps.ScatterOptions): Tensor {
    return indexOps.scatter(this, dim, index, src, options);
  }
  scatter_(dim: number, index: Tensor, src: Tensor | indexOps.ScatterValue, options?: indexOps.ScatterOptions): this {
    return indexOps.scatter_(this, dim, index, src, options);
  }
  /** A copy with `src` added at `index` along `dim` (duplicates accumulate). */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return indexOps.scatterAdd(this, dim, index, src);
  }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this {
    return indexOps.scatterAdd_(this, dim, index, src);
  }
  /** The elements at `index` (int64) of the flattened tensor. */
  take(index: Tensor): Tensor {
    return indexOps.take(this, index);
  }
  /** `torch.where(condition, this, other)`. */
  where(condition: Tensor, other: indexOps.WhereOperand): Tensor {
    return indexOps.where(condition, this, other);
  }
  /** A copy with `value` where the bool `mask` is true (`MaskedFillBackward0`). */
  maskedFill(mask: Tensor, value: indexOps.FillValue): Tensor {
    return indexOps.maskedFill(this, mask, value);
  }
  maskedFill_(mask: Tensor, value: indexOps.FillValue): this {
    return indexOps.maskedFill_(this, mask, value);
  }
  /** The elements where the bool `mask` is true, as a 1-D tensor. */
  maskedSelect(mask: Tensor): Tensor {
    return indexOps.maskedSelect(this, mask);
  }
  /** Views of pieces of `dim`: of `splitSize` each, or of the listed sizes. */
  split(splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return indexOps.split(this, splitSizeOrSections, dim);
  }
  /** At most `chunks` views of equal pieces of `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return indexOps.chunk(this, chunks, dim);
  }
  /** Every slice of `dim`, that dimension removed (views). */
  unbind(dim = 0): Tensor[] {
    return indexOps.unbind(this, dim);
  }
  /** Tiled `sizes[d]` times along each dimension (`RepeatBackward0`). */
  repeat(...sizes: SizeArgs): Tensor {
    return indexOps.repeat(this, shapeOps.sizesOf(sizes));
  }
  /** Reversed along each of `dims` (`FlipBackward0`). */
  flip(...dims: SizeArgs): Tensor {
    return indexOps.flip(this, shapeOps.sizesOf(dims));
  }
  /** Rotated by `shifts` along `dims` (the flattened tensor without `dims`). */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
    return indexOps.roll(this, shifts, dims);
  }
  /** The lower triangle of the last two dimensions (`j ≤ i + diagonal`). */
  tril(diagonal = 0): Tensor {
    return indexOps.tril(this, diagonal);
  }
  /** The upper triangle of the last two dimensions (`j ≥ i + diagonal`). */
  triu(diagonal = 0): Tensor {
    return indexOps.triu(this, diagonal);
  }
}
