/**
 * Gradients written in place (`Node.ownsGrad`, `attach`'s `freshGrads`): a unary op's backward
 * writes over the gradient it receives when nothing but the engine holds it. These tests check
 * that it does so where it may (the returned buffer is the received one), that it does not where a
 * retained `.grad`, anomaly mode or a shared gradient forbids it, and that every gradient is
 * bit-identical to the path with new buffers (anomaly mode turns writing in place off).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { attach, SAVES_NOTHING } from '../../src/autograd/function';
import { Node } from '../../src/autograd/node';
import { recycleF32, spareF32Count, uninitF32 } from '../../src/dtype';
import { Tensor } from '../../src/tensor';
import { RECYCLE_MAX_BUFFERS } from '../../src/tuning';

const F = torch.nn.functional;

type ApplyCall = { name: string; grad: Tensor; out: ReadonlyArray<Tensor | null>; owned: boolean };

/** Runs `run` while recording, node by node, the gradient each apply received, what it returned and whether it owned it. */
function spied<T>(run: () => T): { result: T; calls: ApplyCall[] } {
  const calls: ApplyCall[] = [];
  const original = Node.prototype.apply;
  Node.prototype.apply = function (this: Node, grad: Tensor) {
    const owned = this.ownsGrad();
    const out = original.call(this, grad);
    calls.push({ name: this.name, grad, out, owned });
    return out;
  };
  try {
    return { result: run(), calls };
  } finally {
    Node.prototype.apply = original;
  }
}

afterEach(() => torch.setDetectAnomaly(false));

/**
 * conv → relu → maxPool → flatten → linear → relu → linear, with a seeded input; returns every
 * leaf's gradient (and, with `retain`, the first relu's output gradient).
 */
function cnnGrads(retain: boolean): { grads: Float32Array[]; retained: Float32Array | null } {
  torch.manualSeed(3);
  const x = torch.randn([2, 1, 8, 8], { requiresGrad: true });
  const conv = new torch.nn.Conv2d(1, 4, 3);
  const fc1 = new torch.nn.Linear(4 * 3 * 3, 6);
  const fc2 = new torch.nn.Linear(6, 5);
  const h = F.relu(conv.forward(x));
  if (retain) h.retainGrad();
  const p = F.maxPool2d(h, 2);
  const loss = fc2.forward(F.relu(fc1.forward(torch.flatten(p, 1)))).pow(2).sum();
  loss.backward();
  const grads = [x, conv.weight, conv.bias, fc1.weight, fc1.bias, fc2.weight].map((t) => ((t as Tensor).grad as Tensor).data as Float32Array);
  return { grads, retained: retain ? ((h.grad as Tensor).data as Float32Array).slice() : null };
}

