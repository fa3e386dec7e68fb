/**
 * The MNIST example's Net (examples/mnist-cnn.ts) against PyTorch over 20 Adadelta steps
 * (`__test__/fixtures/mnist_cnn.json`, scripts/fixtures/make_cnn_fixtures.py): the same initial
 * weights (from the script's formula), one fixed batch of 8 images, dropout off. Losses are held
 * to rtol 1e-4 (about 30 float32 ulps: 20 steps of two convolutions, pooling and two linear layers
 * summed in a different order than oneDNN's compound that far, and no further), parameter sums to
 * rtol 1e-3 of their magnitude.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn, optim, type Tensor } from '../../src';
import { loadFixture } from '../helpers/fixtures';

const F = nn.functional;
const fixture = loadFixture<{ losses: number[]; parameterSums: Record<string, number> }>('mnist_cnn');

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);

  forward(x: Tensor): Tensor {
    x = F.relu(this.conv1.forward(x));
    x = F.relu(this.conv2.forward(x));
    x = this.dropout1.forward(F.maxPool2d(x, 2));
    x = this.dropout2.forward(F.relu(this.fc1.forward(torch.flatten(x, 1))));
    return F.logSoftmax(this.fc2.forward(x), 1);
  }
}

describe('the MNIST CNN against PyTorch, 20 Adadelta steps', () => {
  it('gives PyTorch\'s losses from PyTorch\'s initial weights', () => {
    const model = new Net();
    const fanIn: Record<string, number> = { conv1: 9, conv2: 288, fc1: 9216, fc2: 128 };
    const named = model.namedParameters();
    named.forEach(([name, p], t) => {
      const d = p.data as Float32Array;
      const scale = 1 / Math.sqrt(fanIn[name.split('.')[0]]);
      for (let j = 0; j < d.length; j++) d[j] = Math.sin(0.7 * j + 1.3 * t) * scale;
    });
    const xs = new Float32Array(8 * 784);
    for (let j = 0; j < xs.length; j++) xs[j] = Math.sin(0.013 * j);
    const x = torch.tensor(xs).reshape([8, 1, 28, 28]);
    const y = torch.tensor([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    const optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0 });
    model.eval();
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      optimizer.zeroGrad();
      const loss = F.nllLoss(model.forward(x), y);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    losses.forEach((l, i) => expect(Math.abs(l - fixture.losses[i])).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(fixture.losses[i]), 1e-2)));
    for (const [name, p] of named) {
      const sum = Array.from(p.data).reduce((a, b) => a + b, 0);
      const want = fixture.parameterSums[name];
      const magnitude = Array.from(p.data).reduce((a, b) => a + Math.abs(b), 0);
      expect(Math.abs(sum - want)).toBeLessThanOrEqual(1e-3 * magnitude);
    }
  });
});
