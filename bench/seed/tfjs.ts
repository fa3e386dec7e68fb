/**
 * The seed workload on TensorFlow.js (`--backend cpu|wasm`): MLP 784-64-32-10 with Dropout(0.5)
 * after each hidden layer, softmax cross-entropy, Adam lr 1e-4 (eps 1e-8 as in PyTorch), batch 10,
 * shuffled, a custom loop with `optimizer.minimize` per step, then test accuracy.
 * BENCH_STEPS=n (or `--steps n`) stops after n steps and extrapolates the epoch time.
 */
import { arg, permutation, report, stepsCap } from '../lib/child';
import { loadMnist } from '../lib/mnist';
import { loadTf, TfBackend, torchLikeDense } from '../lib/tfjs-backend';

const BATCH = 10;

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as TfBackend;
  const { tf, threads } = await loadTf(backend);
  const train = loadMnist('train');
  const test = loadMnist('test');
  const epochSteps = Math.ceil(train.count / BATCH);
  const steps = Math.min(Number(arg('steps', String(epochSteps))), stepsCap(epochSteps));

  const model = tf.sequential({
    layers: [
      torchLikeDense(tf, 784, 64),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.reLU(),
      torchLikeDense(tf, 64, 32),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.reLU(),
      torchLikeDense(tf, 32, 10),
    ],
  });
  const optimizer = tf.train.adam(1e-4, 0.9, 0.999, 1e-8);
  const order = permutation(train.count, 42);
  const xBatch = new Float32Array(BATCH * 784);
  const yBatch = new Int32Array(BATCH);

  let lossSum = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let step = 0; step < steps; step++) {
    const n = Math.min(BATCH, train.count - step * BATCH);
    for (let r = 0; r < n; r++) {
      const i = order[step * BATCH + r];
      xBatch.set(train.images.subarray(i * 784, (i + 1) * 784), r * 784);
      yBatch[r] = train.labels[i];
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(xBatch.subarray(0, n * 784), [n, 784]);
      const y = tf.oneHot(tf.tensor1d(yBatch.subarray(0, n), 'int32'), 10);
      return optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as import('@tensorflow/tfjs').Tensor;
        return tf.losses.softmaxCrossEntropy(y, logits);
      }, true) as import('@tensorflow/tfjs').Scalar;
    });
    lossSum += (await loss.data())[0]; // the seed reads loss.item() every step
    loss.dispose();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  let accuracy: number | null = null;
  if (steps === epochSteps) {
    const predicted = tf.tidy(() => (model.predict(tf.tensor2d(test.images, [test.count, 784])) as import('@tensorflow/tfjs').Tensor).argMax(1));
    const labels = await predicted.data();
    let correct = 0;
    for (let i = 0; i < test.count; i++) if (labels[i] === test.labels[i]) correct++;
    accuracy = correct / test.count;
  }

  report({
    system: `tfjs ${tf.version.tfjs} (${backend})`,
    threads,
    steps,
    epochSteps,
    seconds,
    cpuSeconds,
    epochSeconds: (seconds * epochSteps) / steps,
    extrapolated: steps !== epochSteps,
    testAccuracy: accuracy,
    meanLoss: lossSum / steps,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
