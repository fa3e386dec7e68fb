/**
 * The collectives of `torch.distributed`, synchronous (PyTorch's default `async_op=False`): each
 * returns when this rank's part is done, with the result written into the given tensors, and
 * bumps their version counters as any in-place op does. Buffers go to MPI as they are (the
 * tensors' own memory); only `allGather` / `reduceScatter` with separately allocated list
 * tensors pass through one staging buffer, as PyTorch's MPI backend does.
 */
import type { TypedArray } from '../dtype';
import { checkOptions } from '../options';
import { bumpVersion } from '../storage';
import type { Tensor } from '../tensor';
import { COLLECTIVES, type Plan, agree, checkAgreement, planBuffer } from './agreement';
import {
  DTYPE_CODES,
  checkAvg,
  checkListLength,
  checkSameDType,
  checkSameSize,
  checkTensor,
  checkTensorList,
  consecutive,
  overlaps,
} from './checks';
import { ShapeError } from '../errors';
import { type ProcessGroup, defaultGroup } from './process-group';
import { ReduceOp, checkReduceOp } from './reduce-op';
import { Work } from './work';

/** PyTorch's trailing `group=` and `async_op=` arguments; only the default group exists so far. */
export interface CollectiveOptions {
  group?: never;
  /** Only `allReduce` and `broadcast` have an asynchronous form so far. */
  asyncOp?: boolean;
}

/** `allReduce` / `broadcast` with `asyncOp: true`: they return a `Work`. */
export interface AsyncOptions {
  group?: never;
  asyncOp: true;
}

const OPTIONS = {
  group: { notImplemented: 'only the default (world) group exists' },
  asyncOp: { notImplemented: 'only allReduce and broadcast have an asynchronous form so far', unless: [false] },
} as const;

const ASYNC_OPTIONS = { group: OPTIONS.group, asyncOp: 'boolean' } as const;

type AsyncNative = (buf: TypedArray, param: number, plan: BigInt64Array) => Promise<boolean>;

/**
 * The asynchronous path of allReduce / broadcast: the agreement exchange and the collective run
 * in one native task, in issue order, off the main thread. A local error still takes part in the
 * exchange (so the other ranks learn of it) and is then thrown by `wait()`.
 */
function launch(group: ProcessGroup, name: string, plan: Plan | Error, tensor: Tensor, kind: 'allReduce' | 'broadcast', param: number): Work {
  const plain = plan instanceof Error;
  const dtype = plain ? 'float32' : tensor.dtype;
  const s = dtype === 'float32' ? 'F32' : dtype === 'int32' ? 'I32' : 'I64';
  const native = (group.mpi as unknown as Record<string, AsyncNative>)[`${kind}${s}Async`];
  const buf = plain ? new Float32Array(0) : tensor.data;
  const exchanged = planBuffer(plan);
  return new Work(native(buf, plain ? 0 : param, exchanged), () => {
    checkAgreement(group, name, plan, exchanged);
    if (kind === 'allReduce' || group.rank !== param) bumpVersion(tensor);
  });
}

/** The addon's functions for one dtype, with the buffers typed loosely (checks.ts fixed the dtype). */
interface Typed {
  allReduce(buf: TypedArray, op: number): void;
  broadcast(buf: TypedArray, src: number): void;
  allGather(input: TypedArray, output: TypedArray): void;
  reduceScatter(input: TypedArray, output: TypedArray, op: number): void;
}

function typed(group: ProcessGroup, dtype: string): Typed {
  const m = group.mpi as unknown as Record<string, (...args: unknown[]) => void>;
  const s = dtype === 'float32' ? 'F32' : dtype === 'int32' ? 'I32' : 'I64';
  return {
    allReduce: (buf, op) => m[`allReduce${s}`](buf, op),
    broadcast: (buf, src) => m[`broadcast${s}`](buf, src),
    allGather: (input, output) => m[`allGather${s}`](input, output),
    reduceScatter: (input, output, op) => m[`reduceScatter${s}`](input, output, op),
  };
}

