/**
 * TFRecord framing, the container of TensorBoard event files. Each record is, little-endian:
 *   uint64 length | uint32 masked CRC-32C of those 8 length bytes | data | uint32 masked CRC-32C of data
 */
import { maskedCrc32c } from './crc32c';

/** The bytes of one framed record holding `data`. */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + 16);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}
