/** The seed program's MLP (/work/shared/seed/SEED.md), shared by the interop script and tests. */
import * as torch from '../../src';

const { nn } = torch;

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

  forward(x: torch.Tensor): torch.Tensor {
    return this.layers.forward(x);
  }
}
