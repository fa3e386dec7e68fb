/**
 * The seed program's model, written as /work/shared/seed/SEED.md writes it (submodules assigned
 * as class fields), shared by the tests that train or inspect it. The benchmarks keep their own
 * copy on purpose: each is the seed program line for line.
 */
import { nn, type Tensor } from '../../src';

export class MLP extends nn.Module {
  layers = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(28 * 28 * 1, 64),
    new nn.Dropout(0.5),
    new nn.ReLU(),
    new nn.Linear(64, 32),
    new nn.Dropout(0.5),
    new nn.ReLU(),
    new nn.Linear(32, 10),
  );

  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}
