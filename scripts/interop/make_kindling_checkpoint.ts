/**
 * Makes the kindling → PyTorch interop fixtures in __test__/fixtures/interop/, with kindling only:
 *
 * - kindling_mlp.safetensors: the seed MLP's stateDict() (torch.manualSeed(0)), saved by torch.save;
 * - kindling_mlp_io.safetensors: a fixed input batch (manualSeed(1), 5×1×28×28 uniform) and
 *   kindling's eval-mode outputs on it;
 * - kindling_adam.safetensors: an Adam optimizer's stateDict() after two steps on that MLP
 *   (tensors as `state.N.exp_avg`, steps and param_groups as JSON in __metadata__).
 *
 * scripts/interop/check_kindling_checkpoint.py loads them with safetensors.torch.load_file and
 * PyTorch. Run from the repository root (after `npm run build`):
 *     npx ts-node scripts/interop/make_kindling_checkpoint.ts
 */
import * as path from 'node:path';
import * as torch from '../../src';
import { MLP } from './seed-mlp';

const OUT = path.join(__dirname, '..', '..', '__test__', 'fixtures', 'interop');

/** Writes the three fixture files into `dir`; returns the eval-mode outputs. */
export function writeKindlingFixtures(dir: string): torch.Tensor {
  torch.manualSeed(0);
  const mlp = new MLP();
  torch.manualSeed(1);
  const inputs = torch.rand(5, 1, 28, 28);

  // Two Adam steps in training mode (dropout on), so the optimizer has state worth saving.
  const optimizer = new torch.optim.Adam(mlp.parameters(), { lr: 1e-3 });
  const targets = torch.tensor([0, 1, 2, 3, 4], { dtype: torch.int64 });
  const snapshot = Object.fromEntries(Object.entries(mlp.stateDict()).map(([k, v]) => [k, v.clone()]));
  for (let step = 0; step < 2; step++) {
    optimizer.zeroGrad();
    new torch.nn.CrossEntropyLoss().forward(mlp.forward(inputs), targets).backward();
    optimizer.step();
  }
  torch.save(optimizer.stateDict(), path.join(dir, 'kindling_adam.safetensors'));

  // The module checkpoint is of the initial weights (the same seed as the PyTorch fixture's).
  mlp.loadStateDict(snapshot);
  mlp.eval();
  const outputs = torch.noGrad(() => mlp.forward(inputs));
  torch.save(mlp.stateDict(), path.join(dir, 'kindling_mlp.safetensors'));
  torch.save({ inputs, outputs }, path.join(dir, 'kindling_mlp_io.safetensors'));
  return outputs;
}

if (require.main === module) {
  const outputs = writeKindlingFixtures(OUT);
  console.log(`wrote kindling_mlp, kindling_mlp_io and kindling_adam; outputs[0, :3] = ${[...outputs.data.slice(0, 3)].join(', ')}`);
}
