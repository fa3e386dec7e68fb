/**
 * Loads TensorFlow.js with the `cpu` (pure JS) or `wasm` backend. The wasm binaries ship inside
 * the `@tensorflow/tfjs-backend-wasm` package and are read from node_modules: nothing is fetched.
 */
import type * as tfType from '@tensorflow/tfjs';

export type TfBackend = 'cpu' | 'wasm';

export async function loadTf(backend: TfBackend): Promise<{ tf: typeof tfType; threads: number }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as typeof tfType;
  let threads = 1;
  if (backend === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    threads = wasm.getThreadsCount();
  } else {
    await tf.setBackend('cpu');
  }
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`tfjs: backend '${backend}' did not load (got ${tf.getBackend()})`);
  return { tf, threads };
}

/**
 * A Dense layer initialised like torch.nn.Linear: weight and bias uniform in ±1/√fan_in (PyTorch's
 * kaiming_uniform with a = √5 is exactly that), so accuracies after one epoch are comparable.
 */
export function torchLikeDense(
  tf: typeof tfType,
  inputs: number,
  units: number,
  activation?: 'relu',
): tfType.layers.Layer {
  const bound = 1 / Math.sqrt(inputs);
  return tf.layers.dense({
    inputShape: [inputs],
    units,
    activation,
    kernelInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound }),
    biasInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound }),
  });
}
