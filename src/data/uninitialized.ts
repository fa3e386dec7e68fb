/**
 * Typed arrays whose every element the caller is about to overwrite (a gathered batch, a copy
 * out of a worker's slot). `new Float32Array(n)` zero-fills its memory first — for a batch of
 * ten MNIST images (31 KB) that costs ~2–3 µs more than an uninitialised block from
 * `Buffer.allocUnsafeSlow` (its own ArrayBuffer, exactly `n` elements, offset 0, never pooled).
 * Arrays of at most 64 bytes live on V8's heap and are cheaper zeroed, so they are allocated as usual.
 * Never hand one out before every element has been written.
 */

/** Typed arrays up to this many bytes are allocated on the JS heap (V8's on-heap limit). */
const ON_HEAP_BYTES = 64;

export function uninitializedFloat32(length: number): Float32Array {
  if (length * 4 <= ON_HEAP_BYTES) return new Float32Array(length);
  return new Float32Array(Buffer.allocUnsafeSlow(length * 4).buffer, 0, length);
}

export function uninitializedInt32(length: number): Int32Array {
  if (length * 4 <= ON_HEAP_BYTES) return new Int32Array(length);
  return new Int32Array(Buffer.allocUnsafeSlow(length * 4).buffer, 0, length);
}

export function uninitializedUint8(length: number): Uint8Array {
  if (length <= ON_HEAP_BYTES) return new Uint8Array(length);
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}