describe('gradients written in place', () => {
  it('a relu receiving maxPool2d\'s or a linear\'s new gradient writes over it', () => {
    const { calls } = spied(() => cnnGrads(false));
    const relus = calls.filter((c) => c.name === 'ReluBackward0');
    expect(relus.length).toBe(2);
    for (const c of relus) {
      expect(c.owned).toBe(true);
      expect((c.out[0] as Tensor).data).toBe(c.grad.data);
    }
  });

  it('gives the same bits as new buffers (anomaly mode writes nothing in place)', () => {
    const inPlace = cnnGrads(false).grads;
    torch.setDetectAnomaly(true);
    const { result: fresh, calls } = spied(() => cnnGrads(false).grads);
    expect(calls.every((c) => !c.owned)).toBe(true);
    for (let i = 0; i < fresh.length; i++) expect(inPlace[i]).toEqual(fresh[i]);
  });

  it('leaves a retained .grad alone: retainGrad() on the relu output adopts the gradient', () => {
    const { result, calls } = spied(() => cnnGrads(true));
    const afterConv = calls.find((c) => c.name === 'ReluBackward0' && c.grad.shape.length === 4);
    expect(afterConv?.owned).toBe(false);
    expect(result.grads).toEqual(cnnGrads(false).grads);
    // h.grad is maxPool2d's gradient, unmasked by the relu: nonzero where h is 0 too (a window of
    // zeros still routes its gradient to one of them), and zero off the pooling's picks.
    const retained = result.retained as Float32Array;
    torch.manualSeed(3);
    const x = torch.randn([2, 1, 8, 8]);
    const conv = new torch.nn.Conv2d(1, 4, 3);
    const h = F.relu(conv.forward(x)).data as Float32Array;
    let nonzeroAtZero = 0;
    for (let i = 0; i < h.length; i++) if (h[i] === 0 && retained[i] !== 0) nonzeroAtZero++;
    expect(nonzeroAtZero).toBeGreaterThan(0);
    expect(retained.filter((v) => v !== 0).length).toBeLessThanOrEqual(2 * 4 * 3 * 3);
  });

  it('never writes over a gradient the op did not get alone: a caller gradient, a shared one', () => {
    const x = torch.tensor([-1, 2, -3, 4], { requiresGrad: true });
    const seed = torch.tensor([1, 1, 1, 1]);
    const { calls } = spied(() => F.relu(x).backward(seed));
    expect(calls[0].owned).toBe(false);
    expect(Array.from(seed.data)).toEqual([1, 1, 1, 1]);
    expect(Array.from((x.grad as Tensor).data)).toEqual([0, 1, 0, 1]);

    // A node that hands one gradient to two inputs (not freshGrads): neither relu may write over it.
    const a = torch.tensor([-1, 2], { requiresGrad: true });
    const b = torch.tensor([3, -4], { requiresGrad: true });
    const ra = F.relu(a);
    const rb = F.relu(b);
    const both = attach(Tensor._make(new Float32Array(2), [2], 'float32'), 'TestBackward0', [ra, rb], (g) => [g, g], SAVES_NOTHING);
    const { calls: sharedCalls } = spied(() => both.backward(torch.tensor([5, 6])));
    expect(sharedCalls.filter((c) => c.name === 'ReluBackward0').every((c) => !c.owned)).toBe(true);
    expect(Array.from((a.grad as Tensor).data)).toEqual([0, 6]);
    expect(Array.from((b.grad as Tensor).data)).toEqual([5, 0]);
  });

  it('a fresh gradient reaching a node twice is summed into and then written over, with the same values', () => {
    // y feeds two linears; each linear's backward returns a new dX for y, which the engine sums.
    torch.manualSeed(5);
    const x = torch.randn([3, 4], { requiresGrad: true });
    const l1 = new torch.nn.Linear(4, 4);
    const l2 = new torch.nn.Linear(4, 4);
    const l3 = new torch.nn.Linear(4, 4);
    const run = (): Float32Array[] => {
      x.grad = null;
      for (const m of [l1, l2, l3]) m.zeroGrad();
      const y = torch.tanh(l1.forward(x));
      const loss = l2.forward(y).sum().add(l3.forward(y).pow(2).sum());
      loss.backward();
      return [x, l1.weight, l2.weight, l3.weight].map((t) => ((t.grad as Tensor).data as Float32Array).slice());
    };
    const { result: inPlace, calls } = spied(() => run());
    const tanh = calls.find((c) => c.name === 'TanhBackward0');
    expect(tanh?.owned).toBe(true);
    torch.setDetectAnomaly(true);
    const fresh = run();
    for (let i = 0; i < fresh.length; i++) expect(inPlace[i]).toEqual(fresh[i]);
  });

  it('ownsGrad is false outside a backward pass', () => {
    const y = F.relu(torch.tensor([1, -1], { requiresGrad: true }));
    expect((y.gradFn as Node).ownsGrad()).toBe(false);
  });
});