/** Runs this rank's checks; their error goes through `agree` so the other ranks learn of it. */
function attempt(checks: () => Plan): Plan | Error {
  try {
    return checks();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

const kindOf = (op: (typeof COLLECTIVES)[number]) => COLLECTIVES.indexOf(op);

/**
 * @internal For DistributedDataParallel: starts an asynchronous all-reduce of `tensor` (no
 * `Work`, no Promise to wait for) and returns `settle`, to call once a synchronous collective
 * issued later has returned: issue order guarantees this one has completed by then, and `settle`
 * throws if the ranks disagreed. This is how DDP reduces its buckets while backward goes on and
 * still finishes within the synchronous `backward()`.
 */
export function _startAllReduce(tensor: Tensor, op: ReduceOp): () => void {
  const name = 'allReduce';
  const group = defaultGroup();
  const plan: Plan = { kind: kindOf(name), numel: tensor.numel(), dtype: DTYPE_CODES[tensor.dtype] as number, param: op };
  const exchanged = planBuffer(plan);
  const native = (group.mpi as unknown as Record<string, AsyncNative>)[`allReduce${tensor.dtype === 'float32' ? 'F32' : tensor.dtype === 'int32' ? 'I32' : 'I64'}Async`];
  native(tensor.data, op, exchanged).catch(() => {}); // the outcome is read from `exchanged` by settle
  return () => {
    checkAgreement(group, name, plan, exchanged);
    bumpVersion(tensor);
  };
}

/**
 * Reduces `tensor` across all ranks in place (`torch.distributed.all_reduce`): afterwards every
 * rank holds the SUM (default), AVG, PRODUCT, MIN or MAX of all ranks' tensors.
 *
 * With `{ asyncOp: true }` it returns a `Work` at once and communicates off Node's main thread;
 * `await work.wait()` before using the tensor. Collectives run in the order they were issued,
 * synchronous ones after any asynchronous ones still in flight.
 *
 * @example
 * const t = torch.tensor([dist.getRank() + 1]);
 * dist.allReduce(t, dist.ReduceOp.SUM); // on 2 ranks: [3] everywhere
 * const work = dist.allReduce(t, dist.ReduceOp.MAX, { asyncOp: true });
 * await work.wait();
 */
export function allReduce(tensor: Tensor, op?: ReduceOp, options?: CollectiveOptions & { asyncOp?: false }): void;
export function allReduce(tensor: Tensor, op: ReduceOp | undefined, options: AsyncOptions): Work;
export function allReduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, options?: CollectiveOptions): void | Work {
  const name = 'allReduce';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, ASYNC_OPTIONS);
    const t = checkTensor(name, tensor, 'tensor');
    const reduceOp = checkReduceOp(name, op);
    checkAvg(name, reduceOp, t.dtype);
    return { kind: kindOf(name), numel: t.numel(), dtype: DTYPE_CODES[t.dtype] as number, param: reduceOp };
  });
  if (options?.asyncOp === true) return launch(group, name, plan, tensor, 'allReduce', op);
  agree(group, name, plan);
  typed(group, tensor.dtype).allReduce(tensor.data, op);
  bumpVersion(tensor);
}

/**
 * Copies rank `src`'s `tensor` into `tensor` on every other rank (`torch.distributed.broadcast`).
 * With `{ asyncOp: true }` it returns a `Work` at once (see `allReduce`).
 */
export function broadcast(tensor: Tensor, src: number, options?: CollectiveOptions & { asyncOp?: false }): void;
export function broadcast(tensor: Tensor, src: number, options: AsyncOptions): Work;
export function broadcast(tensor: Tensor, src: number, options?: CollectiveOptions): void | Work {
  const name = 'broadcast';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, ASYNC_OPTIONS);
    const t = checkTensor(name, tensor, 'tensor');
    if (typeof src !== 'number' || !Number.isInteger(src)) {
      throw new TypeError(`${name}: src must be an integer rank, but got ${typeof src} ${String(src)}`);
    }
    if (src < 0 || src >= group.size) {
      throw new RangeError(`${name}: invalid src rank ${src} (expected a rank in [0, ${group.size - 1}])`);
    }
    return { kind: kindOf(name), numel: t.numel(), dtype: DTYPE_CODES[t.dtype] as number, param: src };
  });
  if (options?.asyncOp === true) return launch(group, name, plan, tensor, 'broadcast', src);
  agree(group, name, plan);
  typed(group, tensor.dtype).broadcast(tensor.data, src);
  if (group.rank !== src) bumpVersion(tensor);
}

/**
 * Gathers every rank's `tensor` into `tensorList` on every rank (`torch.distributed.all_gather`):
 * `tensorList[r]` receives rank r's tensor. The list has one tensor per rank, each with as many
 * elements as `tensor`.
 */
export function allGather(tensorList: Tensor[], tensor: Tensor, options?: CollectiveOptions): void {
  const name = 'allGather';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, OPTIONS);
    const outputs = checkTensorList(name, tensorList, 'tensorList');
    const t = checkTensor(name, tensor, 'tensor');
    checkSameDType(name, [...outputs, t]);
    checkListLength(name, outputs, group.size, 'output');
    checkSameSize(name, outputs, t.numel(), 'tensorList');
    return { kind: kindOf(name), numel: t.numel(), dtype: DTYPE_CODES[t.dtype] as number, param: 0 };
  });
  agree(group, name, plan);
  gatherInto(group, tensor, consecutive(tensorList), tensorList);
}

/**
 * Gathers every rank's `inputTensor` into `outputTensor`, rank r's at elements
 * [r·n, (r+1)·n) (`torch.distributed.all_gather_into_tensor`). No staging copy.
 */
