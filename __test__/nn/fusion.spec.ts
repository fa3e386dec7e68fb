import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn, optim, Tensor } from '../../src';
import { fusedBlockAt, fusion } from '../../src/nn/fusion';
import { MLP } from '../helpers/seed-mlp';

afterEach(() => {
  fusion.enabled = true;
  torch.setDetectAnomaly(false);
});

function seedMlp(): nn.Sequential {
  return new MLP().layers;
}

function bits(t: Tensor | null): number[] {
  return t === null ? [] : Array.from(new Uint32Array((t.data as Float32Array).slice().buffer));
}

interface Run {
  losses: number[];
  params: number[][];
  grads: number[][];
  generatorOffset: number;
}

/** Trains `build()`'s model for `steps` Adam steps on fixed random batches, fused or not. */
function train(build: () => nn.Module, fused: boolean, steps: number, options: { setToNone?: boolean; inputGrad?: boolean } = {}): Run {
  fusion.enabled = fused;
  torch.manualSeed(7);
  const model = build();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFunction = new nn.CrossEntropyLoss();
  const losses: number[] = [];
  let last: Tensor | null = null;
  for (let step = 0; step < steps; step++) {
    const x = torch.rand([10, 1, 28, 28]);
    if (options.inputGrad) x.requiresGrad_();
    const y = torch.randint(0, 10, [10]);
    optimizer.zeroGrad({ setToNone: options.setToNone ?? true });
    const loss = lossFunction.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
    last = x;
  }
  return {
    losses,
    params: model.parameters().map(bits),
    grads: [...model.parameters().map((p) => bits(p.grad)), ...(options.inputGrad && last ? [bits(last.grad)] : [])],
    generatorOffset: torch.defaultGenerator.getState().offset,
  };
}

