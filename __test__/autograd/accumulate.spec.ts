import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn } from '../../src';
import { addInto } from '../../src/autograd/accumulate';
import { FREED_MESSAGE } from '../../src/autograd/node';
import type { Tensor } from '../../src/tensor';

function values(t: Tensor | null): number[] {
  if (t === null) throw new Error('expected a gradient');
  return Array.from(t.data as Float32Array);
}

/** A linear layer's loss and its parameters' gradients computed from scratch (fresh .grad). */
function freshGrads(layer: nn.Linear, x: Tensor): { weight: number[]; bias: number[] } {
  layer.zeroGrad();
  layer.forward(x).pow(2).sum().backward();
  return { weight: values(layer.weight.grad), bias: values(layer.bias!.grad) };
}

describe('addInto', () => {
  it('adds in place below and above the native threshold, and onto itself', () => {
    for (const n of [5, 2048, 5000]) {
      const dst = Float32Array.from({ length: n }, (_, i) => i * 0.5);
      const src = Float32Array.from({ length: n }, (_, i) => 1 - i * 0.25);
      const expected = Array.from(dst, (v, i) => Math.fround(v + src[i]));
      addInto(dst, src);
      expect(Array.from(dst)).toEqual(expected);
    }
    const same = Float32Array.from({ length: 4096 }, (_, i) => i);
    addInto(same, same);
    expect(same[4095]).toBe(8190);
  });
});

describe('accumulating into an existing .grad', () => {
  it('adds in place into a leaf’s .grad, like PyTorch outside create_graph', () => {
    const x = torch.tensor([1, 2, 3], { dtype: torch.float32, requiresGrad: true });
    x.mul(2).sum().backward();
    const held = x.grad as Tensor;
    const heldData = held.data;
    x.mul(x).sum().backward();
    expect(x.grad).toBe(held);
    expect(x.grad?.data).toBe(heldData);
    expect(x.grad?.tolist()).toEqual([4, 6, 8]);
  });

  it('leaves a .grad the user held untouched after zeroGrad() set it to null', () => {
    const layer = new nn.Linear(3, 2);
    const x = torch.randn(4, 3);
    layer.forward(x).sum().backward();
    const held = layer.weight.grad as Tensor;
    const before = values(held);
    layer.zeroGrad();
    expect(layer.weight.grad).toBeNull();
    layer.forward(x).mul(3).sum().backward();
    expect(layer.weight.grad).not.toBe(held);
    expect(values(held)).toEqual(before);
  });

  it('reuses a dropped weight-gradient buffer only when nothing outside kindling ever saw it', () => {
    torch.manualSeed(5);
    const layer = new nn.Linear(30, 20);
    const x = torch.randn(6, 30);
    const optimizer = new torch.optim.SGD(layer.parameters(), { lr: 0 });
    const fresh = (): number[] => {
      layer.forward(x).pow(2).sum().backward();
      return values(layer.weight._peekGrad());
    };
    const expected = fresh();
    const firstBuffer = layer.weight._peekGrad()?.data;
    optimizer.step(); // reads the gradients internally: still unobserved
    optimizer.zeroGrad();
    expect(fresh()).toEqual(expected);
    const reused = layer.weight._peekGrad() as Tensor;
    expect(reused.data).toBe(firstBuffer); // recycled, in a new tensor object
    // Now the user reads .grad before zeroGrad(): that tensor must survive the next backward.
    const held = layer.weight.grad as Tensor;
    optimizer.zeroGrad();
    layer.forward(x).mul(2).sum().backward();
    expect(values(held)).toEqual(expected);
    expect(layer.weight.grad?.data).not.toBe(held.data);
  });

  it('sums the bias gradient into a recycled or existing .grad, and never into one the user saw', () => {
    torch.manualSeed(6);
    const layer = new nn.Linear(30, 20);
    const x = torch.randn(6, 30);
    const optimizer = new torch.optim.SGD(layer.parameters(), { lr: 0 });
    const bias = layer.bias as Tensor;
    const fresh = (): number[] => {
      layer.forward(x).pow(2).sum().backward();
      return values(bias._peekGrad());
    };
    const expected = fresh();
    const firstBuffer = bias._peekGrad()?.data;
    optimizer.step();
    optimizer.zeroGrad();
    expect(fresh()).toEqual(expected); // bit-identical when summed into the recycled buffer
    expect(bias._peekGrad()?.data).toBe(firstBuffer);
    // Accumulation (no zeroGrad): the same tensor and buffer, holding the sum of both passes.
    const before = bias._peekGrad() as Tensor;
    fresh();
    expect(bias._peekGrad()).toBe(before);
    expect(values(before)).toEqual(expected.map((v) => Math.fround(v + v)));
    // A .grad the user read is left alone by the next pass.
    const held = bias.grad as Tensor;
    const heldValues = values(held);
    optimizer.zeroGrad();
    layer.forward(x).mul(2).sum().backward();
    expect(values(held)).toEqual(heldValues);
    expect(bias.grad?.data).not.toBe(held.data);
  });

  it('replaces a retained non-leaf gradient by the sum instead of mutating it (retain_grad hook)', () => {
    const x = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    y.sum().backward(undefined, { retainGraph: true });
    const first = y.grad as Tensor;
    y.sum().backward(undefined, { retainGraph: true });
    expect(first.tolist()).toEqual([1, 1]);
    expect(y.grad).not.toBe(first);
    expect(y.grad?.tolist()).toEqual([2, 2]);
    expect(x.grad?.tolist()).toEqual([4, 4]);
  });

  it('linear writes dW straight into the existing weight .grad (setToNone: false) with the same values', () => {
    torch.manualSeed(3);
    const layer = new nn.Linear(40, 60); // 2,400 weights: the native add path too
    const x = torch.randn(7, 40);
    const once = freshGrads(layer, x);
    const weightGrad = layer.weight.grad as Tensor;
    const biasGrad = layer.bias!.grad as Tensor;
    // A second backward without zeroing accumulates: twice the gradient, in the same buffers.
    layer.forward(x).pow(2).sum().backward();
    expect(layer.weight.grad).toBe(weightGrad);
    expect(layer.bias!.grad).toBe(biasGrad);
    const twice = values(layer.weight.grad);
    for (let i = 0; i < twice.length; i++) expect(twice[i]).toBeCloseTo(2 * once.weight[i], 4);
    values(layer.bias!.grad).forEach((v, i) => expect(v).toBeCloseTo(2 * once.bias[i], 4));
    // zeroGrad({ setToNone: false }) then backward: exactly the fresh gradient again, same buffer.
    layer.zeroGrad({ setToNone: false });
    layer.forward(x).pow(2).sum().backward();
    expect(layer.weight.grad).toBe(weightGrad);
    expect(values(layer.weight.grad)).toEqual(once.weight);
    expect(values(layer.bias!.grad)).toEqual(once.bias);
  });

  it('mm writes both operands’ gradients into existing .grad tensors, including a square a·a', () => {
    torch.manualSeed(4);
    const a = torch.randn(3, 4).requiresGrad_();
    const b = torch.randn(4, 5).requiresGrad_();
    a.mm(b).sum().backward();
    const ga = a.grad as Tensor;
    const gb = b.grad as Tensor;
    const once = [values(ga), values(gb)];
    a.mm(b).sum().backward();
    expect(a.grad).toBe(ga);
    expect(b.grad).toBe(gb);
    values(ga).forEach((v, i) => expect(v).toBeCloseTo(2 * once[0][i], 5));
    values(gb).forEach((v, i) => expect(v).toBeCloseTo(2 * once[1][i], 5));
    const s = torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32, requiresGrad: true });
    s.mm(s).sum().backward();
    const first = values(s.grad); // d/ds sum(s·s) = 1·sᵀ + sᵀ·1
    expect(first).toEqual([7, 11, 9, 13]);
    s.mm(s).sum().backward();
    expect(values(s.grad)).toEqual([14, 22, 18, 26]);
  });

  it('still hands dW to the engine when anomaly mode checks every returned gradient', () => {
    const layer = new nn.Linear(3, 2);
    const x = torch.randn(4, 3);
    layer.forward(x).sum().backward();
    const node = layer.forward(x).gradFn!;
    expect(node.gradBuffer(2, 6)).toEqual({ data: layer.weight.grad?.data, beta: 1 });
    expect(node.gradBuffer(2, 5)).toBeNull(); // size mismatch
    expect(node.gradBuffer(1, 12)).toBeNull(); // the input is not a leaf that requires grad
    torch.autograd.detectAnomaly(() => {
      expect(node.gradBuffer(2, 6)).toBeNull();
      const before = values(layer.weight.grad);
      layer.forward(x).sum().backward();
      values(layer.weight.grad).forEach((v, i) => expect(v).toBeCloseTo(2 * before[i], 5));
    });
  });

  it('a pass that fails part-way leaves no gradient behind on the nodes', () => {
    const x = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const z = x.mul(x).add(x).sum();
    z.backward();
    expect(() => z.backward()).toThrow(FREED_MESSAGE);
    expect(x._accumulateNode()._pending).toBeNull();
    x.grad = null;
    x.mul(3).sum().backward();
    expect(x.grad?.tolist()).toEqual([3, 3]);
  });
});

