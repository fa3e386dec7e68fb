/**
 * The seed program's MLP against PyTorch (`__test__/fixtures/seed_mlp.json`): PyTorch's initial
 * weights (torch.manual_seed(0)) loaded with `loadStateDict`, dropout off (`eval()`), 50 steps of
 * Adam (lr 1e-4) with CrossEntropyLoss on 10 fixed synthetic batches of 10 1×28×28 images, cycled.
 * The 50 losses must match PyTorch's, and so must the first step's logits and gradients and the
 * final weights of the two small layers.
 *
 * Tolerance: rtol 1e-5 / atol 1e-6 throughout. Re-running PyTorch's run in float64 moves the losses
 * by at most 1.4e-7 relative, so float32 rounding differences leave ~70× headroom; the first-layer
 * gradient sums 10 samples, and the final weights carry 50 Adam steps of lr 1e-4 (|Δw| ≤ 5e-3).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type EncodedTensor, decode, expectClose, loadFixture, toTensor } from '../helpers/fixtures';
import { MLP } from '../helpers/seed-mlp';

const { nn } = torch;

interface SeedFixture {
  torch: string;
  repr: string;
  state_dict_keys: string[];
  parameter_shapes: Record<string, number[]>;
  initial_state_dict: Record<string, EncodedTensor>;
  pixels: EncodedTensor;
  targets: EncodedTensor;
  first_logits: EncodedTensor;
  first_grads: Record<string, EncodedTensor>;
  losses: number[];
  final_state_dict_small: Record<string, EncodedTensor>;
}

const fx = loadFixture<SeedFixture>('seed_mlp');
const TOL = { rtol: 1e-5, atol: 1e-6 };
const IMAGE = 28 * 28;

/** Batch b of the fixture: pixels / 255 as float32 (PyTorch's `u8.float() / 255` is exact IEEE division). */
function batch(b: number): [torch.Tensor, torch.Tensor] {
  const pixels = decode(fx.pixels) as Uint8Array;
  const x = new Float32Array(10 * IMAGE);
  for (let i = 0; i < x.length; i++) x[i] = pixels[b * 10 * IMAGE + i] / 255;
  const targets = (decode(fx.targets) as BigInt64Array).slice(b * 10, b * 10 + 10);
  return [
    toTensor({ shape: [10, 1, 28, 28], dtype: 'float32', base64: Buffer.from(x.buffer).toString('base64') }),
    toTensor({ shape: [10], dtype: 'int64', base64: Buffer.from(targets.buffer).toString('base64') }),
  ];
}

function loadedMlp(): MLP {
  const mlp = new MLP();
  const sd: Record<string, torch.Tensor> = {};
  for (const [k, v] of Object.entries(fx.initial_state_dict)) sd[k] = toTensor(v);
  mlp.loadStateDict(sd);
  return mlp;
}

describe('seed MLP matches PyTorch', () => {
  it("has PyTorch's state_dict keys, parameter shapes and repr", () => {
    const mlp = new MLP();
    const sd = mlp.stateDict();
    expect(Object.keys(sd)).toEqual(fx.state_dict_keys);
    for (const [k, shape] of Object.entries(fx.parameter_shapes)) expect(sd[k].shape, k).toEqual(shape);
    expect([...mlp.parameters()].length).toBe(6);
    expect(String(mlp)).toBe(fx.repr);
  });

  it('loadStateDict puts in exactly PyTorch’s initial weights', () => {
    const sd = loadedMlp().stateDict();
    for (const [k, v] of Object.entries(fx.initial_state_dict)) expectClose(sd[k], v, { rtol: 0, atol: 0, label: `seed_mlp ${k}` });
  });

  it('trains 50 Adam steps in eval mode with the same losses', () => {
    const mlp = loadedMlp();
    mlp.eval();
    const lossFunction = new nn.CrossEntropyLoss();
    const optimizer = new torch.optim.Adam(mlp.parameters(), { lr: 1e-4 });
    const params = new Map(mlp.namedParameters());
    const losses: number[] = [];
    for (let step = 0; step < 50; step++) {
      const [inputs, targets] = batch(step % 10);
      optimizer.zeroGrad();
      const outputs = mlp.forward(inputs);
      const loss = lossFunction.forward(outputs, targets);
      loss.backward();
      if (step === 0) {
        expectClose(outputs, fx.first_logits, { ...TOL, label: 'seed_mlp step 1 logits' });
        for (const [k, g] of Object.entries(fx.first_grads)) expectClose(params.get(k)!.grad!, g, { ...TOL, label: `seed_mlp step 1 grad of ${k}` });
      }
      optimizer.step();
      losses.push(loss.item());
    }
    expectClose(losses, fx.losses, { ...TOL, label: `seed_mlp losses over 50 steps\n${fx.torch}` });
    const sd = mlp.stateDict();
    for (const [k, v] of Object.entries(fx.final_state_dict_small)) expectClose(sd[k], v, { ...TOL, label: `seed_mlp final ${k}` });
  });
});