describe('fused Linear → Dropout → ReLU blocks in Sequential', () => {
  it('finds the seed MLP’s two hidden blocks and leaves the last Linear alone', () => {
    const modules = [...seedMlp()];
    expect(fusedBlockAt(modules, 0)).toBeNull(); // Flatten
    expect(fusedBlockAt(modules, 1)).toMatchObject({ p: 0.5, relu: true, length: 3 });
    expect(fusedBlockAt(modules, 4)).toMatchObject({ p: 0.5, relu: true, length: 3 });
    expect(fusedBlockAt(modules, 7)).toBeNull(); // Linear(32, 10) with nothing after it
  });

  it('trains the seed MLP to the same bits as the unfused modules (losses, weights, grads, generator)', () => {
    const fused = train(seedMlp, true, 25);
    const unfused = train(seedMlp, false, 25);
    expect(fused.losses).toEqual(unfused.losses);
    expect(fused.params).toEqual(unfused.params);
    expect(fused.grads).toEqual(unfused.grads);
    expect(fused.generatorOffset).toBe(unfused.generatorOffset);
    // The model really learned something (the comparison is not between two no-ops).
    expect(fused.params[0]).not.toEqual(train(seedMlp, true, 0).params[0]);
  });

  it('gives the same bits with gradients accumulated (zeroGrad setToNone false) and for an input that requires grad', () => {
    const fused = train(seedMlp, true, 6, { setToNone: false, inputGrad: true });
    const unfused = train(seedMlp, false, 6, { setToNone: false, inputGrad: true });
    expect(fused.losses).toEqual(unfused.losses);
    expect(fused.grads).toEqual(unfused.grads);
    expect(fused.grads.at(-1)?.length).toBe(10 * 28 * 28);
  });

  it('covers Linear → ReLU, Linear → Dropout, Linear → ReLU → Dropout and bias-free layers', () => {
    const build = (): nn.Sequential =>
      new nn.Sequential(
        new nn.Flatten(),
        new nn.Linear(784, 20),
        new nn.ReLU(),
        new nn.Linear(20, 16, { bias: false }),
        new nn.Dropout(0.3),
        new nn.Linear(16, 12),
        new nn.ReLU(),
        new nn.Dropout(0.2),
        new nn.Linear(12, 10, { bias: false }),
        new nn.Dropout(0.1),
        new nn.ReLU(),
      );
    const modules = [...build()];
    expect(fusedBlockAt(modules, 1)).toMatchObject({ p: 0, relu: true, length: 2 });
    expect(fusedBlockAt(modules, 3)).toMatchObject({ p: 0.3, relu: false, length: 2 });
    expect(fusedBlockAt(modules, 5)).toMatchObject({ p: 0, relu: true, length: 2 }); // its Dropout runs alone
    expect(fusedBlockAt(modules, 8)).toMatchObject({ p: 0.1, relu: true, length: 3 });
    const fused = train(build, true, 8, { inputGrad: true });
    const unfused = train(build, false, 8, { inputGrad: true });
    expect(fused.losses).toEqual(unfused.losses);
    expect(fused.params).toEqual(unfused.params);
    expect(fused.grads).toEqual(unfused.grads);
    expect(fused.generatorOffset).toBe(unfused.generatorOffset);
  });

  it('gives the same bits when one Linear appears twice (its gradients accumulate over both uses)', () => {
    const build = (): nn.Sequential => {
      const shared = new nn.Linear(48, 48);
      return new nn.Sequential(
        new nn.Flatten(),
        new nn.Linear(784, 48),
        shared,
        new nn.Dropout(0.25),
        new nn.ReLU(),
        shared,
        new nn.ReLU(),
        new nn.Linear(48, 10),
      );
    };
    const fused = train(build, true, 4);
    const unfused = train(build, false, 4);
    expect(fused.losses).toEqual(unfused.losses);
    expect(fused.params).toEqual(unfused.params);
    expect(fused.grads).toEqual(unfused.grads);
  });

  it('in eval mode fuses Linear → ReLU with dropout off, same outputs as unfused', () => {
    torch.manualSeed(3);
    const model = seedMlp();
    model.eval();
    expect(fusedBlockAt([...model], 1)).toMatchObject({ p: 0, relu: true });
    const x = torch.rand([5, 1, 28, 28]);
    const offset = torch.defaultGenerator.getState().offset;
    const fused = torch.noGrad(() => model.forward(x));
    fusion.enabled = false;
    const unfused = torch.noGrad(() => model.forward(x));
    expect(bits(fused)).toEqual(bits(unfused));
    expect(torch.defaultGenerator.getState().offset).toBe(offset); // eval draws nothing
  });

  it('names the block’s node after its last op, with the linear’s edges', () => {
    torch.manualSeed(0);
    const block = new nn.Sequential(new nn.Linear(4, 3), new nn.Dropout(0.5), new nn.ReLU());
    const out = block.forward(torch.rand([2, 4]));
    expect(out.gradFn?.name).toBe('ReluBackward0');
    expect(out.gradFn?.next.map((n) => n?.name ?? null)).toEqual(['AccumulateGrad', null, 'AccumulateGrad']);
    const dropped = new nn.Sequential(new nn.Linear(4, 3, { bias: false }), new nn.Dropout(0.5)).forward(torch.rand([2, 4]));
    expect(dropped.gradFn?.name).toBe('NativeDropoutBackward0');
    expect(dropped.gradFn?.next.map((n) => n?.name ?? null)).toEqual([null, 'AccumulateGrad']);
  });

  it('does not fuse subclasses, replaced forwards, or anything in anomaly mode', () => {
    class LoggedLinear extends nn.Linear {
      calls = 0;
      override forward(input: Tensor): Tensor {
        this.calls++;
        return super.forward(input);
      }
    }
    const logged = new LoggedLinear(4, 3);
    const seq = new nn.Sequential(logged, new nn.ReLU());
    expect(fusedBlockAt([...seq], 0)).toBeNull();
    seq.forward(torch.rand([2, 4]));
    expect(logged.calls).toBe(1);

    const plain = new nn.Linear(4, 3);
    let replacedCalls = 0;
    const original = plain.forward.bind(plain);
    plain.forward = (input: Tensor): Tensor => {
      replacedCalls++;
      return original(input);
    };
    new nn.Sequential(plain, new nn.ReLU()).forward(torch.rand([2, 4]));
    expect(replacedCalls).toBe(1);

    const custom = new nn.Sequential(new nn.Linear(4, 3), new nn.Dropout(0.5), new nn.ReLU());
    torch.setDetectAnomaly(true);
    expect(fusedBlockAt([...custom], 0)).toBeNull();
    const out = custom.forward(torch.rand([2, 4]));
    expect(out.gradFn?.name).toBe('ReluBackward0');
    expect(out.gradFn?.next[0]?.name).toBe('NativeDropoutBackward0');
  });

  it('reports bad inputs with the unfused messages', () => {
    const seq = seedMlp();
    const message = (fused: boolean): string => {
      fusion.enabled = fused;
      try {
        seq.forward(torch.rand([10, 783]));
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(message(true)).toBe(message(false));
    expect(message(true)).toContain('mat1 and mat2 shapes cannot be multiplied (10x783 and 784x64)');
    const ints = torch.ones([2, 784], { dtype: 'int32' });
    fusion.enabled = true;
    expect(() => seq.forward(ints)).toThrow(TypeError);
  });

  it('runs backward twice with retainGraph to the same bits as unfused', () => {
    const twice = (fused: boolean): number[][] => {
      fusion.enabled = fused;
      torch.manualSeed(11);
      const model = seedMlp();
      const loss = model.forward(torch.rand([3, 1, 28, 28])).sum();
      loss.backward(undefined, { retainGraph: true });
      loss.backward();
      return model.parameters().map((p) => bits(p.grad));
    };
    expect(twice(true)).toEqual(twice(false));
  });
});
