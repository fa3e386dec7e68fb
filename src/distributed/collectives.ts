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
  /** `true`: return a `Work` at once and communicate off Node's main thread. */
  asyncOp?: boolean;
}

/** Any collective with `asyncOp: true`: it returns a `Work`. */
export interface AsyncOptions {
  group?: never;
  asyncOp: true;
}

type SyncOptions = CollectiveOptions & { asyncOp?: false };

const OPTIONS = { group: { notImplemented: 'only the default (world) group exists' }, asyncOp: 'boolean' } as const;

/** The addon's collectives (each also as `…Async`, and per dtype: `allReduceF32`, …). */
type Kind = 'allReduce' | 'broadcast' | 'allGather' | 'reduceScatter' | 'barrier';

/**
 * One call of the addon: its buffers (`input` for gather/scatter only, `output` for all but
 * barrier: the buffer MPI writes), its op or src rank, and what to do once it has run (copy a
 * staging buffer out, bump version counters).
 */
interface Call {
  kind: Kind;
  dtype: 'float32' | 'int32' | 'int64';
  input?: TypedArray;
  output?: TypedArray;
  param?: number;
  after(): void;
}

/** The addon function for `call`: `allGatherI64`, `barrierAsync`, …, with its arguments in order. */
function native(group: ProcessGroup, call: Call, plan?: BigInt64Array): unknown {
  const suffix = call.kind === 'barrier' ? '' : call.dtype === 'float32' ? 'F32' : call.dtype === 'int32' ? 'I32' : 'I64';
  const fn = (group.mpi as unknown as Record<string, (...args: unknown[]) => unknown>)[`${call.kind}${suffix}${plan ? 'Async' : ''}`];
  // Every addon function takes (input?, output?, op or src?, plan?) in this order.
  const args = [call.input, call.output, call.param, plan].filter((a) => a !== undefined);
  return fn(...args);
}

/** The call a rank whose own checks failed still makes (asynchronously), so the others learn of it. */
function emptyCall(kind: Kind): Call {
  const buffers = kind === 'allGather' || kind === 'reduceScatter' ? 2 : kind === 'barrier' ? 0 : 1;
  return {
    kind,
    dtype: 'float32',
    input: buffers === 2 ? new Float32Array(0) : undefined,
    output: buffers > 0 ? new Float32Array(0) : undefined,
    param: kind === 'barrier' || kind === 'allGather' ? undefined : 0,
    after: () => {},
  };
}

/**
 * Issues a collective whose local checks gave `plan` (or their error). Synchronously: the
 * agreement exchange, then the call. With `asyncOp`: both run in one native task, in issue order,
 * off the main thread, and the returned `Work` settles when it is done; a local error still takes
 * part in the exchange (so the other ranks learn of it) and is then thrown by `wait()`.
 */
function issue(group: ProcessGroup, name: string, plan: Plan | Error, options: CollectiveOptions | undefined, kind: Kind, prepare: () => Call): void | Work {
  if (options?.asyncOp === true) {
    const call = plan instanceof Error ? emptyCall(kind) : prepare();
    const exchanged = planBuffer(plan);
    return new Work(native(group, call, exchanged) as Promise<boolean>, () => {
      checkAgreement(group, name, plan, exchanged);
      call.after();
    });
  }
  agree(group, name, plan);
  const call = prepare();
  native(group, call);
  call.after();
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
const dtypeOf = (t: Tensor) => t.dtype as Call['dtype'];

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
  const call: Call = { kind: 'allReduce', dtype: dtypeOf(tensor), output: tensor.data, param: op, after: () => bumpVersion(tensor) };
  (native(group, call, exchanged) as Promise<boolean>).catch(() => {}); // the outcome is read from `exchanged` by settle
  return () => {
    checkAgreement(group, name, plan, exchanged);
    call.after();
  };
}