describe('ownership passed on and sums made in place', () => {
  /** y = a + layerNorm(a) with a = x·1: a's node gets AddBackward0's shared gradient and LayerNorm's new one. */
  function residualGrads(): { grad: Float32Array; calls: ApplyCall[] } {
    torch.manualSeed(11);
    const x = torch.randn([64, 1024], { requiresGrad: true });
    const a = x.mul(1.5);
    const y = a.add(F.layerNorm(a, [1024]));
    const { calls } = spied(() => y.backward(torch.randn([64, 1024])));
    return { grad: ((x.grad as Tensor).data as Float32Array).slice(), calls };
  }

  it('a shared gradient meeting a new one is added into the new one, with the same bits as a new sum', () => {
    const { grad, calls } = residualGrads();
    const norm = calls.find((c) => c.name === 'NativeLayerNormBackward0');
    const mul = calls.find((c) => c.name === 'MulBackward0');
    expect(norm && mul).toBeTruthy();
    // The sum is LayerNorm's returned buffer, which the engine alone holds.
    expect(mul?.grad.data).toBe(norm?.out[0]?.data);
    expect(mul?.owned).toBe(true);
    torch.setDetectAnomaly(true);
    const fresh = residualGrads().grad;
    expect(grad).toEqual(fresh);
  });

  it('a view node passes on the ownership of the gradient it received, and the consumer frees it', () => {
    const run = () => {
      torch.manualSeed(12);
      const x = torch.randn([256, 512], { requiresGrad: true });
      const a = x.mul(2);
      const y = F.gelu(a.view([512, 256]).transpose(0, 1));
      const { calls } = spied(() => y.backward(torch.randn([256, 512])));
      return { grad: ((x.grad as Tensor).data as Float32Array).slice(), calls };
    };
    drain();
    const { grad, calls } = run();
    for (const name of ['TransposeBackward0', 'ViewBackward0', 'MulBackward0']) {
      expect(calls.find((c) => c.name === name)?.owned).toBe(true);
    }
    // MulBackward0 consumed the (owned) gradient and returned a new one: the consumed buffer is
    // spare, and the next uninitF32 of its length gets it.
    const consumed = calls.find((c) => c.name === 'MulBackward0')?.grad as Tensor;
    expect(uninitF32(256 * 512)).toBe(consumed.storage.data);
    torch.setDetectAnomaly(true);
    const anomaly = run();
    expect(anomaly.calls.every((c) => !c.owned)).toBe(true);
    expect(grad).toEqual(anomaly.grad);
  });
});

describe('an owned gradient that is a strided view', () => {
  // A transpose passes on the ownership of gelu's new gradient as a strided view: a second
  // contribution to the same node, added in place or through a split piece's accumulator, must
  // land in the sum (a strided view's `.data` is a copy).
  const cases: Array<[string, (a: Tensor) => Tensor]> = [
    ['a second gradient added to it', (a) => a.mul(3).mul(torch.randn([96, 80])).sum()],
    ['a split piece adding its slice', (a) => a.split(40, 1)[1].mul(torch.randn([96, 40])).sum()],
  ];
  for (const [name, other] of cases) {
    for (const transposedFirst of [true, false]) {
      it(`keeps ${name} (${transposedFirst ? 'after' : 'before'} the strided one)`, () => {
        const run = () => {
          torch.manualSeed(21);
          const x = torch.randn([96, 80], { requiresGrad: true });
          const a = x.mul(1.5);
          const y = F.gelu(a.transpose(0, 1)).mul(torch.randn([80, 96])).sum();
          const z = other(a);
          (transposedFirst ? z.add(y) : y.add(z)).backward();
          return ((x.grad as Tensor).data as Float32Array).slice();
        };
        const inPlace = run();
        torch.setDetectAnomaly(true);
        expect(inPlace).toEqual(run());
      });
    }
  }
});

