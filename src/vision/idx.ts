/**
 * Reader of IDX files (the format of MNIST and Fashion-MNIST), raw or gzip-compressed, as
 * torchvision's `read_sn3_pascalvincent_tensor`, checking everything a damaged file could get
 * wrong: the magic number, the element type, the number of dimensions and the data length.
 *
 * Layout: bytes 0–1 are zero, byte 2 the element type (0x08 = unsigned byte), byte 3 the number
 * of dimensions d, then d big-endian uint32 sizes, then the elements, row-major.
 * http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE")
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** A file that is not a valid IDX file of the expected kind; `file` is its path. */
export class IdxFormatError extends RangeError {
  override name = 'IdxFormatError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export interface IdxArray {
  /** The elements, row-major. */
  data: Uint8Array;
  shape: number[];
}

const UBYTE = 0x08;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Reads an unsigned-byte IDX file of `expectedDims` dimensions (gzip detected by its magic). */
export function readIdxFile(file: string, expectedDims: number): IdxArray {
  return parseIdx(readBytes(file), file, expectedDims);
}

/** The file's bytes; a file system error (a directory, no permission, …) names the file. */
function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const { code, message } = e as NodeJS.ErrnoException;
    if (typeof code !== 'string') throw e;
    if (code === 'EISDIR') throw new IdxFormatError(file, 'is a directory, not an IDX file');
    throw new IdxFormatError(file, `cannot be read (${message})`);
  }
}

/** Parses the bytes of an IDX file; `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims: number): IdxArray {
  if (bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new IdxFormatError(file, `corrupt gzip data (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4) throw new IdxFormatError(file, `truncated: ${bytes.length} bytes, too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    throw new IdxFormatError(file, `wrong magic number 0x${magic.toString(16).padStart(8, '0')}: not an IDX file`);
  }
  if (bytes[2] !== UBYTE) {
    throw new IdxFormatError(file, `unsupported IDX element type 0x${bytes[2].toString(16).padStart(2, '0')} (expected 0x08, unsigned byte)`);
  }
  const dims = bytes[3];
  if (dims !== expectedDims) throw new IdxFormatError(file, `expected ${expectedDims} dimensions, got ${dims}`);
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(file, `truncated: ${bytes.length} bytes, the header of ${dims} dimensions needs ${headerBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < dims; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const expected = shape.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw new IdxFormatError(file, `truncated: the header declares ${shape.join('×')} = ${expected} bytes of data, the file has ${actual}`);
  }
  if (actual > expected) {
    throw new IdxFormatError(file, `${actual - expected} bytes after the ${shape.join('×')} = ${expected} bytes the header declares`);
  }
  return { data: bytes.subarray(headerBytes), shape };
}
