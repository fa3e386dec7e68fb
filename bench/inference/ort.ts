/**
 * onnxruntime-node (its CPU build, from npm) on the file kindling exported: one `session.run`
 * per call, awaited and timed, as a Node server would call it. Threads: `--threads` intra-op
 * (as KINDLING_NUM_THREADS and PyTorch's set_num_threads), one inter-op, all graph optimisations.
 *
 *   node inference/ort.js --file model.onnx --model mlp|cnn --batch 1|64 --threads 2
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { arg, report } from '../lib/child';
import { callsFor, latencyOf } from './latency';

async function main(): Promise<void> {
  const file = arg('file', '');
  const modelName = arg('model', 'mlp');
  const batch = Number(arg('batch', '1'));
  const threads = Number(arg('threads', '2'));
  const session = await InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
  const data = new Float32Array(batch * 28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) * 0.5;
  const feeds = { input: new Tensor('float32', data, [batch, 1, 28, 28]) };
  const { warmup, calls } = callsFor(modelName, batch);
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  await session.release();
  report({ ...latencyOf(ms), threads });
}

void main();
