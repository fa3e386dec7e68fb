/**
 * The MNIST CNN workload on TensorFlow.js (`--backend wasm|cpu`): pytorch/examples mnist/main.py's
 * Net in tfjs ops — conv 1→32 3×3, ReLU, conv 32→64 3×3, ReLU, 2×2 max pool, dropout 0.25,
 * flatten (9216), dense 128, ReLU, dropout 0.5, dense 10 — initialised like PyTorch (uniform
 * ±1/√fan_in for weights and biases), softmax cross-entropy on the logits (= logSoftmax + nllLoss,
 * mean), Adadelta lr 1.0 with PyTorch's rho 0.9 and eps 1e-6, batch 64, no shuffle. tfjs lays
 * images out NHWC (its wasm backend has no NCHW convolution); the FLOPs are the same. The layers
 * API is not used because its conv2d needs a kernel the wasm backend lacks (`trainableConv2d`).
 *
 * ms per training step: the median over BENCH_STEPS (default 30) after 3 warm-up steps; each step
 * reads the loss back, as the kindling and PyTorch loops do with `loss.item()`.
 */
import type * as tfType from '@tensorflow/tfjs';
import { arg, report } from '../lib/child';
import { loadMnist } from '../lib/mnist';
import { loadTf, TfBackend } from '../lib/tfjs-backend';

const BATCH = 64;
const WARMUP = 3;

/**
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` kernel (its Conv2D and
 * Conv2DBackpropInput exist), so a plain `tf.conv2d` cannot be trained there. This convolution
 * (stride 1, no padding, as the Net's) gives its gradients through kernels the backend has: the
 * input's is `conv2dTranspose`; the filter's, dW[kh, kw, ci, co] = Σ_{n,oh,ow} x[n, oh+kh,
 * ow+kw, ci] · dy[n, oh, ow, co], is itself a valid convolution of x with channels and batch
 * swapped ([ci, H, W, n]) by dy as the filter ([oh, ow, n, co]), transposed back.
 */
function trainableConv2d(tf: typeof tfType): (x: tfType.Tensor4D, w: tfType.Tensor4D) => tfType.Tensor4D {
  return tf.customGrad((x, w, save) => {
    const [xs, ws] = [x as tfType.Tensor4D, w as tfType.Tensor4D];
    (save as (tensors: tfType.Tensor[]) => void)([xs, ws]);
    return {
      value: tf.conv2d(xs, ws, 1, 'valid'),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as tfType.Tensor4D[];
        const g = dy as tfType.Tensor4D;
        const dx = tf.conv2dTranspose(g, sw, sx.shape, 1, 'valid');
        const dw = tf.conv2d(sx.transpose([3, 1, 2, 0]) as tfType.Tensor4D, g.transpose([1, 2, 0, 3]) as tfType.Tensor4D, 1, 'valid').transpose([1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  }) as (x: tfType.Tensor4D, w: tfType.Tensor4D) => tfType.Tensor4D;
}

/** PyTorch's default init for a layer with `fanIn` inputs: weights and biases uniform in ±1/√fanIn. */
function torchInit(tf: typeof tfType, shape: number[], fanIn: number): tfType.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -bound, bound));
}

/** The Net as a function of its variables (HWIO filters, [in, out] dense kernels). */
function net(tf: typeof tfType): { forward: (x: tfType.Tensor4D) => tfType.Tensor2D; variables: tfType.Variable[] } {
  const conv = trainableConv2d(tf);
  const w1 = torchInit(tf, [3, 3, 1, 32], 9);
  const b1 = torchInit(tf, [32], 9);
  const w2 = torchInit(tf, [3, 3, 32, 64], 288);
  const b2 = torchInit(tf, [64], 288);
  const w3 = torchInit(tf, [9216, 128], 9216);
  const b3 = torchInit(tf, [128], 9216);
  const w4 = torchInit(tf, [128, 10], 128);
  const b4 = torchInit(tf, [10], 128);
  const forward = (input: tfType.Tensor4D): tfType.Tensor2D => {
    let x = tf.relu(conv(input, w1 as tfType.Variable<tfType.Rank.R4>).add(b1)) as tfType.Tensor4D;
    x = tf.relu(conv(x, w2 as tfType.Variable<tfType.Rank.R4>).add(b2)) as tfType.Tensor4D;
    x = tf.dropout(tf.maxPool(x, 2, 2, 'valid'), 0.25) as tfType.Tensor4D;
    let h = x.reshape([x.shape[0], 9216]) as tfType.Tensor2D;
    h = tf.dropout(tf.relu(h.matMul(w3 as tfType.Variable<tfType.Rank.R2>).add(b3)), 0.5) as tfType.Tensor2D;
    return h.matMul(w4 as tfType.Variable<tfType.Rank.R2>).add(b4) as tfType.Tensor2D;
  };
  return { forward, variables: [w1, b1, w2, b2, w3, b3, w4, b4] };
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as TfBackend;
  const { tf, threads } = await loadTf(backend);
  const train = loadMnist('train');
  const steps = Number(process.env.BENCH_STEPS ?? 30);
  const model = net(tf);
  const optimizer = tf.train.adadelta(1.0, 0.9, 1e-6);
  // Normalize((0.1307,), (0.3081,)), as the other systems feed the network.
  const x = new Float32Array(BATCH * 784);
  const y = new Int32Array(BATCH);
  const times: number[] = [];
  for (let step = 0; step < steps + WARMUP; step++) {
    const first = (step * BATCH) % (train.count - BATCH);
    for (let k = 0; k < BATCH * 784; k++) x[k] = (train.images[first * 784 + k] - 0.1307) / 0.3081;
    y.set(train.labels.subarray(first, first + BATCH));
    const start = process.hrtime.bigint();
    const loss = tf.tidy(() => {
      const xs = tf.tensor4d(x, [BATCH, 28, 28, 1]);
      const ys = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.forward(xs)), true, model.variables) as tfType.Scalar;
    });
    await loss.data();
    loss.dispose();
    if (step >= WARMUP) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  report({ system: `tfjs ${tf.version.tfjs} (${backend})`, threads, steps: times.length, msPerStep: times[times.length >> 1], msBest: times[0] });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
