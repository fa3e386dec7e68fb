/** ToTensor's byte table, shared by `transforms.ts` and the datasets' batch builders. */

/**
 * `v / 255` in float32 for every byte (ToTensor's table). Double then single rounding of a
 * quotient is exact here. Exported so datasets can recognise plain ToTensor and use the native
 * division kernel instead of a table walk.
 */
export const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);
