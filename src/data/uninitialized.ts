/**
 * Typed arrays whose every element the caller is about to overwrite (a gathered batch, a copy
 * out of a worker's slot). `new Float32Array(n)` zero-fills its memory first — for a batch of
 * ten MNIST images (31 KB) that costs ~2–3 µs more than an uninitialised block from
 * `Buffer.allocUnsafeSlow` (its own ArrayBuffer, exactly `n` elements, offset 0, never pooled).
 * Float32 goes through `uninitF32` (src/dtype.ts), shared with the ops. Arrays of at most 64 bytes
 * live on V8's heap and are cheaper zeroed, and sizes beyond `Buffer`'s limit are allocated as
 * usual too (and fail with the engine's RangeError if they cannot be).
 * Never hand one out before every element has been written.
 */
import { kMaxLength } from 'node:buffer';
import { uninitF32 } from '../dtype';
import { ON_HEAP_MAX_BYTES as ON_HEAP_BYTES } from '../tuning';


export function uninitializedFloat32(length: number): Float32Array {
  return uninitF32(length);
}

export function uninitializedInt32(length: number): Int32Array {
  if (length * 4 <= ON_HEAP_BYTES || length * 4 > kMaxLength) return new Int32Array(length);
  return new Int32Array(Buffer.allocUnsafeSlow(length * 4).buffer, 0, length);
}

export function uninitializedUint8(length: number): Uint8Array {
  if (length <= ON_HEAP_BYTES || length > kMaxLength) return new Uint8Array(length);
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}
