/**
 * Each layer type exported by `onnx.export` and run in the real runtime (onnxruntime-node's CPU
 * build): the runtime's outputs must equal kindling's own at float32 tolerance, on the example
 * input and, where the batch axis is declared dynamic, on a batch of another size.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn, type Tensor } from '../../src';
import { CASES } from './cases';
import { expectClose, runOnnx, tempDir } from './helpers';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

function feedsOf(input: Tensor | Tensor[]): Record<string, Tensor> {
  const list = Array.isArray(input) ? input : [input];
  return Object.fromEntries(list.map((t, i) => [i === 0 ? 'input' : `input_${i}`, t]));
}

function outputsOf(out: unknown): Tensor[] {
  return (Array.isArray(out) ? out : [out]).filter((o) => o != null) as Tensor[];
}

describe('onnx.export, each layer type, run in onnxruntime-node', () => {
  CASES.forEach((c, index) => {
    it(c.name, async () => {
      torch.manualSeed(100 + index);
      const model = c.make();
      const input = c.input(2);
      const file = join(dir, `case${index}.onnx`);
      const inputs = Array.isArray(input) ? input : [input];
      const dynamicAxes: Record<string, number[]> = {};
      if (c.dynamic === true) {
        inputs.forEach((_, i) => (dynamicAxes[i === 0 ? 'input' : `input_${i}`] = [0]));
        const count = torch.noGrad(() => outputsOf((model.forward as (...a: Tensor[]) => unknown)(...inputs))).length;
        for (let i = 0; i < count; i++) dynamicAxes[i === 0 ? 'output' : `output_${i}`] = [0];
      }
      torch.onnx.export(model, input, file, { dynamicAxes, opsetVersion: c.opsetVersion });
      const check = async (x: Tensor | Tensor[]): Promise<void> => {
        const expected = torch.noGrad(() => outputsOf((model.forward as (...a: Tensor[]) => unknown)(...(Array.isArray(x) ? x : [x]))));
        const got = await runOnnx(file, feedsOf(x));
        expected.forEach((e, i) => expectClose(got[i === 0 ? 'output' : `output_${i}`], e));
      };
      await check(input);
      if (c.dynamic === true) await check(c.input(5));
    });
  });
});

describe('onnx.export with a dynamic axis that is not the first', () => {
  it('MultiheadAttention, sequence first ([L, N, E]): the batch axis 1 stays free', async () => {
    torch.manualSeed(7);
    const mha = new nn.MultiheadAttention(8, 2).eval();
    const file = join(dir, 'mha-seq-first.onnx');
    const x = torch.randn([5, 2, 8]);
    torch.onnx.export(mha as never, [x, x, x], file, {
      inputNames: ['q', 'k', 'v'],
      outputNames: ['out', 'weights'],
      dynamicAxes: { q: { 1: 'batch' }, k: { 1: 'batch' }, v: { 1: 'batch' }, out: { 1: 'batch' }, weights: { 0: 'batch' } },
    });
    for (const batch of [2, 4]) {
      const y = torch.randn([5, batch, 8]);
      const [out, weights] = torch.noGrad(() => mha.forward(y, y, y));
      const got = await runOnnx(file, { q: y, k: y, v: y });
      expectClose(got.out, out);
      expectClose(got.weights, weights as Tensor);
    }
  });
});

describe('onnx.export leaves the model as it was', () => {
  it('traces under noGrad too, and leaves no gradient, graph or mode change behind', async () => {
    torch.manualSeed(8);
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.Dropout(0.3), new nn.ReLU(), new nn.Linear(3, 2)).eval();
    const x = torch.randn([2, 4]);
    const file = join(dir, 'under-no-grad.onnx');
    torch.noGrad(() => torch.onnx.export(model as never, x, file, { dynamicAxes: { input: [0], output: [0] } }));
    expect(torch.isGradEnabled()).toBe(true);
    expect(x.requiresGrad).toBe(false);
    expect(model.training).toBe(false);
    for (const p of model.parameters()) {
      expect(p.grad).toBeNull();
      expect(p.requiresGrad).toBe(true);
    }
    const y = torch.randn([3, 4]);
    expectClose((await runOnnx(file, { input: y })).output, torch.noGrad(() => model.forward(y)));
  });
});