describe('Node.gradBuffer: ops write a leaf gradient into its buffer', () => {
  const cases: Array<[string, (a: Tensor, b: Tensor) => Tensor, number[], number[]]> = [
    ['mm', (a, b) => a.mm(b), [3, 4], [4, 5]],
    ['addmm', (a, b) => torch.addmm(torch.ones(3, 5), a, b, { alpha: 0.5 }), [3, 4], [4, 5]],
    ['bmm', (a, b) => torch.bmm(a, b), [2, 3, 4], [2, 4, 5]],
  ];
  for (const [name, f, shapeA, shapeB] of cases) {
    it(`${name} reuses a recycled .grad buffer and adds into an existing one, with the engine's values`, () => {
      torch.manualSeed(11);
      const a = torch.randn(shapeA).requiresGrad_();
      const b = torch.randn(shapeB).requiresGrad_();
      const optimizer = new torch.optim.SGD([a, b], { lr: 0 });
      const run = (): number[][] => {
        f(a, b).pow(2).sum().backward();
        return [values(a._peekGrad()), values(b._peekGrad())];
      };
      const first = run();
      const buffers = [a._peekGrad()?.data, b._peekGrad()?.data];
      optimizer.zeroGrad(); // unobserved: the buffers are recycled
      expect(run()).toEqual(first);
      expect([a._peekGrad()?.data, b._peekGrad()?.data]).toEqual(buffers);
      expect(a._peekGrad()?.data).toBe(buffers[0]);
      expect(b._peekGrad()?.data).toBe(buffers[1]);
      const doubled = run(); // accumulates in place (beta = 1)
      expect(b._peekGrad()?.data).toBe(buffers[1]);
      doubled[1].forEach((v, i) => expect(v).toBeCloseTo(2 * first[1][i], 4));
      // In anomaly mode the hook offers nothing: the engine accumulates the returned gradients.
      optimizer.zeroGrad();
      torch.autograd.detectAnomaly(() => expect(run()).toEqual(first));
    });
  }
});
