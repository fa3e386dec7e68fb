/**
 * `F.pad(input, pad, mode, value)`, as `torch.nn.functional.pad`: `pad` lists (before, after)
 * pairs from the last dimension backwards. Each padded dimension gets a table from output
 * position to input position (−1: the fill value), by mode:
 * - `constant`: `value` outside the input; negative pads crop;
 * - `reflect`: mirrored about the edge element (pads smaller than the size);
 * - `replicate`: the edge element repeated;
 * - `circular`: wrapped around (pads at most the size).
 * The tables of the trailing padded dimensions combine into one map over the padded block,
 * applied to every leading index; backward adds each output gradient into the input position it
 * was read from (the adjoint of that gather).
 */
import { attach, recording, SAVES_NOTHING } from '../autograd/function';
import { allocate } from '../dtype';
import { ShapeError } from '../errors';
import { Tensor, numelOf } from '../tensor';
import { checkTensorArg } from './index-values';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
const MODES: readonly string[] = ['constant', 'reflect', 'replicate', 'circular'];

/** PyTorch's autograd node names: its non-constant pads are ReflectionPadNd / ReplicationPadNd. */
function nodeName(mode: PadMode, dims: number): string {
  if (mode === 'constant') return 'ConstantPadNdBackward0';
  if (mode === 'reflect') return `ReflectionPad${dims}DBackward0`;
  if (mode === 'replicate') return `ReplicationPad${dims}DBackward0`;
  return 'CircularPadBackward0';
}

/**
 * Input position of output position `o` of a dimension of `size` padded by `before` and `after`,
 * or −1. Circular padding wraps within what negative pads leave of the input, as PyTorch.
 */
function source(mode: PadMode, o: number, before: number, after: number, size: number): number {
  const s = o - before;
  if (s >= 0 && s < size) return s;
  switch (mode) {
    case 'constant':
      return -1;
    case 'reflect':
      return s < 0 ? -s : 2 * (size - 1) - s;
    case 'replicate':
      return s < 0 ? 0 : size - 1;
    default: {
      const lo = Math.max(0, -before);
      const kept = size - lo - Math.max(0, -after);
      return lo + ((((s - lo) % kept) + kept) % kept);
    }
  }
}

function checkPad(input: Tensor, pad: readonly number[], mode: PadMode): void {
  const rank = input.shape.length;
  if (pad.length % 2 !== 0) throw new RangeError('Padding length must be divisible by 2');
  if (pad.length / 2 > rank) {
    throw new RangeError(`Padding length should be less than or equal to two times the input dimension but got padding length ${pad.length} and input of dimension ${rank}`);
  }
  const dims = pad.length / 2;
  if (mode !== 'constant' && (dims < 1 || dims > 3 || rank < dims + 1 || rank > dims + 2)) {
    throw new RangeError(`Padding size ${pad.length} is not supported for ${rank}D input tensor. Non-constant padding pads the last 1, 2 or 3 dimensions of a 2D-3D, 3D-4D or 4D-5D input.`);
  }
  for (let i = 0; i < dims; i++) {
    const d = rank - 1 - i;
    const [before, after] = [pad[2 * i], pad[2 * i + 1]];
    const size = input.shape[d];
    const shape = `[${input.shape.join(', ')}]`;
    if (size + before + after < 0) {
      throw new ShapeError(`pad: padding (${before}, ${after}) leaves dimension ${d} of input ${shape} with a negative size (${size + before + after})`);
    }
    if (mode === 'constant') continue;
    // Reflect and replicate need every non-batch dimension non-empty, as PyTorch.
    if (mode !== 'circular' && input.shape.slice(rank - dims - 1).some((s) => s === 0)) {
      throw new ShapeError(`Expected ${dims + 1}D or ${dims + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${shape}`);
    }
    if (mode === 'reflect' && (before >= size || after >= size)) {
      throw new ShapeError(`Padding size should be less than the corresponding input dimension, but got: padding (${before}, ${after}) at dimension ${d} of input ${shape}`);
    }
    // Circular pads wrap within what negative pads leave, at most once around it.
    const kept = size - Math.max(0, -before) - Math.max(0, -after);
    if (mode === 'circular' && (before > kept || after > kept || (kept === 0 && (before > 0 || after > 0)) || size === 0)) {
      throw new ShapeError('Padding value causes wrapping around more than once.');
    }
  }
}