/**
 * Reduces `tensor` across all ranks in place (`torch.distributed.all_reduce`): afterwards every
 * rank holds the SUM (default), AVG, PRODUCT, MIN or MAX of all ranks' tensors.
 *
 * With `{ asyncOp: true }` it returns a `Work` at once and communicates off Node's main thread;
 * `await work.wait()` before using the tensor. Collectives run in the order they were issued,
 * synchronous ones after any asynchronous ones still in flight. Every collective takes `asyncOp`.
 *
 * @example
 * const t = torch.tensor([dist.getRank() + 1]);
 * dist.allReduce(t, dist.ReduceOp.SUM); // on 2 ranks: [3] everywhere
 * const work = dist.allReduce(t, dist.ReduceOp.MAX, { asyncOp: true });
 * await work.wait();
 */
export function allReduce(tensor: Tensor, op?: ReduceOp, options?: SyncOptions): void;
export function allReduce(tensor: Tensor, op: ReduceOp | undefined, options: AsyncOptions): Work;
export function allReduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, options?: CollectiveOptions): void | Work {
  const name = 'allReduce';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, OPTIONS);
    const t = checkTensor(name, tensor, 'tensor');
    const reduceOp = checkReduceOp(name, op);
    checkAvg(name, reduceOp, t.dtype);
    return { kind: kindOf(name), numel: t.numel(), dtype: DTYPE_CODES[t.dtype] as number, param: reduceOp };
  });
  return issue(group, name, plan, options, 'allReduce', () => ({
    kind: 'allReduce',
    dtype: dtypeOf(tensor),
    output: tensor.data,
    param: op,
    after: () => bumpVersion(tensor),
  }));
}

/**
 * Copies rank `src`'s `tensor` into `tensor` on every other rank (`torch.distributed.broadcast`).
 * With `{ asyncOp: true }` it returns a `Work` at once (see `allReduce`).
 */
export function broadcast(tensor: Tensor, src: number, options?: SyncOptions): void;
export function broadcast(tensor: Tensor, src: number, options: AsyncOptions): Work;
export function broadcast(tensor: Tensor, src: number, options?: CollectiveOptions): void | Work {
  const name = 'broadcast';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, OPTIONS);
    const t = checkTensor(name, tensor, 'tensor');
    if (typeof src !== 'number' || !Number.isInteger(src)) {
      throw new TypeError(`${name}: src must be an integer rank, but got ${typeof src} ${String(src)}`);
    }
    if (src < 0 || src >= group.size) {
      throw new RangeError(`${name}: invalid src rank ${src} (expected a rank in [0, ${group.size - 1}])`);
    }
    return { kind: kindOf(name), numel: t.numel(), dtype: DTYPE_CODES[t.dtype] as number, param: src };
  });
  return issue(group, name, plan, options, 'broadcast', () => ({
    kind: 'broadcast',
    dtype: dtypeOf(tensor),
    output: tensor.data,
    param: src,
    after: () => {
      if (group.rank !== src) bumpVersion(tensor);
    },
  }));
}

/**
 * Gathers every rank's `tensor` into `tensorList` on every rank (`torch.distributed.all_gather`):
 * `tensorList[r]` receives rank r's tensor. The list has one tensor per rank, each with as many
 * elements as `tensor`. With `{ asyncOp: true }` it returns a `Work` at once (see `allReduce`).
 */
export function allGather(tensorList: Tensor[], tensor: Tensor, options?: SyncOptions): void;
export function allGather(tensorList: Tensor[], tensor: Tensor, options: AsyncOptions): Work;
export function allGather(tensorList: Tensor[], tensor: Tensor, options?: CollectiveOptions): void | Work {
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
  return issue(group, name, plan, options, 'allGather', () => gatherCall(group, tensor, consecutive(tensorList), tensorList));
}

/**
 * Gathers every rank's `inputTensor` into `outputTensor`, rank r's at elements
 * [r·n, (r+1)·n) (`torch.distributed.all_gather_into_tensor`). No staging copy. With
 * `{ asyncOp: true }` it returns a `Work` at once (see `allReduce`).
 */
export function allGatherIntoTensor(outputTensor: Tensor, inputTensor: Tensor, options?: SyncOptions): void;
export function allGatherIntoTensor(outputTensor: Tensor, inputTensor: Tensor, options: AsyncOptions): Work;
export function allGatherIntoTensor(outputTensor: Tensor, inputTensor: Tensor, options?: CollectiveOptions): void | Work {
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
  return issue(group, name, plan, options, 'allGather', () => gatherCall(group, inputTensor, outputTensor.data, [outputTensor]));
}

