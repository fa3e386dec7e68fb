/**
 * The wide workload on TensorFlow.js (`--backend cpu|wasm`): MLP 784-1024-1024-10 with Dropout(0.5)
 * after each hidden ReLU, softmax cross-entropy, Adam lr 1e-3 (eps 1e-8), batch 256 gathered by a
 * shuffled index, `optimizer.minimize` per step; samples/s over `--steps` after `--warmup`.
 */
import type * as tfType from '@tensorflow/tfjs';
import { arg, permutation, report, stepsCap } from '../lib/child';
import { loadMnist } from '../lib/mnist';
import { loadTf, TfBackend, torchLikeDense } from '../lib/tfjs-backend';

const BATCH = 256;

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as TfBackend;
  const steps = stepsCap(Number(arg('steps', '200')));
  const warmup = Number(arg('warmup', '10'));
  const { tf, threads } = await loadTf(backend);
  const train = loadMnist('train');

  const model = tf.sequential({
    layers: [
      torchLikeDense(tf, 784, 1024, 'relu'),
      tf.layers.dropout({ rate: 0.5 }),
      torchLikeDense(tf, 1024, 1024, 'relu'),
      tf.layers.dropout({ rate: 0.5 }),
      torchLikeDense(tf, 1024, 10),
    ],
  });
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const order = permutation(train.count, 42);
  const batchesPerEpoch = Math.floor(train.count / BATCH);
  const xBatch = new Float32Array(BATCH * 784);
  const yBatch = new Int32Array(BATCH);

  const step = async (i: number): Promise<number> => {
    const b = i % batchesPerEpoch;
    for (let r = 0; r < BATCH; r++) {
      const k = order[b * BATCH + r];
      xBatch.set(train.images.subarray(k * 784, (k + 1) * 784), r * 784);
      yBatch[r] = train.labels[k];
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(xBatch, [BATCH, 784]);
      const y = tf.oneHot(tf.tensor1d(yBatch, 'int32'), 10);
      return optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tfType.Tensor),
        true,
      ) as tfType.Scalar;
    });
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  };

  for (let i = 0; i < warmup; i++) await step(i);
  let lossSum = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) lossSum += await step(warmup + i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  report({
    system: `tfjs ${tf.version.tfjs} (${backend})`,
    threads,
    steps,
    warmup,
    seconds,
    cpuSeconds,
    samplesPerSecond: (steps * BATCH) / seconds,
    meanLoss: lossSum / steps,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
