/**
 * Before each collective the ranks compare what they are about to do, with one small all-reduce
 * (MAX over each value and its negation gives the maximum and minimum across ranks): the
 * collective, the element count, the dtype and the op or src rank, plus whether this rank's
 * arguments failed its local checks. MPI itself would hang, read past a buffer or silently
 * reduce garbage on such mismatches; this way every rank throws the same typed error instead.
 *
 * The cost is one 80-byte all-reduce per collective (microseconds on a loopback or a LAN), small
 * against the tensors of a training step; docs/DISTRIBUTED.md discusses it.
 */
import { ShapeError } from '../errors';
import { DistributedError } from './errors';
import type { ProcessGroup } from './process-group';
import { reduceOpName } from './reduce-op';

/** What every rank must agree on for one collective. */
export interface Plan {
  /** Which collective (the COLLECTIVES index). */
  kind: number;
  numel: number;
  /** checks.ts DTYPE_CODES, or 0 where no tensor is involved (barrier). */
  dtype: number;
  /** The ReduceOp, or the src rank of a broadcast; 0 where neither applies. */
  param: number;
}

export const COLLECTIVES = ['', 'allReduce', 'broadcast', 'allGather', 'reduceScatter', 'barrier'] as const;
const DTYPES = ['none', 'float32', 'int32', 'int64'];

const FIELDS = 5; // failed, kind, numel, dtype, param

/** This rank's side of the exchange: each value and its negation (MAX gives max and -min). */
export function planBuffer(local: Plan | Error): BigInt64Array {
  const values = local instanceof Error ? [1, 0, 0, 0, 0] : [0, local.kind, local.numel, local.dtype, local.param];
  const buf = new BigInt64Array(2 * FIELDS);
  for (let i = 0; i < FIELDS; i++) {
    buf[2 * i] = BigInt(values[i]);
    buf[2 * i + 1] = -BigInt(values[i]);
  }
  return buf;
}

/**
 * Runs the agreement for `op`. `local` is this rank's plan, or the error its own checks threw:
 * that error is rethrown here after the exchange, so the other ranks, told that a rank failed,
 * throw too rather than waiting for it.
 */
export function agree(group: ProcessGroup, op: string, local: Plan | Error): Plan {
  const buf = planBuffer(local);
  group.mpi.allReduceI64(buf, 4 /* MAX */);
  return checkAgreement(group, op, local, buf);
}

/**
 * Throws the error for an exchanged `buf` (after the MAX all-reduce) whose ranks disagree, or
 * `local` when it is this rank's own error; returns the plan when all agree.
 */
export function checkAgreement(group: ProcessGroup, op: string, local: Plan | Error, buf: BigInt64Array): Plan {
  if (local instanceof Error) throw local;
  const mine = local;
  const values = [0, mine.kind, mine.numel, mine.dtype, mine.param];
  const max = (i: number) => Number(buf[2 * i]);
  const min = (i: number) => -Number(buf[2 * i + 1]);
  /** The value some other rank has, when the ranks differ in field i. */
  const other = (i: number) => (values[i] === max(i) ? min(i) : max(i));

  if (max(0) !== 0) {
    throw new DistributedError(`${op}: the arguments of another rank failed their checks (its error says why); this rank's were valid`);
  }
  if (min(1) !== max(1)) {
    throw new DistributedError(`${op}: ranks disagree on the collective: this rank called ${op}, another rank called ${COLLECTIVES[other(1)]}`);
  }
  if (min(3) !== max(3)) {
    throw new TypeError(`${op}: dtypes differ across ranks: ${DTYPES[mine.dtype]} on this rank, ${DTYPES[other(3)]} on another`);
  }
  if (min(2) !== max(2)) {
    throw new ShapeError(
      `${op}: tensor sizes differ across ranks: ${mine.numel} elements on this rank, between ${min(2)} and ${max(2)} across the ${group.size} ranks`,
    );
  }
  if (min(4) !== max(4)) {
    const what = mine.kind === COLLECTIVES.indexOf('broadcast') ? 'src rank' : 'reduce op';
    const show = what === 'src rank' ? String : reduceOpName;
    throw new DistributedError(`${op}: ranks disagree on the ${what}: ${show(mine.param)} on this rank, ${show(other(4))} on another`);
  }
  return mine;
}