export function allGatherIntoTensor(outputTensor: Tensor, inputTensor: Tensor, options?: CollectiveOptions): void {
  const name = 'allGatherIntoTensor';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, OPTIONS);
    const out = checkTensor(name, outputTensor, 'outputTensor');
    const t = checkTensor(name, inputTensor, 'inputTensor');
    checkSameDType(name, [out, t]);
    if (out.numel() !== group.size * t.numel()) {
      throw new ShapeError(
        `${name}: output tensor size must be equal to world_size times input tensor size: ${out.numel()} != ${group.size} × ${t.numel()}`,
      );
    }
    return { kind: kindOf('allGather'), numel: t.numel(), dtype: DTYPE_CODES[t.dtype] as number, param: 0 };
  });
  agree(group, name, plan);
  gatherInto(group, inputTensor, outputTensor.data, [outputTensor]);
}

/** MPI_Allgather into `direct` (one buffer for all ranks' blocks) or, when null, via staging. */
function gatherInto(group: ProcessGroup, input: Tensor, direct: TypedArray | null, outputs: Tensor[]): void {
  let send = input.data;
  const n = send.length;
  if (direct !== null) {
    // An input that is itself one of the outputs (in-place style) must not alias the receive buffer.
    if (overlaps(send, direct)) send = send.slice();
    typed(group, input.dtype).allGather(send, direct);
  } else {
    const staging = new (send.constructor as new (n: number) => TypedArray)(n * group.size);
    typed(group, input.dtype).allGather(send, staging);
    outputs.forEach((out, r) => (out.data as Float32Array).set(staging.subarray(r * n, (r + 1) * n) as Float32Array));
  }
  for (const out of outputs) bumpVersion(out);
}

/**
 * Reduces `inputList` across ranks and scatters the result (`torch.distributed.reduce_scatter`):
 * rank r's `output` receives the reduction over all ranks of their `inputList[r]`.
 */
export function reduceScatter(output: Tensor, inputList: Tensor[], op: ReduceOp = ReduceOp.SUM, options?: CollectiveOptions): void {
  const name = 'reduceScatter';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, OPTIONS);
    const out = checkTensor(name, output, 'output');
    const inputs = checkTensorList(name, inputList, 'inputList');
    checkSameDType(name, [out, ...inputs]);
    checkListLength(name, inputs, group.size, 'input');
    checkSameSize(name, inputs, out.numel(), 'inputList');
    const reduceOp = checkReduceOp(name, op);
    checkAvg(name, reduceOp, out.dtype);
    return { kind: kindOf(name), numel: out.numel(), dtype: DTYPE_CODES[out.dtype] as number, param: reduceOp };
  });
  agree(group, name, plan);
  let send = consecutive(inputList);
  if (send === null || overlaps(send, output.data)) {
    // Separate tensors (or an output among them): stage the inputs in one buffer.
    const n = output.numel();
    send = new (output.data.constructor as new (n: number) => TypedArray)(n * group.size);
    inputList.forEach((t, r) => (send as Float32Array).set(t.data as Float32Array, r * n));
  }
  typed(group, output.dtype).reduceScatter(send, output.data, op);
  bumpVersion(output);
}

/**
 * Reduces `input` across ranks and gives rank r the elements [r·n, (r+1)·n) of the result in
 * `output` (`torch.distributed.reduce_scatter_tensor`). No staging copy.
 */
export function reduceScatterTensor(output: Tensor, input: Tensor, op: ReduceOp = ReduceOp.SUM, options?: CollectiveOptions): void {
  const name = 'reduceScatterTensor';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, OPTIONS);
    const out = checkTensor(name, output, 'output');
    const t = checkTensor(name, input, 'input');
    checkSameDType(name, [out, t]);
    if (t.numel() !== group.size * out.numel()) {
      throw new ShapeError(
        `${name}: input tensor must be the same size as output size times world size: ${t.numel()} != ${group.size} × ${out.numel()}`,
      );
    }
    if (overlaps(t.data, out.data)) throw new RangeError(`${name}: output and input must not share memory`);
    const reduceOp = checkReduceOp(name, op);
    checkAvg(name, reduceOp, out.dtype);
    return { kind: kindOf('reduceScatter'), numel: out.numel(), dtype: DTYPE_CODES[out.dtype] as number, param: reduceOp };
  });
  agree(group, name, plan);
  typed(group, output.dtype).reduceScatter(input.data, output.data, op);
  bumpVersion(output);
}

/** Waits until every rank has reached its `barrier()` (`torch.distributed.barrier`). */
export function barrier(options?: CollectiveOptions): void {
  const name = 'barrier';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, OPTIONS);
    return { kind: kindOf(name), numel: 0, dtype: 0, param: 0 };
  });
  agree(group, name, plan);
  group.mpi.barrier();
}