/** MPI_Allgather into `direct` (one buffer for all ranks' blocks) or, when null, via staging. */
function gatherCall(group: ProcessGroup, input: Tensor, direct: TypedArray | null, outputs: Tensor[]): Call {
  let send = input.data;
  const n = send.length;
  // An input that is itself one of the outputs (in-place style) must not alias the receive buffer.
  if (direct !== null && overlaps(send, direct)) send = send.slice();
  const staging = direct ?? new (send.constructor as new (n: number) => TypedArray)(n * group.size);
  return {
    kind: 'allGather',
    dtype: dtypeOf(input),
    input: send,
    output: staging,
    after: () => {
      if (direct === null) {
        outputs.forEach((out, r) => (out.data as Float32Array).set(staging.subarray(r * n, (r + 1) * n) as Float32Array));
      }
      for (const out of outputs) bumpVersion(out);
    },
  };
}

/**
 * Reduces `inputList` across ranks and scatters the result (`torch.distributed.reduce_scatter`):
 * rank r's `output` receives the reduction over all ranks of their `inputList[r]`. With
 * `{ asyncOp: true }` it returns a `Work` at once (see `allReduce`).
 */
export function reduceScatter(output: Tensor, inputList: Tensor[], op?: ReduceOp, options?: SyncOptions): void;
export function reduceScatter(output: Tensor, inputList: Tensor[], op: ReduceOp | undefined, options: AsyncOptions): Work;
export function reduceScatter(output: Tensor, inputList: Tensor[], op: ReduceOp = ReduceOp.SUM, options?: CollectiveOptions): void | Work {
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
  return issue(group, name, plan, options, 'reduceScatter', () => {
    let send = consecutive(inputList);
    if (send === null || overlaps(send, output.data)) {
      // Separate tensors (or an output among them): stage the inputs in one buffer.
      const n = output.numel();
      send = new (output.data.constructor as new (n: number) => TypedArray)(n * group.size);
      inputList.forEach((t, r) => (send as Float32Array).set(t.data as Float32Array, r * n));
    }
    return { kind: 'reduceScatter', dtype: dtypeOf(output), input: send, output: output.data, param: op, after: () => bumpVersion(output) };
  });
}

/**
 * Reduces `input` across ranks and gives rank r the elements [r·n, (r+1)·n) of the result in
 * `output` (`torch.distributed.reduce_scatter_tensor`). No staging copy. With
 * `{ asyncOp: true }` it returns a `Work` at once (see `allReduce`).
 */
export function reduceScatterTensor(output: Tensor, input: Tensor, op?: ReduceOp, options?: SyncOptions): void;
export function reduceScatterTensor(output: Tensor, input: Tensor, op: ReduceOp | undefined, options: AsyncOptions): Work;
export function reduceScatterTensor(output: Tensor, input: Tensor, op: ReduceOp = ReduceOp.SUM, options?: CollectiveOptions): void | Work {
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
  return issue(group, name, plan, options, 'reduceScatter', () => ({
    kind: 'reduceScatter',
    dtype: dtypeOf(output),
    input: input.data,
    output: output.data,
    param: op,
    after: () => bumpVersion(output),
  }));
}

/**
 * Waits until every rank has reached its `barrier()` (`torch.distributed.barrier`). With
 * `{ asyncOp: true }` it returns a `Work` at once, which completes when every rank has arrived.
 */
export function barrier(options?: SyncOptions): void;
export function barrier(options: AsyncOptions): Work;
export function barrier(options?: CollectiveOptions): void | Work {
  const name = 'barrier';
  const group = defaultGroup();
  const plan = attempt(() => {
    checkOptions(name, options, OPTIONS);
    return { kind: kindOf(name), numel: 0, dtype: 0, param: 0 };
  });
  return issue(group, name, plan, options, 'barrier', () => ({ kind: 'barrier', dtype: 'float32', after: () => {} }));
}