describe('dead gradient buffers reused', () => {
  it('a consumed gradient only the engine held goes back to uninitF32; a passed-on or retained one does not', () => {
    // relu → maxPool → relu: maxPool's new gradient (large) is written over by the first relu and
    // passed on to the leaf (adopted as .grad: not recycled); the second relu's input gradient
    // (the linear's, fresh) is consumed by maxPool and dead afterwards.
    torch.manualSeed(7);
    const x = torch.randn([4, 16, 64, 64], { requiresGrad: true }); // 262,144 elements: recyclable
    const p = F.maxPool2d(F.relu(x), 2); // [4, 16, 32, 32]: 65,536 elements
    const loss = F.relu(p).mul(torch.randn([4, 16, 32, 32])).sum();
    const before = spareF32Count();
    const { calls } = spied(() => loss.backward());
    // MulBackward's gradient for p-relu's output is new and consumed by the relu in place, then
    // consumed by maxPool (not passed on): recycled. maxPool's gradient goes, written over by the
    // relu, into x.grad: kept there, never recycled.
    expect(spareF32Count()).toBe(before + 1);
    const xGrad = (x.grad as Tensor).data as Float32Array;
    const again = uninitF32(xGrad.length);
    expect(again).not.toBe(xGrad);
    const recycled = uninitF32(4 * 16 * 32 * 32);
    const pooled = calls.find((c) => c.name === 'MaxPool2DWithIndicesBackward0');
    expect(recycled).toBe(pooled?.grad.data);
    expect(spareF32Count()).toBe(before);
  });

  it('keeps a consumed gradient that a permute passed on as a view', () => {
    // relu's gradient is new, so the transpose's node gets it alone; its backward returns the
    // gradient transposed as a view of that buffer, which must not be reused while x still needs it.
    torch.manualSeed(5);
    const x = torch.randn([256, 512]).requiresGrad_(true);
    const y = F.relu(x.transpose(0, 1));
    const g = torch.randn([512, 256]);
    y.backward(g);
    const want = g.mul(y.detach().gt(0).to('float32')).transpose(0, 1);
    expect((x.grad as torch.Tensor).sub(want).abs().max().item()).toBe(0);
  });

  it('keeps nothing in anomaly mode, nor for a retained gradient', () => {
    torch.manualSeed(8);
    const run = (retain: boolean) => {
      const x = torch.randn([4, 16, 32, 32], { requiresGrad: true });
      // In anomaly mode through a mul (whose gradient would be dead after it); retained, from the
      // leaf (maxPool's gradient becomes h.grad, the relu's goes to x.grad: nothing is dead).
      const h = F.relu(retain ? x : x.mul(2));
      if (retain) h.retainGrad();
      F.maxPool2d(h, 2).sum().backward();
      return h;
    };
    const before = spareF32Count();
    torch.setDetectAnomaly(true);
    run(false);
    torch.setDetectAnomaly(false);
    expect(spareF32Count()).toBe(before);
    const h = run(true);
    expect(spareF32Count()).toBe(before);
    // The retained gradient is intact: maxPool's routing, one 1 per 2×2 window.
    const g = (h.grad as Tensor).data as Float32Array;
    expect(g.reduce((s, v) => s + v, 0)).toBe(4 * 16 * 16 * 16);
  });

  it('recycleF32 keeps only large buffers with their own backing store, within its limits', () => {
    const before = spareF32Count();
    recycleF32(new Float32Array(100)); // small
    recycleF32(new Float32Array(300_000).subarray(1)); // a view
    expect(spareF32Count()).toBe(before);
    const big = new Float32Array(70_000);
    recycleF32(big);
    recycleF32(big); // twice: kept once
    expect(spareF32Count()).toBe(before + 1);
    expect(uninitF32(70_000)).toBe(big);
    for (let i = 0; i < 20; i++) recycleF32(new Float32Array(70_000 + i));
    expect(spareF32Count()).toBeLessThanOrEqual(RECYCLE_MAX_BUFFERS);
    drain();
    expect(spareF32Count()).toBe(0);
  });
});

/** Empties the spare list (test isolation). */
function drain(): void {
  for (let i = 0; i < 20; i++) uninitF32(70_000 + i);
}
