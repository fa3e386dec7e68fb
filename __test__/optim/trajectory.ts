import * as nn from '../../src/nn';
import type { Optimizer } from '../../src/optim';
import { Tensor } from '../../src/tensor';

/**
 * The toy problem behind the optimizer tests: p (4 values) and q (2×2) under
 * loss = 0.5·Σp² + Σq³, whose gradients are p and 3q². Gradients are written straight into `.grad`
 * (no autograd), so these tests check the optimizer alone.
 *
 * The expected numbers come from PyTorch 2.15:
 *   p = nn.Parameter(torch.tensor([1.0, -2.0, 3.0, 0.5]))
 *   q = nn.Parameter(torch.tensor([[0.1, 0.2], [-0.3, 0.4]]))
 *   opt = Optimizer([p, q], **options)
 *   for _ in range(3):
 *       opt.zero_grad(); ((p**2).sum()*0.5 + (q**3).sum()).backward(); opt.step()
 *   print(p.flatten().tolist() + q.flatten().tolist())
 */
export function toyParams(): [nn.Parameter, nn.Parameter] {
  return [
    new nn.Parameter(new Tensor(Float32Array.from([1.0, -2.0, 3.0, 0.5]), [4])),
    new nn.Parameter(new Tensor(Float32Array.from([0.1, 0.2, -0.3, 0.4]), [2, 2])),
  ];
}

export function runToy(optimizer: Optimizer<{ lr: number }, object>, p: nn.Parameter, q: nn.Parameter, steps = 3): number[] {
  for (let t = 0; t < steps; t++) {
    optimizer.zeroGrad();
    p.grad = new Tensor(Float32Array.from(p.data), [4]);
    q.grad = new Tensor(Float32Array.from(q.data, (v) => 3 * v * v), [2, 2]);
    optimizer.step();
  }
  return [...p.data, ...q.data];
}
