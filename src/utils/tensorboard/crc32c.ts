/**
 * CRC-32C (Castagnoli), the checksum of TFRecord framing, and TensorFlow's "masked" form of it.
 * Table-driven, one byte at a time: records are small (a few hundred bytes per event), so a
 * faster slicing variant would not show.
 */

/** The reflected Castagnoli polynomial 0x1EDC6F41. */
const POLY = 0x82f63b78;

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of `data`, as an unsigned 32-bit integer (crc32c("123456789") = 0xE3069283). */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * TensorFlow's masked CRC (tsl/lib/hash/crc32c.h): rotate right by 15 and add a constant, so that
 * a CRC computed over data that itself holds CRCs does not degenerate.
 */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}
