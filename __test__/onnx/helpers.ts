/**
 * Runs exported files in the real runtime (onnxruntime-node's CPU build) and compares with
 * kindling's own outputs at float32 tolerance.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { expect } from 'vitest';
/** A tensor of src/ or of the built package (dist/), which the example models use. */
interface Tensor {
  readonly shape: readonly number[];
  readonly dtype: string;
  contiguous(): { data: unknown };
}

/** A fresh temp folder for exported files, and its removal. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-onnx-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The runtime's outputs for `feeds` (input name → kindling tensor), by output name. */
export async function runOnnx(path: string, feeds: Record<string, Tensor>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await InferenceSession.create(path);
  const inputs: Record<string, OrtTensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    const type = t.dtype === 'int64' ? 'int64' : t.dtype === 'int32' ? 'int32' : t.dtype === 'bool' ? 'bool' : 'float32';
    inputs[name] = new OrtTensor(type, t.contiguous().data as Float32Array, t.shape);
  }
  const out = await session.run(inputs);
  const result: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [name, v] of Object.entries(out)) result[name] = { data: v.data as Float32Array, dims: v.dims };
  await session.release();
  return result;
}

/** Every element within `atol + rtol·|expected|` (float32 tolerance), and the same shape. */
export function expectClose(actual: { data: Float32Array; dims: readonly number[] }, expected: Tensor, atol = 1e-5, rtol = 1e-4): void {
  expect([...actual.dims]).toEqual([...expected.shape]);
  const e = expected.contiguous().data as Float32Array;
  expect(actual.data.length).toBe(e.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const [got, want] = [Number(actual.data[i]), Number(e[i])]; // integer outputs come as BigInt64Array
    const excess = Math.abs(got - want) - (atol + rtol * Math.abs(want));
    if (!(excess <= worst)) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      at = i;
    }
  }
  if (at >= 0) expect.fail(`element ${at}: onnxruntime ${actual.data[at]}, kindling ${e[at]} (beyond tolerance by ${worst})`);
}