/**
 * Position in the input's trailing block (the padded dimensions) of each position of the
 * output's, −1 where the fill value goes.
 */
function blockMap(inShape: readonly number[], outShape: readonly number[], befores: readonly number[], afters: readonly number[], mode: PadMode): Int32Array {
  let map = Int32Array.of(0);
  for (let d = 0; d < inShape.length; d++) {
    const table = new Int32Array(outShape[d]);
    for (let o = 0; o < outShape[d]; o++) table[o] = source(mode, o, befores[d], afters[d], inShape[d]);
    const next = new Int32Array(map.length * outShape[d]);
    let at = 0;
    for (const m of map) {
      for (const s of table) next[at++] = m < 0 || s < 0 ? -1 : m * inShape[d] + s;
    }
    map = next;
  }
  return map;
}

/** `torch.nn.functional.pad(input, pad, mode = 'constant', value = 0)`. */
export function pad(input: Tensor, pad: readonly number[], mode: PadMode = 'constant', value?: number | null): Tensor {
  checkTensorArg('pad', input, 'input');
  if (!Array.isArray(pad) || pad.some((p) => typeof p !== 'number' || !Number.isInteger(p))) {
    throw new TypeError(`pad(): argument 'pad' must be a list of integers, but got ${String(pad)}`);
  }
  if (!MODES.includes(mode)) throw new RangeError(`Unrecognised padding mode ${String(mode)}`);
  if (mode !== 'constant' && value !== undefined && value !== null) {
    throw new RangeError(`Padding mode "${mode}" doesn't take in value argument`);
  }
  checkPad(input, pad, mode);
  const rank = input.shape.length;
  const dims = pad.length / 2;
  const lead = input.shape.slice(0, rank - dims);
  const inBlock = input.shape.slice(rank - dims);
  const befores = inBlock.map((_, i) => pad[2 * (dims - 1 - i)]);
  const afters = inBlock.map((_, i) => pad[2 * (dims - 1 - i) + 1]);
  const outBlock = inBlock.map((s, i) => s + befores[i] + afters[i]);
  const outShape = [...lead, ...outBlock];
  const map = blockMap(inBlock, outBlock, befores, afters, mode);
  const inSize = numelOf(inBlock);
  const batches = numelOf(lead);
  const fill = value ?? 0;

  const x = input.contiguous();
  const xv = x.data;
  const out = allocate(input.dtype, numelOf(outShape), 'pad', outShape);
  const outFill = typeof xv[0] === 'bigint' || out instanceof BigInt64Array ? BigInt(Math.trunc(fill)) : input.dtype === 'bool' ? (fill !== 0 ? 1 : 0) : fill;
  for (let b = 0; b < batches; b++) {
    const ib = b * inSize;
    const ob = b * map.length;
    for (let i = 0; i < map.length; i++) {
      const m = map[i];
      (out as Float32Array)[ob + i] = (m < 0 ? outFill : xv[ib + m]) as number;
    }
  }
  const result = Tensor._make(out, outShape, input.dtype);
  if (recording(input)) {
    attach(
      result,
      nodeName(mode, dims),
      [input],
      (g) => {
        const gv = g.contiguous().data as Float32Array;
        const gradIn = new Float32Array(batches * inSize);
        for (let b = 0; b < batches; b++) {
          const ib = b * inSize;
          const ob = b * map.length;
          for (let i = 0; i < map.length; i++) if (map[i] >= 0) gradIn[ib + map[i]] += gv[ob + i];
        }
        return [Tensor._make(gradIn, input.shape, 'float32')];
      },
      SAVES_NOTHING,
    );
  }
  return result;
}
