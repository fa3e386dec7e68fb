/**
 * The wide workload's model, shared by bench/wide/kindling.ts and bench/distributed/step.ts: MLP
 * 784-1024-1024-10 with Dropout(0.5) after each hidden ReLU (PyTorch's and TensorFlow.js's
 * versions in wide/pytorch.py and wide/tfjs.ts have the same layers).
 */
import { nn } from 'kindling';

export function wideMLP(): nn.Sequential {
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 1024),
    new nn.ReLU(),
    new nn.Dropout(0.5),
    new nn.Linear(1024, 1024),
    new nn.ReLU(),
    new nn.Dropout(0.5),
    new nn.Linear(1024, 10),
  );
}
