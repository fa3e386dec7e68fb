/**
 * kindling's own inference: the seed MLP (examples/seed-mlp.ts) or the MNIST CNN
 * (examples/mnist-cnn.ts's Net) in eval mode under noGrad, one forward per call, each timed.
 * `--export <file>` first writes the model to ONNX (`torch.onnx.export`, dynamic batch) for the
 * onnxruntime child, which loads the same weights. Threads: KINDLING_NUM_THREADS.
 *
 *   node inference/kindling.js --model mlp|cnn --batch 1|64 [--export model.onnx]
 */
import * as torch from 'kindling';
import { nn, type Tensor } from 'kindling';
import { Net } from '../../examples/mnist-cnn';
import { seedMLP } from '../../examples/seed-mlp';
import { arg, report } from '../lib/child';
import { callsFor, latencyOf } from './latency';

const modelName = arg('model', 'mlp');
const batch = Number(arg('batch', '1'));
const file = arg('export', '');

torch.manualSeed(0);
const MLP = seedMLP(nn);
const model = (modelName === 'cnn' ? new Net() : new MLP()) as unknown as nn.Module<[Tensor], Tensor>;
model.eval();
if (file !== '') {
  torch.onnx.export(model as never, torch.randn([1, 1, 28, 28]), file, { dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } });
}
const x = torch.randn([batch, 1, 28, 28]);
const { warmup, calls } = callsFor(modelName, batch);
const ms: number[] = [];
torch.noGrad(() => {
  for (let i = 0; i < warmup; i++) model.forward(x);
  for (let i = 0; i < calls; i++) {
    const t = process.hrtime.bigint();
    model.forward(x);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
});
report({ ...latencyOf(ms), threads: torch.getNumThreads() });
