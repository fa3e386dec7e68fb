/**
 * The issue's three models exported and served by onnxruntime-node: the seed MLP
 * (examples/seed-mlp.ts), the MNIST CNN (examples/mnist-cnn.ts's Net) and a one-block GPT
 * (examples/gpt-model.ts), each in eval mode, compared with kindling's outputs at float32
 * tolerance on the example batch and on a batch of another size (the batch axis declared
 * dynamic). The files' structure is checked too: PyTorch's parameter names as initializers, the
 * default opset, the ops each model maps to.
 *
 * The example files import `kindling`, so this test runs the built package (dist/, made by
 * `npm run build`), like __test__/parity/gpt.spec.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from 'kindling';
import { nn, type Tensor } from 'kindling';
import { afterAll, describe, expect, it } from 'vitest';
import { GPT } from '../../examples/gpt-model';
import { Net } from '../../examples/mnist-cnn';
import { seedMLP } from '../../examples/seed-mlp';
import { modelProtoType } from '../../src/onnx/proto';
import { expectClose, runOnnx, tempDir } from './helpers';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

type AnyModel = nn.Module<never[], unknown>;
const DYNAMIC = { input: { 0: 'batch' }, output: { 0: 'batch' } };

interface Decoded {
  ir_version: number;
  opset_import: Array<{ domain: string; version: number }>;
  graph: {
    node: Array<{ op_type: string }>;
    initializer: Array<{ name: string; dims: number[] }>;
    input: Array<{ name: string; type: { tensor_type: { shape: { dim: Array<{ dim_value?: number; dim_param?: string }> } } } }>;
  };
}

function decode(file: string): Decoded {
  const m = modelProtoType().decode(readFileSync(file));
  return modelProtoType().toObject(m, { longs: Number, defaults: false }) as Decoded;
}

/** Exports `model`, then checks the runtime against kindling on each batch. */
async function roundTrip(name: string, model: AnyModel, batches: Tensor[]): Promise<Decoded> {
  const file = join(dir, `${name}.onnx`);
  torch.onnx.export(model, batches[0], file, { dynamicAxes: DYNAMIC });
  for (const x of batches) {
    const expected = torch.noGrad(() => (model.forward as (x: Tensor) => Tensor)(x));
    const got = await runOnnx(file, { input: x });
    expectClose(got.output, expected);
  }
  return decode(file);
}

const stateKeys = (m: nn.Module): string[] => Object.keys(m.stateDict()).sort();
/** The initializers that are not the trace's constants (shapes, axes). */
const stateInitializers = (d: Decoded): string[] => d.graph.initializer.map((i) => i.name).filter((n) => !n.startsWith('onnx::')).sort();
const opTypes = (d: Decoded): string[] => [...new Set(d.graph.node.map((n) => n.op_type))].sort();

describe('onnx.export of the issue models, served by onnxruntime-node', () => {
  it('the seed MLP (Flatten, Linear, Dropout, ReLU), batch 10 then 1 and 64', async () => {
    torch.manualSeed(1);
    const MLP = seedMLP(nn);
    const model = new MLP().eval() as unknown as AnyModel;
    const d = await roundTrip('seed-mlp', model, [torch.randn([10, 1, 28, 28]), torch.randn([1, 1, 28, 28]), torch.randn([64, 1, 28, 28])]);
    expect(stateInitializers(d)).toEqual(stateKeys(model as unknown as nn.Module));
    expect(opTypes(d)).toEqual(['Gemm', 'Relu', 'Reshape']);
    expect(d.opset_import).toEqual([{ domain: '', version: 20 }]);
    expect(d.ir_version).toBe(9);
    expect(d.graph.input[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'batch' }, { dim_value: 1 }, { dim_value: 28 }, { dim_value: 28 }]);
  });

  it("the MNIST CNN's Net (Conv2d, ReLU, MaxPool, Dropout, Flatten, Linear, LogSoftmax)", async () => {
    torch.manualSeed(2);
    const model = new Net().eval() as unknown as AnyModel;
    const d = await roundTrip('mnist-cnn', model, [torch.randn([4, 1, 28, 28]), torch.randn([1, 1, 28, 28]), torch.randn([9, 1, 28, 28])]);
    expect(stateInitializers(d)).toEqual(stateKeys(model as unknown as nn.Module));
    expect(opTypes(d)).toEqual(['Conv', 'Gemm', 'LogSoftmax', 'MaxPool', 'Relu', 'Reshape']);
  });

  it('a one-block GPT (Embedding, LayerNorm, causal attention, GELU MLP, tied-free head)', async () => {
    torch.manualSeed(3);
    const model = new GPT({ vocabSize: 30, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0.1 }).eval() as unknown as AnyModel;
    const idx = (b: number): Tensor => torch.randint(0, 30, [b, 12], { dtype: 'int64' });
    const d = await roundTrip('gpt', model, [idx(2), idx(1), idx(5)]);
    expect(stateInitializers(d)).toEqual(stateKeys(model as unknown as nn.Module));
    expect(opTypes(d)).toEqual(expect.arrayContaining(['Gather', 'LayerNormalization', 'MatMul', 'Softmax', 'Gelu', 'Transpose', 'Reshape', 'Slice']));
  });

  it("refuses a dynamic sequence axis on the GPT: its positions, arange(T), are a constant of the trace", () => {
    torch.manualSeed(4);
    const model = new GPT({ vocabSize: 30, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0 }).eval() as unknown as AnyModel;
    const file = join(dir, 'gpt-seq.onnx');
    expect(() => torch.onnx.export(model, torch.randint(0, 30, [2, 12], { dtype: 'int64' }), file, { dynamicAxes: { input: { 0: 'batch', 1: 'seq' } } })).toThrow(
      new torch.onnx.OnnxExportError(
        "onnx.export: a tensor not computed from the inputs (a constant of the trace, shape [12]) changes size with the dynamic axes, so the file could not follow them; compute it from the inputs or keep that axis static (in module 'wpe')",
      ),
    );
  });
});
