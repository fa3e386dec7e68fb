/**
 * `flip` and `roll`: the elements of each listed dimension reversed or rotated, as a new tensor.
 * Both read `x` through offset tables (`gather-tables.ts`: `(size−1−i)·stride` and
 * `((i − shift) mod size)·stride` on the listed dimensions), any dtype and layout; backward is
 * the same op on the gradient (`FlipBackward0`: flip again; `RollBackward0`: roll back).
 */
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { allocate } from '../dtype';
import { ShapeError, normalizeDim } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { gatherTables, strideTable } from './gather-tables';
import { checkTensorArg } from './index-values';

/** `x` read through `tables` (one per dimension) into a new contiguous tensor of `x`'s shape. */
function remap(x: Tensor, tables: Float64Array[], op: string): Tensor {
  const out = allocate(x.dtype, numelOf(x.shape), op, x.shape);
  gatherTables(x.storage.data, x.storageOffset(), x.shape, tables, out);
  return Tensor._make(out, x.shape, x.dtype);
}

function flipPlain(x: Tensor, flipped: ReadonlySet<number>): Tensor {
  const strides = x.stride();
  const tables = x.shape.map((size, d) => {
    if (!flipped.has(d)) return strideTable(size, strides[d]);
    const t = new Float64Array(size);
    for (let i = 0; i < size; i++) t[i] = (size - 1 - i) * strides[d];
    return t;
  });
  return remap(x, tables, 'flip');
}

/** `torch.flip(x, dims)`: reverses the order of the elements along each of `dims` (`FlipBackward0`). */
export function flip(x: Tensor, dimsToFlip: readonly number[]): Tensor {
  checkTensorArg('flip', x, 'input');
  const flipped = new Set<number>();
  for (const dim of dimsToFlip) {
    const d = normalizeDim(dim, x.shape.length, 'flip');
    if (flipped.has(d)) throw new ShapeError(`dim ${d} appears multiple times in the list of dims`);
    flipped.add(d);
  }
  const out = flipPlain(x, x.shape.length === 0 ? new Set() : flipped);
  if (recording(x)) attach(out, 'FlipBackward0', [x], (g) => [flipPlain(g, flipped)], SAVES_NOTHING);
  return out;
}

function rollPlain(x: Tensor, shifts: readonly number[], rolled: readonly number[]): Tensor {
  const strides = x.stride();
  const shiftOf = new Map<number, number>();
  rolled.forEach((d, i) => shiftOf.set(d, (shiftOf.get(d) ?? 0) + shifts[i]));
  const tables = x.shape.map((size, d) => {
    const shift = shiftOf.get(d);
    if (shift === undefined || size === 0) return strideTable(size, strides[d]);
    const t = new Float64Array(size);
    for (let i = 0; i < size; i++) t[i] = ((((i - shift) % size) + size) % size) * strides[d];
    return t;
  });
  return remap(x, tables, 'roll');
}

/**
 * `torch.roll(x, shifts, dims?)`: rotates the elements along each of `dims` by the matching shift
 * (elements pushed past the end come back at the start); without `dims`, the flattened tensor is
 * rolled and reshaped back (`RollBackward0`).
 */
export function roll(x: Tensor, shifts: number | readonly number[], dimsToRoll?: number | readonly number[] | null): Tensor {
  checkTensorArg('roll', x, 'input');
  const shiftList = typeof shifts === 'number' ? [shifts] : Array.from(shifts);
  for (const s of shiftList) {
    if (typeof s !== 'number' || !Number.isInteger(s)) throw new TypeError(`roll(): argument 'shifts' must be a list of integers, but got ${String(s)}`);
  }
  const dimList = dimsToRoll === undefined || dimsToRoll === null ? [] : typeof dimsToRoll === 'number' ? [dimsToRoll] : Array.from(dimsToRoll);
  if (shiftList.length === 0) throw new RangeError('`shifts` required');
  if (dimList.length === 0) {
    if (shiftList.length !== 1) throw new ShapeError(`shifts and dimensions must align. shifts: ${shiftList.length}, dims:0`);
    const flat = Tensor._make(x.contiguous().detach().data, [x.numel()], x.dtype);
    const rolledFlat = rollPlain(flat, shiftList, [0]);
    const out = Tensor._make(rolledFlat.data, x.shape, x.dtype);
    if (recording(x)) {
      const inShape = x.shape;
      attach(out, 'RollBackward0', [x], (g) => {
        const back = rollPlain(Tensor._make(g.data, [g.numel()], 'float32'), [-shiftList[0]], [0]);
        return [Tensor._make(back.data, inShape, 'float32')];
      }, SAVES_NOTHING);
    }
    return out;
  }
  if (shiftList.length !== dimList.length) throw new ShapeError(`shifts and dimensions must align. shifts: ${shiftList.length}, dims:${dimList.length}`);
  const normalized = dimList.map((d) => normalizeDim(d, x.shape.length, 'roll'));
  const out = rollPlain(x, shiftList, normalized);
  if (recording(x)) attach(out, 'RollBackward0', [x], (g) => [rollPlain(g, shiftList.map((s) => -s), normalized)], SAVES_NOTHING);
  return out;
}
