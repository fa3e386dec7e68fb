import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import * as optim from '../../src/optim';
import { manualSeed } from '../../src/random/generator';
import { Tensor } from '../../src/tensor';
import { MLP } from '../helpers/seed-mlp';

/** Batches of [10, 1, 28, 28] images whose class is written as a bright stripe in row `class`. */
function batch(seed: number): [Tensor, Tensor] {
  const images = new Float32Array(10 * 784);
  const labels = new Int32Array(10);
  for (let i = 0; i < 10; i++) {
    const label = (seed * 7 + i * 3) % 10;
    labels[i] = label;
    for (let c = 0; c < 28; c++) images[i * 784 + label * 2 * 28 + c] = 1;
    for (let k = 0; k < 20; k++) images[i * 784 + ((seed * 131 + i * 17 + k * 37) % 784)] += 0.5;
  }
  return [new Tensor(images, [10, 1, 28, 28]), new Tensor(labels, [10], 'int32')];
}

describe('the seed training loop', () => {
  it('drives the loss down with Adam, and the trained model classifies in eval mode', () => {
    manualSeed(42);
    const mlp = new MLP();
    const lossFunction = new nn.CrossEntropyLoss();
    const optimizer = new optim.Adam(mlp.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const [inputs, targets] = batch(i);
      optimizer.zeroGrad();
      const outputs = mlp.forward(inputs);
      const loss = lossFunction.forward(outputs, targets);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    const first = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
    const last = losses.slice(-10).reduce((a, b) => a + b) / 10;
    expect(first).toBeGreaterThan(2);
    expect(last).toBeLessThan(0.5 * first);
    expect(optimizer.state.get(mlp.parameters()[0])?.step).toBe(150);

    mlp.eval();
    const [inputs, targets] = batch(1000);
    const logits = mlp.forward(inputs);
    let correct = 0;
    for (let i = 0; i < 10; i++) {
      const row = Array.from(logits.data.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === targets.data[i]) correct++;
    }
    expect(correct).toBeGreaterThanOrEqual(8);
  });
});
